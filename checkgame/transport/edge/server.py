"""The front door: every TCP connection comes in here, is counted, has its first head read, and is handed on.

One task per connection (``trio.serve_listeners``). It contains every
failure of its connection (only cancellation goes on up), so that no request
can end the process: in Hypercorn 0.18 an exception from h11 escapes the
connection's task and, with ``hypercorn.trio.serve``, ends the whole node.
Between accept and the hand-over it enforces what no server behind it does:
the caps on connections, the time to receive the first head, and the sanity
of a WebSocket upgrade. The server taking a connection is chosen by
:meth:`FrontDoor.route` from its first head: Hypercorn for everything today.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from functools import partial

import h11
import trio
import wsproto.utilities
from hypercorn.config import Config
from hypercorn.utils import repr_socket_addr
from quart import Quart

from checkgame.config import Settings
from checkgame.observability.metrics import Metrics
from checkgame.transport.edge.head import WEBSOCKET_VERSION, RequestHead, upgrade_refusal
from checkgame.transport.edge.hypercorn_server import open_hypercorn
from checkgame.transport.edge.limits import Admission, ConnectionCounts, LimitReachedError
from checkgame.transport.edge.responses import refusal
from checkgame.transport.edge.stream import MAX_RECEIVE, EdgeStream
from checkgame.transport.edge.tracker import Phase, RequestTracker

__all__ = ["ConnectionHandler", "FrontDoor", "serve_edge"]

log = logging.getLogger(__name__)

ConnectionHandler = Callable[[EdgeStream], Awaitable[None]]
"""A server for a whole connection, given the stream (which replays the first head)."""

RETRY_AFTER_S = 5
"""What a refused client is told to wait (Retry-After) when the node is full."""
LINGER_S = 1.0
"""After a refusal, how long the rest of the request is read and dropped, so that the answer is not lost to a reset."""
LINGER_BYTES = 64 * 1024


class FrontDoor:
    """Admits, checks and routes each connection; see the module docstring.

    Args:
        settings: the timeouts, caps and whether X-Forwarded-For names the client.
        metrics: where refusals and contained failures are counted.
        websocket_paths: every path a server accepts a WebSocket at (an upgrade elsewhere is refused).
        hypercorn: the server for everything no other handler takes.
        upgrades: WebSocket paths served by a handler of their own instead of Hypercorn.
        max_head_bytes: the largest request head accepted (431 beyond).
    """

    def __init__(
        self,
        settings: Settings,
        metrics: Metrics,
        websocket_paths: frozenset[str],
        hypercorn: ConnectionHandler,
        upgrades: Mapping[str, ConnectionHandler] | None = None,
        max_head_bytes: int = 16 * 1024,
    ) -> None:
        self.settings = settings
        self.metrics = metrics
        self.websocket_paths = websocket_paths | frozenset(upgrades or ())
        self.hypercorn = hypercorn
        self.upgrades = dict(upgrades or {})
        self.max_head_bytes = max_head_bytes
        self.counts = ConnectionCounts(settings.max_connections, settings.max_connections_per_ip)
        metrics.connections_open.set_function(lambda: self.counts.total)

    def route(self, head: RequestHead) -> ConnectionHandler:
        """The server for a connection, from the head of its first request."""
        if head.wants_websocket:
            return self.upgrades.get(head.path, self.hypercorn)
        return self.hypercorn

    async def serve_connection(self, transport: trio.SocketStream) -> None:
        """One connection from accept to close. Nothing that happens on it propagates but cancellation."""
        peer = "unknown"
        try:
            async with transport:
                peer = _peer_address(transport)
                await self._admit(transport, peer)
        except BaseException as error:
            failure, rest = error.split(Exception) if isinstance(error, BaseExceptionGroup) else (error, None)
            if not isinstance(failure, Exception):
                raise  # trio.Cancelled, KeyboardInterrupt: not ours to stop
            self._contain(failure, peer)
            if rest is not None:
                raise rest from None

    async def _admit(self, transport: trio.SocketStream, peer: str) -> None:
        try:  # behind our proxy the client's address is known from the first head only
            admission = self.counts.admit(None if self.settings.trust_forwarded_for else peer)
        except LimitReachedError as limit:
            await self._refuse_full(transport, limit)
            return
        with admission:
            admitted = await self._check(transport, peer, admission)
            if admitted is not None:
                serve, stream = admitted
                await serve(stream)

    async def _check(
        self, transport: trio.SocketStream, peer: str, admission: Admission
    ) -> tuple[ConnectionHandler, EdgeStream] | None:
        """The server for the connection and its stream, once its first head passed; None when it was refused.

        Its own frame: what the checks read (the head, the bytes to replay, the parsed request) is freed when it
        returns, not held for the hours a connection may last (docs/performance.md, "Idle memory").
        """
        tracker = RequestTracker(self.settings.head_timeout_s, self.settings.body_timeout_s, self.max_head_bytes)
        first = await self._read_head(transport, tracker)
        if first is None:
            return None
        heads, replay = first
        head = heads[0]
        reason = self.refusal(heads, tracker)
        if reason is not None:
            headers = {"sec-websocket-version": WEBSOCKET_VERSION}
            await self._refuse(transport, "bad_upgrade", refusal(400, "BAD_REQUEST", reason, headers))
            return None
        if self.settings.trust_forwarded_for:
            try:
                admission.count_address(_forwarded_for(head) or peer)
            except LimitReachedError as limit:
                await self._refuse_full(transport, limit)
                return None
        return self.route(head), EdgeStream(transport, replay, tracker, self)

    async def _read_head(
        self, transport: trio.SocketStream, tracker: RequestTracker
    ) -> tuple[list[RequestHead], bytes] | None:
        """The heads of the first request(s) and every byte read; None when the connection was answered or ended."""
        received = bytearray()
        with trio.move_on_after(self.settings.head_timeout_s):
            while True:
                data = await transport.receive_some(MAX_RECEIVE)
                if not data:
                    return None  # gone before a whole head: nothing to answer
                received += data
                heads = tracker.received(data, trio.current_time())
                if heads:
                    return heads, bytes(received)
                if tracker.phase is Phase.DONE:
                    status = 431 if tracker.error is not None and tracker.error.error_status_hint == 431 else 400
                    message = "the request head is too large" if status == 431 else "the request head is malformed"
                    await self._refuse(transport, "bad_request", refusal(status, "BAD_REQUEST", message))
                    return None
        self.refused("head_timeout")
        message = f"the request head did not arrive within {self.settings.head_timeout_s:g} s"
        await self._answer(transport, refusal(408, "REQUEST_TIMEOUT", message))
        return None

    async def _refuse_full(self, transport: trio.SocketStream, limit: LimitReachedError) -> None:
        answer = refusal(503, "SERVICE_UNAVAILABLE", limit.message, {"retry-after": str(RETRY_AFTER_S)})
        await self._refuse(transport, limit.reason, answer)

    async def _refuse(self, transport: trio.SocketStream, reason: str, answer: bytes) -> None:
        self.refused(reason)
        await self._answer(transport, answer)

    async def _answer(self, transport: trio.SocketStream, answer: bytes) -> None:
        """Send ``answer``, then read and drop what the client still sends for a moment before closing."""
        with trio.move_on_after(LINGER_S):
            try:
                await transport.send_all(answer)
                await transport.send_eof()
                dropped = 0
                while dropped < LINGER_BYTES and (data := await transport.receive_some(MAX_RECEIVE)):
                    dropped += len(data)
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                pass

    def refusal(self, heads: list[RequestHead], tracker: RequestTracker) -> str | None:
        """Why these requests must be refused (a malformed upgrade, data before an upgrade's answer), or None."""
        for head in heads:
            reason = upgrade_refusal(head, self.websocket_paths)
            if reason is not None:
                return reason
        if tracker.early_data:
            return "nothing may follow a WebSocket upgrade request before its answer"
        return None

    def refused(self, reason: str) -> None:
        """Count a connection answered and closed by the front door."""
        self.metrics.connections_refused.labels(reason).inc()

    def _contain(self, failure: Exception, peer: str) -> None:
        kind = _kind(failure)
        self.metrics.connection_errors.labels(kind).inc()
        debug = log.isEnabledFor(logging.DEBUG)
        log.warning("connection from %s ended by a %s failure: %s", peer, kind, _describe(failure), exc_info=debug)


async def serve_edge(
    app: Quart,
    config: Config,
    settings: Settings,
    metrics: Metrics,
    shutdown_trigger: Callable[[], Awaitable[None]],
    *,
    upgrades: Mapping[str, ConnectionHandler] | None = None,
    task_status: trio.TaskStatus[list[str]] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Serve ``app`` on ``config.bind`` through the front door until ``shutdown_trigger`` returns; report the binds.

    ``upgrades`` serves WebSocket paths of its own (the lean game path) instead of Hypercorn.

    Shutting down: no new connection is accepted, idle keep-alive connections close, and the others have
    ``config.graceful_timeout`` to finish (the app has closed its WebSockets with 1001 by then) before they are cut.
    """
    websocket_paths = frozenset(rule.rule for rule in app.url_map.iter_rules() if rule.websocket)
    async with open_hypercorn(app, config) as hypercorn, trio.open_nursery() as connections:
        serve_http = hypercorn.serve_connection
        door = FrontDoor(
            settings, metrics, websocket_paths, serve_http, upgrades, max_head_bytes=config.h11_max_incomplete_size
        )
        sockets = config.create_sockets().insecure_sockets
        for sock in sockets:
            sock.listen(config.backlog)
        listeners = [trio.SocketListener(trio.socket.from_stdlib_socket(sock)) for sock in sockets]
        task_status.started([f"http://{repr_socket_addr(sock.family, sock.getsockname())}" for sock in sockets])
        try:
            async with trio.open_nursery() as accepting:
                accepting.start_soon(
                    partial(trio.serve_listeners, door.serve_connection, listeners, handler_nursery=connections)
                )
                await shutdown_trigger()
                accepting.cancel_scope.cancel()
        finally:
            await hypercorn.close_idle()
            connections.cancel_scope.deadline = trio.current_time() + config.graceful_timeout


def _peer_address(transport: trio.SocketStream) -> str:
    address = transport.socket.getpeername()
    return str(address[0]) if isinstance(address, tuple) else str(address)


def _forwarded_for(head: RequestHead) -> str:
    """The client our proxy names: the last X-Forwarded-For entry (the one nginx appended)."""
    return (head.header("x-forwarded-for") or "").split(",")[-1].strip()


def _leaves(failure: BaseException) -> list[BaseException]:
    if isinstance(failure, BaseExceptionGroup):
        return [leaf for inner in failure.exceptions for leaf in _leaves(inner)]
    return [failure]


def _kind(failure: Exception) -> str:
    """protocol (the peer or a server broke HTTP or WebSocket rules), network, or internal (a bug of ours)."""
    leaves = _leaves(failure)
    if any(isinstance(leaf, h11.ProtocolError | wsproto.utilities.ProtocolError) for leaf in leaves):
        return "protocol"
    network = (OSError, trio.BrokenResourceError, trio.ClosedResourceError, trio.BusyResourceError)
    if all(isinstance(leaf, network) for leaf in leaves):
        return "network"
    return "internal"


def _describe(failure: Exception) -> str:
    leaf = _leaves(failure)[0]
    return f"{type(leaf).__name__}: {leaf}"
