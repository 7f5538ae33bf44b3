"""When a server process runs CPython's cyclic garbage collector, so that no pause is long.

A connection spends most of its life waiting for the client's next frame, and
each wait holds a chain of ~22 tracked objects (``bench/wait_objects.py``) that
lives for the table's pace, ~2 s. CPython 3.11 starts a young collection when
allocations minus deallocations pass a threshold, and deallocations of older
objects count too, so under that churn the young generation grew to
30,000–85,000 objects between collections: 30–85 ms pauses at 2,500 players on
the 2-core machine, and 400 ms for the first collection of generation 1 after
the players sat down (docs/performance.md, "Collector pauses").

So :class:`CollectorSchedule` takes the decision away from allocation counts.
Automatic collection is off; every :attr:`~CollectorSchedule.young_every_s` the
youngest generation is collected (cycles that died young are freed) and what
survived is frozen (``gc.freeze()`` moves it out of every later walk, in
constant time): an object is walked at most once while young, and a pause is as
long as 50 ms of allocations. Reference counting still frees frozen objects;
only cycles among them wait for the full collection every
:attr:`~CollectorSchedule.full_every_s`, which unfreezes, collects everything
and freezes again: the one long pause (~0.5 s at 2,500 players on that machine),
once in ten minutes.

Only ``checkgame serve`` runs it: the process is the server's alone. Tests and
embedding code keep CPython's own collector.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass

import trio

__all__ = ["CollectorSchedule"]


@dataclass(frozen=True, slots=True)
class CollectorSchedule:
    """How often the young generation and the whole heap are collected while :meth:`run` runs."""

    young_every_s: float = 0.05
    """A young collection walks what this long of allocations left alive: ~2.5 ms of CPU at 2,500 players."""
    full_every_s: float = 600.0
    """Cycles among frozen objects (ended connections' exceptions and frames) are freed this often."""

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Collect on this schedule until cancelled; CPython's automatic collection is restored after."""
        was_enabled = gc.isenabled()
        gc.disable()
        gc.collect()
        gc.freeze()  # what start-up built is never walked again until the first full collection
        try:
            task_status.started()
            next_full = trio.current_time() + self.full_every_s
            while True:
                await trio.sleep(self.young_every_s)
                gc.collect(0)
                gc.freeze()
                if trio.current_time() >= next_full:
                    self.collect_all()
                    next_full = trio.current_time() + self.full_every_s
        finally:
            gc.unfreeze()
            if was_enabled:
                gc.enable()

    @staticmethod
    def collect_all() -> int:
        """A full collection of everything, frozen objects included, then freeze the survivors again."""
        gc.unfreeze()
        found = gc.collect()
        gc.freeze()
        return found
