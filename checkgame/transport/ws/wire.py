"""A lean server-side WebSocket over a Trio stream: wsproto frames, direct writes, bounded everything.

Theory of operation
-------------------
One task per connection reads: :meth:`WebSocket.receive` feeds what the socket
gives (at most :attr:`Limits.receive_bytes` at a time) to wsproto's frame
protocol and assembles text messages from fragments as they arrive, counting
their size on the way, so an oversized message is refused (1009) as soon as
the limit is crossed, whatever its frames announce. Binary frames (1003),
invalid UTF-8 (1007) and protocol errors (1002) fail the connection; pings are
answered by pongs.

Writing needs no task: :meth:`WebSocket.send_nowait` takes an encoded frame
(:func:`encode_text_frame`, computed once for every viewer of the same view:
server frames are not masked, so the same bytes suit every socket) and writes
it straight to the non-blocking socket. Only when the socket pushes back (a
short write or EAGAIN) does the rest go to a queue, drained by one writer task
started for that episode in the connection's nursery; frames sent meanwhile
queue behind it, so order holds. The queue is bounded in bytes and frames: a
reader that lets it fill is dropped with 1013 (the project's outbox rule), and
a send blocked longer than :attr:`Limits.send_timeout_s` aborts the
connection. Direct writes use ``os.write`` on the descriptor of a
``trio.SocketStream`` only while no writer task owns the stream, so Trio never
sees two writers; on other streams (memory streams in tests) every frame goes
through the writer.

Accepting an upgrade and serving the connection in a block is
:func:`checkgame.transport.ws.upgrade.open_websocket`.

Closing: :meth:`WebSocket.close_nowait` (from any task, or synchronously from a
hub) sends the close frame after what is queued and ends a pending
:meth:`receive`; :meth:`WebSocket.aclose` then waits, within
:attr:`Limits.close_timeout_s`, for the queue to drain and the peer's close
frame, and closes the stream. A peer that vanishes is an ordinary end (code
1006). The only exception a caller sees is :class:`WebSocketClosedError`, from
``receive`` after the end; ``async for`` over the connection ends quietly
instead. How it ended is :attr:`WebSocket.closed`.
"""

from __future__ import annotations

import math
import os
import struct
from collections import deque
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass

import trio
from wsproto.connection import Connection, ConnectionState, ConnectionType
from wsproto.events import BytesMessage, CloseConnection, Ping, TextMessage

from checkgame.nonblocking import receive_some

__all__ = [
    "CloseInfo",
    "Limits",
    "WebSocket",
    "WebSocketClosedError",
    "WebSocketStatistics",
    "encode_text_frame",
]

CLOSE_NORMAL = 1000
CLOSE_GOING_AWAY = 1001
CLOSE_UNSUPPORTED = 1003
CLOSE_LOST = 1006
"""Reported, never sent: the connection ended without a close frame."""
CLOSE_TOO_BIG = 1009
CLOSE_INTERNAL_ERROR = 1011
CLOSE_TRY_AGAIN = 1013

_CLOSE_DRAIN_BYTES = 64 * 1024
"""What is read (and dropped) while waiting for the peer's close frame, at most."""


@dataclass(frozen=True, slots=True)
class Limits:
    """The bounds of one connection; the caller picks them (Hypercorn's do not apply here)."""

    max_message_bytes: int = 64 * 1024
    """The longest text message, in UTF-8 bytes, counted as fragments arrive; beyond it the close is 1009."""
    receive_bytes: int = 16 * 1024
    """What one read of the socket takes at most."""
    idle_timeout_s: float = math.inf
    """How long one :meth:`WebSocket.receive` waits for a message before closing with :attr:`idle_close_code`."""
    idle_close_code: int = CLOSE_NORMAL
    max_queued_bytes: int = 1024 * 1024
    """Bytes waiting for a socket that pushes back (the frame being written included); beyond it: 1013."""
    max_queued_frames: int = 256
    """Frames waiting for a socket that pushes back; beyond it: 1013."""
    send_timeout_s: float = 10.0
    """How long a write may stay blocked before the connection is aborted."""
    close_timeout_s: float = 2.0
    """How long closing waits for the queue to drain and the peer's close frame."""


@dataclass(frozen=True, slots=True)
class CloseInfo:
    """How a connection ended."""

    code: int
    reason: str
    by_peer: bool
    """The client closed (or vanished: code 1006); otherwise this server decided."""


@dataclass(frozen=True, slots=True)
class WebSocketStatistics:
    """A snapshot of one connection (trio's ``statistics()`` convention)."""

    queued_bytes: int
    """Bytes waiting for the socket, the batch being written included."""
    queued_frames: int
    """Frames waiting for the socket, not counting the batch being written."""
    writer_running: bool
    """The socket is pushing back and a writer task drains the queue."""
    messages_received: int
    frames_sent: int
    """Data frames accepted by :meth:`WebSocket.send_nowait`."""
    direct_writes: int
    """Frames written whole straight to the socket, without the writer."""
    backpressure_episodes: int
    """How many times a writer task had to be started."""
    closed: CloseInfo | None


