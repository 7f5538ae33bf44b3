"""A bare WebSocket fan-out echo: the transport ceiling the load test compares the game against.

``/bench/echo?room=<name>`` relays every text frame it receives to every
connection in the same room, the sender included, through the same kind of
bounded outbox and writer task as a game connection, but with no decoding,
rules or state. So "latency to every player of a table" measured here is what
Hypercorn, wsproto and Trio alone cost on this machine. Served only when
``CHECKGAME_BENCH_ECHO=true`` (off by default: production does not expose it).
"""

from __future__ import annotations

import trio
from quart import websocket

__all__ = ["ECHO_PATH", "EchoRooms"]

ECHO_PATH = "/bench/echo"
OUTBOX_SIZE = 256
"""Frames queued per connection; a reader that falls this far behind is dropped, as game connections are."""


class EchoRooms:
    """The open echo connections, by room."""

    def __init__(self) -> None:
        self._rooms: dict[str, set[trio.MemorySendChannel[str]]] = {}

    async def serve(self) -> None:
        """The Quart handler body of one echo connection."""
        room = websocket.args.get("room", "")
        await websocket.accept()
        outbox, frames = trio.open_memory_channel[str](OUTBOX_SIZE)
        members = self._rooms.setdefault(room, set()) if room else {outbox}
        members.add(outbox)
        try:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(self._write, frames, nursery.cancel_scope)
                while True:
                    message = await websocket.receive()
                    text = message if isinstance(message, str) else message.decode()
                    for member in list(members):
                        try:
                            member.send_nowait(text)
                        except (trio.WouldBlock, trio.ClosedResourceError):
                            members.discard(member)
                            member.close()
        finally:
            members.discard(outbox)
            if room and not members:
                self._rooms.pop(room, None)

    @staticmethod
    async def _write(frames: trio.MemoryReceiveChannel[str], scope: trio.CancelScope) -> None:
        async for frame in frames:
            await websocket.send(frame)
        scope.cancel()  # dropped from its room for falling behind: end the connection
