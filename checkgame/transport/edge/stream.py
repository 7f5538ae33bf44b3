"""The stream a server behind the front door reads: the bytes already read first, then the socket, on a clock.

Hypercorn's ``TCPServer`` takes it for a plain TCP stream: it uses
``socket``, ``receive_some``, ``send_all``, ``send_eof`` and ``aclose``, and
tries ``do_handshake``, which must not exist (that is how it tells TCP from TLS).
"""

from __future__ import annotations

import contextlib
import math
from typing import Protocol

import trio

from checkgame.transport.edge.head import RequestHead
from checkgame.transport.edge.responses import refusal
from checkgame.transport.edge.tracker import Phase, RequestTracker

__all__ = ["EdgeStream", "Guard"]

MAX_RECEIVE = 2**16
"""Bytes read from the socket at once (Hypercorn's own figure)."""


class Guard(Protocol):
    """What the front door decides for the requests that follow the first on a connection."""

    def refusal(self, heads: list[RequestHead], tracker: RequestTracker) -> str | None:
        """Why these requests (just parsed) must not reach the server, or None."""

    def refused(self, reason: str) -> None:
        """Count a connection cut for ``reason`` (a metric label)."""


class EdgeStream(trio.abc.HalfCloseableStream):
    """A socket stream that replays ``replay`` first, answers 408 when a request is too slow to arrive, and
    ends the connection (the server reads its end) before a request the front door refuses reaches the server.

    Args:
        transport: the accepted connection.
        replay: bytes read from it before this stream existed (the first head, perhaps more).
        tracker: follows the requests on the connection; it has already seen ``replay``.
        guard: checks the later requests and counts what is cut.
    """

    def __init__(self, transport: trio.SocketStream, replay: bytes, tracker: RequestTracker, guard: Guard) -> None:
        self.transport = transport
        self._replay = replay
        self._tracker = tracker
        self._guard = guard
        self._send_lock = trio.Lock()  # our 408 and the server's own writes never interleave

    @property
    def socket(self) -> trio.socket.SocketType:
        """The connection's socket (Hypercorn reads the addresses from it)."""
        return self.transport.socket

    async def receive_some(self, max_bytes: int | None = None) -> bytes:
        """The next bytes from the client, replayed ones first.

        Raises:
            trio.TooSlowError: the request in progress missed its deadline; it was answered 408.
        """
        if self._replay:
            size = max_bytes or MAX_RECEIVE
            data, self._replay = self._replay[:size], self._replay[size:]
            return data
        if self._tracker.phase is Phase.DONE:  # a WebSocket by now: nothing to follow
            return await self.transport.receive_some(max_bytes)
        with trio.move_on_at(self._tracker.deadline or math.inf):
            data = await self.transport.receive_some(max_bytes)
            reason = self._guard.refusal(self._tracker.received(data, trio.current_time()), self._tracker)
            if reason is None:
                return data
            self._guard.refused("bad_upgrade")
            return b""  # what the server takes for the client's end: it closes
        await self._answer_timeout()
        raise trio.TooSlowError

    async def send_all(self, data: bytes | bytearray | memoryview) -> None:
        """Send what the server answers (an answer to an upgrade tells the tracker whether it switched)."""
        self._tracker.sent(data)
        async with self._send_lock:
            await self.transport.send_all(data)

    async def wait_send_all_might_not_block(self) -> None:
        """As the socket's."""
        await self.transport.wait_send_all_might_not_block()

    async def send_eof(self) -> None:
        """Close our sending side."""
        async with self._send_lock:
            await self.transport.send_eof()

    async def aclose(self) -> None:
        """Close the connection."""
        await self.transport.aclose()

    async def _answer_timeout(self) -> None:
        phase = self._tracker.phase
        self._guard.refused(f"{phase.value}_timeout")
        seconds = self._tracker.head_timeout_s if phase is Phase.HEAD else self._tracker.body_timeout_s
        answer = refusal(408, "REQUEST_TIMEOUT", f"the request {phase.value} did not arrive within {seconds:g} s")
        with trio.move_on_after(1):  # a peer that does not read is not waited for
            async with self._send_lock:
                with contextlib.suppress(trio.BrokenResourceError, trio.ClosedResourceError):
                    await self.transport.send_all(answer)
        await self.transport.aclose()