class WebSocketClosedError(Exception):
    """Raised by :meth:`WebSocket.receive` once the connection has ended, however it ended."""

    def __init__(self, close: CloseInfo) -> None:
        super().__init__(f"WebSocket closed with {close.code} ({close.reason or 'no reason'})")
        self.close = close


_TEXT_FIN = 0x81
"""FIN set, opcode 1 (text): RFC 6455 §5.2."""


def encode_text_frame(text: str) -> bytes:
    """One unfragmented, unmasked text frame: encode once, send the same bytes to every viewer.

    Built here rather than by wsproto's ``FrameProtocol.send_data`` (6.3 µs against 1.1 µs for a move's
    frame, and a node encodes several per move): a server's text frame is the FIN/opcode byte, the payload
    length in 7 bits, or 126 and 16 bits, or 127 and 64 bits (RFC 6455 §5.2), and the UTF-8 payload.
    ``tests/unit/transport/test_wire.py`` checks it against wsproto byte for byte.
    """
    payload = text.encode()
    size = len(payload)
    if size < 126:
        return bytes((_TEXT_FIN, size)) + payload
    if size < 1 << 16:
        return struct.pack("!BBH", _TEXT_FIN, 126, size) + payload
    return struct.pack("!BBQ", _TEXT_FIN, 127, size) + payload


