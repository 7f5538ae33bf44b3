"""Hypercorn 0.18 with the two WebSocket limits it lacks: whole messages, and writes that never end (issue 1/7).

Messages. Hypercorn's ``WebsocketBuffer`` appends each fragment *before*
comparing the total with ``websocket_max_message_size``, and when the total
is over, ``WSStream`` sends 1009 but keeps the connection open and the
buffer alive: every further continuation frame is appended again, so a
client that ignores the close streams as much memory into the node as it
likes (205 → 354 MB for one 200 MB message). ``_GuardedWSStream`` joins
fragments in a :class:`~checkgame.transport.ws.assembly.MessageBuffer`, which
keeps nothing past the limit, and ends the connection as soon as it closes
with 1009. It also answers a frame wsproto refuses (text that is not UTF-8,
a reserved opcode) with wsproto's close code; Hypercorn drops the socket
without one. And it stops handing messages to an application that has
ended: Hypercorn would wait forever for room in the queue nobody reads any
more (a client that sent a dozen messages the server never read, then got
closed, held its connection and task for good).

Writes. ``TCPServer.protocol_send`` writes under a shield with no deadline,
so a peer that stops reading holds the writing task, and with it the close,
forever (sockets past their heartbeat timeout stayed open at 150 s).
:func:`_bounded_protocol_send` keeps the shield, so a write is never cut by
its caller's cancellation, but gives it a deadline of its own; a write that
misses it aborts the connection (RST: the kernel drops the unsent bytes too).

Neither change knows Quart or the game: a Trio + wsproto transport does the
same with ``MessageBuffer`` and a deadline on ``send_all``.
"""

from __future__ import annotations

import contextlib
import socket
import struct
from collections.abc import Awaitable, Callable
from typing import Any

import trio
from hypercorn.config import Config
from hypercorn.events import Closed, Event, RawData
from hypercorn.protocol import h2 as h2_protocol
from hypercorn.protocol import h11 as h11_protocol
from hypercorn.protocol.events import StreamClosed
from hypercorn.protocol.ws_stream import WSStream
from hypercorn.trio.tcp_server import TCPServer
from wsproto.connection import ConnectionState
from wsproto.events import BytesMessage, CloseConnection, Ping, TextMessage
from wsproto.frame_protocol import CloseReason

from checkgame.transport.ws.assembly import MessageBuffer, MessageTooBigError

__all__ = ["guard_hypercorn"]

_SEND_TIMEOUT = "checkgame_send_timeout_s"
"""The attribute of Hypercorn's ``Config`` that carries the write deadline to every connection of that server."""

_hypercorn_protocol_send = TCPServer.protocol_send


def guard_hypercorn(config: Config, *, max_message_bytes: int, send_timeout_s: float) -> None:
    """Bound messages and writes on the connections Hypercorn serves with ``config``."""
    config.websocket_max_message_size = max_message_bytes
    setattr(config, _SEND_TIMEOUT, send_timeout_s)
    h11_protocol.WSStream = _GuardedWSStream  # type: ignore[attr-defined]
    h2_protocol.WSStream = _GuardedWSStream  # type: ignore[attr-defined]
    TCPServer.protocol_send = _bounded_protocol_send  # type: ignore[method-assign]


class _GuardedWSStream(WSStream):
    """Hypercorn's WebSocket stream, reading messages through a :class:`MessageBuffer`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._app_ended = False
        self._deliveries: set[trio.CancelScope] = set()
        super().__init__(*args, **kwargs)
        self.message = MessageBuffer(self.config.websocket_max_message_size)

    @property
    def app_put(self) -> Callable[[Any], Awaitable[None]] | None:
        """What Hypercorn calls to queue an event for the application: :meth:`_deliver`, once the app runs."""
        return None if self._queue_put is None else self._deliver

    @app_put.setter
    def app_put(self, put: Callable[[Any], Awaitable[None]] | None) -> None:
        self._queue_put = put

    async def _deliver(self, event: Any) -> None:
        """Queue ``event`` for the application, unless it has ended (then nobody reads the queue again)."""
        if self._app_ended or self._queue_put is None:
            return
        with trio.CancelScope() as delivery:
            self._deliveries.add(delivery)
            try:
                await self._queue_put(event)
            finally:
                self._deliveries.discard(delivery)

    async def app_send(self, message: Any) -> None:
        if message is None:  # the application has ended: what waits to reach it never will
            self._app_ended = True
            for delivery in self._deliveries:
                delivery.cancel()
        await super().app_send(message)

    async def _handle_events(self) -> None:
        for event in self.connection.events():
            if isinstance(event, TextMessage | BytesMessage):
                try:
                    whole = self.message.extend(event)
                except MessageTooBigError as refused:
                    await self._fail(CloseReason.MESSAGE_TOO_BIG, str(refused))
                    return
                if whole is not None:
                    text, data = (whole, None) if isinstance(whole, str) else (None, whole)
                    await self._deliver({"type": "websocket.receive", "bytes": data, "text": text})
            elif isinstance(event, Ping):
                await self._send_wsproto_event(event.response())
            elif isinstance(event, CloseConnection):
                if self.connection.state is ConnectionState.OPEN:  # not the client's close: wsproto refused a frame
                    await self._fail(event.code, event.reason)
                    return
                if self.connection.state is ConnectionState.REMOTE_CLOSING:
                    await self._send_wsproto_event(event.response())
                await self.send(StreamClosed(stream_id=self.stream_id))

    async def _fail(self, code: int, reason: str | None) -> None:
        """Close with ``code`` and end the connection now: what the client sends next is not read."""
        await self._send_wsproto_event(CloseConnection(code=code, reason=reason))
        await self.send(StreamClosed(stream_id=self.stream_id))


async def _bounded_protocol_send(self: TCPServer, event: Event) -> None:
    """``TCPServer.protocol_send`` with a deadline on each write; a write that misses it aborts the connection."""
    timeout = getattr(self.config, _SEND_TIMEOUT, None)
    if not isinstance(event, RawData) or timeout is None:
        await _hypercorn_protocol_send(self, event)
        return
    async with self.send_lock:
        with trio.CancelScope(shield=True, deadline=trio.current_time() + timeout) as write:
            try:
                await self.stream.send_all(event.data)
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                await self.protocol.handle(Closed())
                return
        if write.cancelled_caught:
            await _abort(self.stream)
            await self.protocol.handle(Closed())


async def _abort(stream: Any) -> None:
    """Close with a reset, dropping what the peer never read (a plain close would keep trying to send it)."""
    sock = getattr(stream, "socket", None)
    if sock is not None:
        with contextlib.suppress(OSError):  # closed meanwhile
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    await stream.aclose()
