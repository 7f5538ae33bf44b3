"""A lean client WebSocket for the load generator: no reader task, no channel, frames written straight to the socket.

Why not trio-websocket: it cost about a third of the generator's CPU (a
reader task per connection, a memory channel hop per message, cancel scopes
per send), and the generator shares the machine's cores with the server it
measures, so its CPU shows up in the latencies it reports.

Here the task that wants a message reads the socket itself
(:meth:`WebSocket.get_message`): it reads what the non-blocking socket holds,
feeds wsproto, answers pings and the server's close, and waits for the socket
only when it has nothing to read. A send (:meth:`WebSocket.send_message`) is
one ``os.write`` when the socket takes the frame whole; a frame the socket
pushes back is finished by its sender while the others wait, so frames never
interleave. One task reads at a time; any number may send.

``ws://`` only (the generator never uses TLS). :func:`connect` opens a
connection for a block and always closes its socket on the way out.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import trio
import trio.lowlevel
from wsproto import ConnectionType, WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import (
    AcceptConnection,
    CloseConnection,
    Ping,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)
from wsproto.utilities import ProtocolError

from checkgame.nonblocking import receive_some

__all__ = [
    "ConnectionClosed",
    "ConnectionRejected",
    "ConnectionTimeout",
    "HandshakeError",
    "WebSocket",
    "connect",
]

CONNECT_TIMEOUT_S = 60.0
"""TCP connect and upgrade together (trio-websocket's default): a loaded server may answer late."""
CLOSE_TIMEOUT_S = 2.0
"""How long a close we start waits for the server's answer."""
MAX_HEAD_BYTES = 16 * 1024
"""The longest answer head (and refusal body kept) accepted."""
RECEIVE_BYTES = 64 * 1024
CLOSE_NORMAL = 1000
CLOSE_LOST = 1006
"""Reported, never sent: the stream ended without a close frame."""


class HandshakeError(Exception):
    """The upgrade did not succeed (no answer, a malformed one, a bad ``Sec-WebSocket-Accept``)."""


class ConnectionRejected(HandshakeError):  # noqa: N818 -- trio-websocket's name, so error keys stay the same
    """The server answered the upgrade with an HTTP status other than 101."""

    def __init__(self, status_code: int, body: bytes) -> None:
        super().__init__(f"upgrade refused with HTTP {status_code}")
        self.status_code = status_code
        self.body = body
        """What the server said (its JSON error), at most :data:`MAX_HEAD_BYTES`."""


class ConnectionTimeout(HandshakeError):  # noqa: N818 -- trio-websocket's name, so error keys stay the same
    """No connection and answer within the timeout."""


class ConnectionClosed(Exception):  # noqa: N818 -- trio-websocket's name, so error keys stay the same
    """The connection has ended: ``code`` is the server's close code, 1006 if the stream just ended."""

    def __init__(self, code: int, reason: str = "") -> None:
        super().__init__(f"WebSocket closed with {code} ({reason or 'no reason'})")
        self.code = code
        self.reason = reason


class WebSocket:
    """The client end of one upgraded connection (see :func:`connect`)."""

    def __init__(self, sock: trio.socket.SocketType, protocol: WSConnection) -> None:
        self._sock = sock
        self._fd = sock.fileno()
        self._protocol = protocol
        self._messages: deque[str] = deque()
        self._parts: list[str] = []
        self._unparsed = True  # frames that came with the 101 wait in wsproto for the first get_message
        self._writing = False  # a sender is finishing a frame the socket pushed back
        self._write_done = trio.lowlevel.ParkingLot()
        self._write_failed = False
        self._lost = False  # the socket is closed: its descriptor may already belong to another connection
        self.closed: ConnectionClosed | None = None
        """How the connection ended; None while it is open."""

    # -- receiving
    async def get_message(self) -> str:
        """The next text message, assembled from its fragments.

        Cancelling it loses nothing already received.

        Raises:
            ConnectionClosed: the server closed (its code) or the stream ended (1006); the socket is then closed.
        """
        while not self._messages:
            if self.closed is not None:
                raise ConnectionClosed(self.closed.code, self.closed.reason)
            if self._unparsed:
                self._unparsed = False
            else:
                self._protocol.receive_data(await self._receive_some() or None)  # None: the end, 1006 to wsproto
            replies, ended = self._handle_events()
            try:
                if replies:
                    await self._write(replies)
            except ConnectionClosed:
                pass  # the next read finds the end
            finally:
                if ended:
                    self._close_socket()
        return self._messages.popleft()

    async def _receive_some(self) -> bytes:
        """What the socket holds, waiting only when it holds nothing; b"" at the end of the stream."""
        if self._lost:  # closed: its descriptor may already belong to another connection
            return b""
        return await receive_some(self._fd, RECEIVE_BYTES)

    def _handle_events(self) -> tuple[bytes, bool]:
        """Take in what wsproto parsed; returns the frames to send back (pongs, the answer to a close) and
        whether the connection has ended."""
        replies = b""
        for event in self._protocol.events():
            if isinstance(event, TextMessage):
                if event.message_finished and not self._parts:
                    self._messages.append(event.data)
                else:
                    self._parts.append(event.data)
                    if event.message_finished:
                        self._messages.append("".join(self._parts))
                        self._parts.clear()
            elif isinstance(event, Ping) and self.closed is None:
                replies += self._protocol.send(event.response())
            elif isinstance(event, CloseConnection) and self.closed is None:
                state = self._protocol.state
                if state is ConnectionState.REMOTE_CLOSING:  # the server's close frame: answer it
                    replies += self._protocol.send(event.response())
                elif state is ConnectionState.OPEN:  # wsproto's verdict on a protocol error (1002, 1007)
                    replies += self._protocol.send(CloseConnection(event.code, event.reason))
                self.closed = ConnectionClosed(event.code, event.reason or "")
            # Pongs and binary messages are not expected from the server, and ignored.
        return replies, self.closed is not None

    # -- sending
    async def send_message(self, text: str) -> None:
        """Send one text message, in one frame.

        Raises:
            ConnectionClosed: the connection is closed or the write failed.
        """
        if self.closed is not None:
            raise ConnectionClosed(self.closed.code, self.closed.reason)
        await self._write(self._protocol.send(TextMessage(text)))

    async def _write(self, data: bytes) -> None:
        """Write whole frames; a frame the socket pushes back is finished before any other sender writes."""
        while self._writing:
            await self._write_done.park()
        sent = self._write_some(data)
        if sent == len(data):
            return
        self._writing = True
        view = memoryview(data)
        try:
            while sent < len(view):
                try:
                    await trio.lowlevel.wait_writable(self._fd)
                except trio.ClosedResourceError:
                    raise ConnectionClosed(CLOSE_LOST, "the socket was closed") from None
                sent += self._write_some(view[sent:])
        except BaseException:
            if sent:  # half a frame is on the wire: nothing more can follow it
                self._write_failed = True
            raise
        finally:
            self._writing = False
            self._write_done.unpark_all()

    def _write_some(self, data: bytes | memoryview) -> int:
        if self._lost or self._write_failed:
            raise ConnectionClosed(CLOSE_LOST, "the connection is lost")
        try:
            return os.write(self._fd, data)
        except BlockingIOError:
            return 0
        except OSError as error:  # EPIPE, ECONNRESET: the reader will find the end (and the close code, if any)
            self._write_failed = True
            raise ConnectionClosed(CLOSE_LOST, str(error)) from None

    # -- closing
    async def aclose(self) -> None:
        """Close with 1000 and wait (within :data:`CLOSE_TIMEOUT_S`) for the server's answer; the socket is closed."""
        try:
            with trio.move_on_after(CLOSE_TIMEOUT_S):
                if self._protocol.state is ConnectionState.OPEN:
                    self.closed = ConnectionClosed(CLOSE_NORMAL, "closed by the client")
                    await self._write(self._protocol.send(CloseConnection(CLOSE_NORMAL)))
                while self._protocol.state is ConnectionState.LOCAL_CLOSING:
                    self._protocol.receive_data(await self._receive_some() or None)
                    for _ in self._protocol.events():  # what the server still sends is dropped
                        pass
        except ConnectionClosed:
            pass
        finally:
            self._close_socket()

    def abort(self) -> None:
        """Close the socket now, without a close handshake."""
        self.closed = self.closed or ConnectionClosed(CLOSE_LOST, "aborted by the client")
        self._close_socket()

    def _close_socket(self) -> None:
        self._lost = True
        self._sock.close()  # wakes a task waiting on it (trio.ClosedResourceError)


@asynccontextmanager
async def connect(url: str, *, timeout_s: float = CONNECT_TIMEOUT_S) -> AsyncIterator[WebSocket]:
    """Open a WebSocket to ``url`` (``ws://``) for the block: it closes with 1000 when the block returns, at once
    when it raises, and its socket is closed either way.

    Raises:
        ConnectionRejected: the server refused the upgrade (``status_code``, ``body``).
        ConnectionTimeout: no connection and answer within ``timeout_s``.
        HandshakeError: the server's answer is not a valid upgrade, or it closed before answering.
        OSError: the TCP connection failed.
    """
    websocket = await _open(url, timeout_s)
    try:
        yield websocket
    except BaseException:
        websocket.abort()
        raise
    await websocket.aclose()


async def _open(url: str, timeout_s: float) -> WebSocket:
    parts = urlsplit(url)
    if parts.scheme != "ws" or not parts.hostname:
        raise ValueError(f"a ws:// URL is expected, not {url!r}")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    with trio.move_on_after(timeout_s):
        stream = await trio.open_tcp_stream(parts.hostname, parts.port or 80)
        sock = stream.socket  # the stream set it non-blocking, with TCP_NODELAY; it is used directly from here
        try:
            return await _handshake(sock, parts.netloc, target)
        except BaseException:
            sock.close()
            raise
    raise ConnectionTimeout(f"no connection and upgrade within {timeout_s:g} s")


async def _handshake(sock: trio.socket.SocketType, host: str, target: str) -> WebSocket:
    """Send the upgrade request and read the answer; the same wsproto object then carries the frames."""
    protocol = WSConnection(ConnectionType.CLIENT)
    websocket = WebSocket(sock, protocol)
    await websocket._write(protocol.send(Request(host=host, target=target)))
    received = 0
    rejected: RejectConnection | None = None
    body = bytearray()
    while True:
        data = await websocket._receive_some()
        received += len(data)
        try:
            protocol.receive_data(data or None)
            for event in protocol.events():
                if isinstance(event, AcceptConnection):
                    return websocket  # what followed the 101 stays in wsproto for the first get_message
                if isinstance(event, RejectConnection):
                    rejected = event
                    if not event.has_body:
                        raise ConnectionRejected(event.status_code, b"")
                elif isinstance(event, RejectData) and rejected is not None:
                    body += event.data[: MAX_HEAD_BYTES - len(body)]
                    if event.body_finished:
                        raise ConnectionRejected(rejected.status_code, bytes(body))
        except ProtocolError as error:
            if rejected is not None:  # a refusal cut short (the server closed right after its head)
                raise ConnectionRejected(rejected.status_code, bytes(body)) from None
            raise HandshakeError(f"bad upgrade answer: {error}") from None
        if rejected is not None and (not data or received > 2 * MAX_HEAD_BYTES):
            raise ConnectionRejected(rejected.status_code, bytes(body))
        if not data:
            raise HandshakeError("the server closed the connection before answering the upgrade")
        if received > MAX_HEAD_BYTES and rejected is None:
            raise HandshakeError(f"the upgrade answer is longer than {MAX_HEAD_BYTES} bytes")
