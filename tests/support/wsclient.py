"""A raw WebSocket client on any Trio stream, for tests of the lean transport.

wsproto builds the handshake and the frames, so a test can send what a
browser would not (a message in fragments, binary, a ping, a close with any
code); :func:`raw_frame` builds what wsproto refuses to (text that is not UTF-8).
"""

from __future__ import annotations

import struct

import trio
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, CloseConnection, Event, RejectConnection, Request, TextMessage

__all__ = ["RawClient", "raw_frame", "upgrade_request"]


def upgrade_request(target: str = "/api/v1/ws", **headers: str) -> bytes:
    """A well-formed upgrade head; ``headers`` (``Sec_WebSocket_Key="..."``) replace or add fields, ``""`` drops one."""
    fields = {
        "Host": "test",
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version": "13",
    }
    fields.update({name.replace("_", "-"): value for name, value in headers.items()})
    lines = [f"GET {target} HTTP/1.1", *(f"{name}: {value}" for name, value in fields.items() if value)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def raw_frame(opcode: int, payload: bytes, *, fin: bool = True, mask: bytes = b"\0\0\0\0") -> bytes:
    """One client frame (RFC 6455 §5.2), whatever the payload; the default zero mask sends it as is."""
    first = (0x80 if fin else 0) | opcode
    if len(payload) < 126:
        header = struct.pack("!BB", first, 0x80 | len(payload))
    elif len(payload) < 1 << 16:
        header = struct.pack("!BBH", first, 0x80 | 126, len(payload))
    else:
        header = struct.pack("!BBQ", first, 0x80 | 127, len(payload))
    key = (mask * (len(payload) // 4 + 1))[: len(payload)]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(len(payload), "big")
    return header + mask + masked


class RawClient:
    """The client end of a connection: handshake, frames out, events in."""

    def __init__(self, stream: trio.abc.Stream) -> None:
        self.stream = stream
        self.protocol = WSConnection(ConnectionType.CLIENT)
        self.events: list[Event] = []
        self.ended = False
        """The server closed the stream (or it broke)."""

    async def handshake(self, target: str = "/api/v1/ws") -> Event:
        """Send the upgrade and return the answer: AcceptConnection or RejectConnection."""
        await self.stream.send_all(self.protocol.send(Request(host="test", target=target)))
        while True:
            for event in await self.receive_events():
                if isinstance(event, AcceptConnection | RejectConnection):
                    return event
            if self.ended:
                raise AssertionError("the server closed without answering the upgrade")

    async def send(self, event: Event) -> None:
        await self.stream.send_all(self.protocol.send(event))

    async def send_text(self, text: str) -> None:
        await self.send(TextMessage(text))

    async def receive_events(self) -> list[Event]:
        """Read once (b"" at the end) and return the events it produced."""
        try:
            data = await self.stream.receive_some()
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            data = b""
        if not data:
            self.ended = True
        elif self.protocol.connection is None or self.protocol.state.name != "CLOSED":
            self.protocol.receive_data(bytes(data))
        events = list(self.protocol.events())
        self.events.extend(events)
        return events

    async def receive_text(self) -> str:
        """The next text message (assumed unfragmented, as the server sends them)."""
        while True:
            for event in self.events:
                if isinstance(event, TextMessage):
                    self.events.remove(event)
                    return event.data
            if self.ended:
                raise AssertionError(f"the connection ended first; events: {self.events}")
            await self.receive_events()

    async def close_code(self) -> int:
        """Read until the server's close frame (its code) or the end of the stream (1006)."""
        while True:
            for event in self.events:
                if isinstance(event, CloseConnection):
                    return event.code
            if self.ended:
                return 1006
            await self.receive_events()
