"""A bare WebSocket fan-out echo: the transport ceiling the load test compares the game against.

``/bench/echo?room=<name>`` relays every text message it receives to every
connection in the same room, the sender included, on the same lean path as a
game connection (:mod:`wire`): each message is framed once and written straight
to each socket, at most :data:`OUTBOX_SIZE` frames wait for a socket that
pushes back, and a reader that falls further behind is dropped (1013). No
decoding, rules or state: "latency to every player of a table" measured here is
what Trio, wsproto and the kernel alone cost on this machine. Served only when
``CHECKGAME_BENCH_ECHO=true`` (off by default: production does not expose it).
"""

from __future__ import annotations

import trio

from checkgame.transport.ws.upgrade import Upgrade, open_websocket
from checkgame.transport.ws.wire import Limits, WebSocket, encode_text_frame

__all__ = ["ECHO_PATH", "EchoRooms"]

ECHO_PATH = "/bench/echo"
OUTBOX_SIZE = 256
"""Frames queued per connection; a reader that falls this far behind is dropped, as game connections are."""


class EchoRooms:
    """The open echo connections, by room."""

    def __init__(self) -> None:
        self._rooms: dict[str, set[WebSocket]] = {}

    async def serve(self, stream: trio.SocketStream, upgrade: Upgrade) -> None:
        """One echo connection, from its 101 to its close."""
        room = upgrade.query.get("room", "")
        limits = Limits(max_queued_frames=OUTBOX_SIZE)
        async with trio.open_nursery() as nursery, open_websocket(stream, upgrade, nursery, limits) as websocket:
            members = self._rooms.setdefault(room, set()) if room else set()
            members.add(websocket)
            try:
                async for message in websocket:
                    frame = encode_text_frame(message)
                    for member in list(members):
                        if not member.send_nowait(frame):  # closed, or just dropped for falling behind
                            members.discard(member)
            finally:
                members.discard(websocket)
                if room and not members:
                    self._rooms.pop(room, None)
