"""A subscription closed while entries are being delivered to it (issue 12, defect 2).

A node's pub/sub reader delivers each message to the subscriptions of its
channel. A socket that closes meanwhile closes its subscription at once, then
waits for the fan-out's lock to leave the channel: in between, the reader
still lists it. Delivering to it then raised ``trio.ClosedResourceError`` out
of the reader task, and the node exited.
"""

from __future__ import annotations

from typing import Any, cast

import coredis
import msgspec
import trio
from trio.testing import wait_all_tasks_blocked

from checkgame import protocol
from checkgame.live._fanout import Fanout
from checkgame.live.memory import MemorySubscription
from checkgame.sessions import Entry

PREFIX = "cg:"


class FakePubSub:
    """Acknowledges SUBSCRIBE and UNSUBSCRIBE at once."""

    async def subscribe(self, *channels: str) -> None:
        pass

    async def unsubscribe(self, *channels: str) -> None:
        pass


def _message(version: int, seq: int) -> bytes:
    entry = Entry(seq, protocol.Notice("hi", "admin"), 0.0)
    return msgspec.json.encode({"v": version, "e": [entry.to_dict()]})


def test_a_closed_subscription_is_no_longer_delivered_to() -> None:
    subscription = MemorySubscription(4)
    subscription.close()
    subscription.deliver([Entry(1, protocol.Notice("", "admin"), 0.0)])  # raised trio.ClosedResourceError
    assert not subscription.lagged


async def test_the_reader_delivers_while_a_subscriber_is_leaving() -> None:
    fanout = Fanout(cast("coredis.Redis[bytes]", None), lambda s: f"{PREFIX}{s}:events", False, 8, 1)
    await fanout._attach(cast("Any", FakePubSub()))
    name = fanout.channel_name("s1").encode()
    left = trio.Event()

    async def leave(subscription_cm: Any) -> None:
        await subscription_cm.__aexit__(None, None, None)
        left.set()

    async with trio.open_nursery() as nursery:
        staying_cm = fanout.subscribe("s1")
        staying = await staying_cm.__aenter__()
        leaving_cm = fanout.subscribe("s1")
        await leaving_cm.__aenter__()
        async with fanout._lock:  # the leaver closes its queue, then waits here for the lock
            nursery.start_soon(leave, leaving_cm)
            await wait_all_tasks_blocked()
            assert not left.is_set()
            assert len(fanout.channels["s1"].subs) == 2
            fanout._dispatch(name, _message(2, 1))  # the message arrives in between
        await left.wait()
        assert [entry.seq for entry in await staying.receive()] == [1]
        await staying_cm.__aexit__(None, None, None)
    assert fanout.channels == {}
