"""The collector's schedule on a fake clock: young cycles go at the next tick, frozen ones at the full collection."""

from __future__ import annotations

import gc
import weakref

import trio

from checkgame.collector import CollectorSchedule


class _Node:
    """A cycle of one: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


def _cycle() -> weakref.ref[_Node]:
    return weakref.ref(_Node())


async def test_young_cycles_go_at_the_next_tick_survivors_wait_for_the_full_collection(autojump_clock):
    schedule = CollectorSchedule(young_every_s=0.05, full_every_s=10.0)
    async with trio.open_nursery() as nursery:
        await nursery.start(schedule.run)
        assert not gc.isenabled()  # allocations no longer decide when to collect

        survivor = _Node()  # alive at the next young collection: walked once, then frozen
        await trio.sleep(0.06)
        assert gc.get_freeze_count() > 0
        frozen = weakref.ref(survivor)
        del survivor
        assert frozen() is not None  # a cycle among frozen objects is not walked again...

        young = _cycle()  # dies before any collection saw it
        assert young() is not None
        await trio.sleep(0.06)
        assert young() is None  # ...a young one goes at the next tick
        assert frozen() is not None

        await trio.sleep(10.0)
        assert frozen() is None  # ...and the frozen one at the full collection
        nursery.cancel_scope.cancel()

    assert gc.isenabled()  # CPython's own collector is back
    assert gc.get_freeze_count() == 0


async def test_the_schedule_leaves_a_disabled_collector_disabled(autojump_clock):
    gc.disable()
    try:
        async with trio.open_nursery() as nursery:
            await nursery.start(CollectorSchedule().run)
            await trio.sleep(1)
            nursery.cancel_scope.cancel()
        assert not gc.isenabled()
    finally:
        gc.enable()