class WebSocket:
    """The server end of one upgraded connection (see :func:`~checkgame.transport.ws.upgrade.open_websocket`).

    Args:
        stream: the connection, after the 101.
        nursery: where a writer task runs while the socket pushes back.
        limits: the connection's bounds.
        received: what the client sent after its request head (its first frames).
    """

    def __init__(self, stream: trio.abc.Stream, nursery: trio.Nursery, limits: Limits, received: bytes) -> None:
        self._stream = stream
        self._socket = stream.socket if isinstance(stream, trio.SocketStream) else None
        self._nursery = nursery
        self._limits = limits
        self._protocol = Connection(ConnectionType.SERVER, None, received)
        self._unparsed = bool(received)  # frames that came with the head: handled by the first receive
        self._messages: deque[str] = deque()
        self._parts: list[str] = []
        self._part_bytes = 0
        self._queue: list[bytes | memoryview] = []  # a list: a deque's first block (~600 B) in every idle connection
        self._queued_bytes = 0
        self._head_started = False  # the first queued item is the rest of a frame partly written
        self._writer_running = False
        self._drained: trio.Event | None = None
        self._reading: trio.CancelScope | None = None
        self._lost = False  # the stream failed or was closed: nothing more is read or written
        self._await_reply = True  # after our close frame, wait for the peer's (not when failing the connection)
        self._finished = False
        self.closed: CloseInfo | None = None
        """How the connection ended; None while it is open."""
        self._received = self._sent = self._direct = self._episodes = 0

    # -- receiving
    async def receive(self) -> str:
        """The next text message, assembled from its fragments; none within the idle timeout closes the connection.

        Cancelling it loses nothing (a partly received message is kept for the next call).

        Raises:
            WebSocketClosedError: the connection has ended (see :attr:`closed`).
        """
        message = await self.receive_until(trio.current_time() + self._limits.idle_timeout_s)
        if message is None:
            limit = self._limits.idle_timeout_s
            self.close_nowait(self._limits.idle_close_code, f"no message within {limit:g} s")
            raise WebSocketClosedError(self.closed or CloseInfo(self._limits.idle_close_code, "idle", by_peer=False))
        return message

    async def receive_until(self, deadline: float) -> str | None:
        """The next text message, or None if ``deadline`` comes first (the connection stays open).

        A caller with timers of its own (a heartbeat, a ping) passes the nearest one here instead of wrapping
        the call in a cancel scope: a connection waits for its next message most of its life, and every
        object that wait holds is one more for the garbage collector to walk (``bench/wait_objects.py``).

        Raises:
            WebSocketClosedError: the connection has ended (see :attr:`closed`).
        """
        while not self._messages:
            if self.closed is not None:
                raise WebSocketClosedError(self.closed)
            if self._unparsed:
                self._unparsed = False
                self._handle_events()
                continue
            # :meth:`_read`, inlined: its coroutine would be one more object in every connection's wait.
            scope = self._reading = trio.CancelScope(deadline=deadline)
            with scope:
                try:
                    data = await self._receive_some()
                except (trio.BrokenResourceError, trio.ClosedResourceError):
                    data = b""
                finally:
                    self._reading = None
            if scope.cancelled_caught:
                if trio.current_time() >= deadline:
                    return None
                continue  # a close ended the wait: the loop's top reports it
            self._protocol.receive_data(bytes(data) or None)  # b"": the end, which wsproto reports as 1006
            self._handle_events()
        self._received += 1
        return self._messages.popleft()

    def __aiter__(self) -> AsyncIterator[str]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[str]:
        while True:
            try:
                yield await self.receive()
            except WebSocketClosedError:
                return

    async def _read(self, deadline: float) -> bytes | bytearray | None:
        """Some bytes (b"" at the end of the stream); None if the wait ended early (deadline or close).

        :meth:`receive_until` holds the same lines inline.
        """
        with trio.CancelScope(deadline=deadline) as self._reading:
            try:
                return await self._receive_some()
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                return b""
            finally:
                self._reading = None
        return None

    def _receive_some(self) -> Awaitable[bytes | bytearray]:
        """The stream's next bytes; a socket's read from its descriptor (:mod:`checkgame.nonblocking`)."""
        if self._socket is None:
            return self._stream.receive_some(self._limits.receive_bytes)
        return receive_some(self._socket.fileno(), self._limits.receive_bytes)

    def _handle_events(self) -> None:
        for event in self._protocol.events():
            if self.closed is not None and not isinstance(event, CloseConnection):
                continue  # closing: what the peer still sends is dropped
            if isinstance(event, TextMessage):
                self._assemble(event)
            elif isinstance(event, BytesMessage):
                self._refuse_binary(event)
            elif isinstance(event, Ping):
                self._write(self._protocol.send(event.response()), bounded=True)
            elif isinstance(event, CloseConnection):
                self._handle_close(event)

    def _assemble(self, event: TextMessage) -> None:
        data = event.data
        self._part_bytes += len(data) if data.isascii() else len(data.encode())
        if self._part_bytes > self._limits.max_message_bytes:
            self._parts.clear()
            self._fail(CLOSE_TOO_BIG, f"messages are limited to {self._limits.max_message_bytes} bytes")
            return
        self._parts.append(data)
        if event.message_finished:
            self._messages.append(self._parts[0] if len(self._parts) == 1 else "".join(self._parts))
            self._parts.clear()
            self._part_bytes = 0

    def _refuse_binary(self, event: BytesMessage) -> None:
        """Binary messages are refused (1003) once whole, or as too big (1009) as soon as they pass the limit;
        nothing of them is kept either way."""
        self._part_bytes += len(event.data)
        if self._part_bytes > self._limits.max_message_bytes:
            self._fail(CLOSE_TOO_BIG, f"messages are limited to {self._limits.max_message_bytes} bytes")
        elif event.message_finished:
            self._fail(CLOSE_UNSUPPORTED, "binary frames are not accepted: messages are JSON text")

    def _handle_close(self, event: CloseConnection) -> None:
        state = self._protocol.state
        if state is ConnectionState.REMOTE_CLOSING:  # the peer closes first: answer with the same code
            self.closed = self.closed or CloseInfo(event.code, event.reason or "", by_peer=True)
            self._write(self._protocol.send(event.response()), bounded=False)
        elif state is ConnectionState.OPEN:  # wsproto turns a protocol error (1002, 1007) into a close event
            self._fail(event.code, event.reason or "protocol error")
        else:  # the answer to our close, the end of the stream, or a protocol error while closing
            self._await_reply = False
            self.closed = self.closed or CloseInfo(event.code, event.reason or "connection lost", by_peer=True)
        self._end_read()

    # -- sending
    def send_nowait(self, frame: bytes) -> bool:
        """Send an encoded frame (:func:`encode_text_frame`) without waiting.

        Returns:
            False when the connection is closing or closed, or this frame overflowed the queue (which closes
            it with 1013); then the frame is dropped. Never raises for a peer that went away.
        """
        if self.closed is not None:
            return False
        if not self._write(frame, bounded=True):
            return False
        self._sent += 1
        return True

    def _write(self, frame: bytes, *, bounded: bool) -> bool:
        """Write now if the socket takes it, else queue it for the writer; False if it was dropped."""
        if self._lost:
            return False
        if self._socket is not None and not self._writer_running:
            try:
                written = os.write(self._socket.fileno(), frame)
            except BlockingIOError:
                written = 0
            except OSError:  # EPIPE, ECONNRESET: the peer is gone
                self._stream_failed()
                return False
            if written == len(frame):
                self._direct += 1
                return True
            self._queue.append(memoryview(frame)[written:])
            self._queued_bytes += len(frame) - written
            self._head_started = written > 0
        else:
            limits = self._limits
            if bounded and (
                self._queued_bytes + len(frame) > limits.max_queued_bytes
                or len(self._queue) >= limits.max_queued_frames
            ):
                self._overflow()
                return False
            self._queue.append(frame)
            self._queued_bytes += len(frame)
        if not self._writer_running:
            self._writer_running = True
            self._episodes += 1
            self._nursery.start_soon(self._drain_queue)
        return True

    def _overflow(self) -> None:
        """A slow reader: drop what it has not started to receive, and tell it to come back (1013)."""
        first_dropped = 1 if self._head_started else 0  # the rest of a frame partly written stays, to keep framing
        self._queued_bytes -= sum(len(item) for item in self._queue[first_dropped:])
        del self._queue[first_dropped:]
        self.close_nowait(CLOSE_TRY_AGAIN, "too slow a reader: reconnect and resume")

    async def _drain_queue(self) -> None:
        """The writer: one batch at a time, until the queue is empty (the next back-pressure starts another)."""
        try:
            while self._queue and not self._lost:
                batch = b"".join(self._queue)
                self._queue.clear()
                self._head_started = False
                with trio.move_on_after(self._limits.send_timeout_s) as blocked:
                    await self._stream.send_all(batch)
                self._queued_bytes -= len(batch)
                if blocked.cancelled_caught:
                    self.abort(f"a send was blocked for {self._limits.send_timeout_s:g} s")
                    await trio.aclose_forcefully(self._stream)
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            self._stream_failed()
        finally:
            self._writer_running = False
            if self._drained is not None:
                self._drained.set()

    # -- closing
    def close_nowait(self, code: int = CLOSE_NORMAL, reason: str = "") -> None:
        """Start closing: the close frame follows what is queued and a pending :meth:`receive` ends.

        Only the first call decides the code; :meth:`aclose` finishes the job.
        """
        if self.closed is not None:
            return
        self.closed = CloseInfo(code, reason, by_peer=False)
        if self._protocol.state is ConnectionState.OPEN:
            self._write(self._protocol.send(CloseConnection(code, reason)), bounded=False)
        self._end_read()

    def _fail(self, code: int, reason: str) -> None:
        """Close without waiting for the peer's answer: it broke the protocol or a limit."""
        self._await_reply = False
        self.close_nowait(code, reason)

    def abort(self, reason: str) -> None:
        """End at once, without a close handshake (the stream is hopeless); :meth:`aclose` still releases it."""
        self.closed = self.closed or CloseInfo(CLOSE_LOST, reason, by_peer=False)
        self._stream_failed()

    def _stream_failed(self) -> None:
        self._lost = True
        self._queued_bytes -= sum(len(item) for item in self._queue)  # a batch being written counts until it ends
        self._queue.clear()
        self.closed = self.closed or CloseInfo(CLOSE_LOST, "connection lost", by_peer=True)
        self._end_read()

    def _end_read(self) -> None:
        if self._reading is not None:
            self._reading.cancel()

    async def aclose(self, code: int = CLOSE_NORMAL, reason: str = "") -> None:
        """Close (with ``code`` unless the connection is already closing), within the close timeout; idempotent."""
        if self._finished:
            return
        self._finished = True
        self.close_nowait(code, reason)
        try:
            with trio.move_on_after(self._limits.close_timeout_s):
                if self._writer_running:
                    self._drained = trio.Event()
                    await self._drained.wait()
                if isinstance(self._stream, trio.abc.HalfCloseableStream) and not self._lost:
                    await self._stream.send_eof()  # the server ends the TCP connection first (RFC 6455 §7.1.1)
                await self._wait_for_reply()
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            pass
        finally:
            self._lost = True
            await trio.aclose_forcefully(self._stream)

    async def _wait_for_reply(self) -> None:
        """Read (and drop) what comes until the peer's close frame or the end of the stream, within bounds."""
        dropped = 0
        while (
            self._await_reply
            and self._protocol.state is ConnectionState.LOCAL_CLOSING
            and self._reading is None  # another task is reading: it will see the end itself
            and dropped < _CLOSE_DRAIN_BYTES
        ):
            data = await self._read(math.inf)
            if not data:
                return
            dropped += len(data)
            self._protocol.receive_data(bytes(data))
            self._handle_events()

    @property
    def queued_frames(self) -> int:
        """Frames waiting for a socket that pushes back (what :meth:`statistics` reports, without the snapshot)."""
        return len(self._queue)

    def statistics(self) -> WebSocketStatistics:
        """What is queued, sent and received so far."""
        return WebSocketStatistics(
            queued_bytes=self._queued_bytes,
            queued_frames=self.queued_frames,
            writer_running=self._writer_running,
            messages_received=self._received,
            frames_sent=self._sent,
            direct_writes=self._direct,
            backpressure_episodes=self._episodes,
            closed=self.closed,
        )
