"""The WebSocket endpoint: one connection of one player to one session.

Theory of operation
-------------------
A connection runs four tasks in one nursery: the *reader* (decode, rate-limit
and apply client frames), the *feeder* (entries published to the session →
this viewer's frames), the *writer* (outbox → socket) and a *watcher* for the
server draining. The outbox is bounded: when a slow reader lets it fill up,
the connection is closed with 1013 and the client resumes elsewhere or later;
a room never waits for a socket.

Ordering: the subscription opens *before* the first snapshot is read, and
every frame that carries a ``seq`` goes through :meth:`Connection.push`,
which drops what was already sent and turns a gap into a resynchronisation.
So a client sees each entry once, in order, from any node.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import AsyncIterator, Sequence
from typing import Any, get_args

import trio
from quart import websocket

from checkgame import sessions
from checkgame.errors import AuthError, ClientError, LiveStateError
from checkgame.observability.logs import conn_id, new_id
from checkgame.ratelimit import MESSAGE_BURST, TokenBucket
from checkgame.rooms.admin import ConnectionInfo
from checkgame.rules import RuleViolation
from checkgame.sessions import Entry
from checkgame.transport.context import Services
from checkgame.transport.ws import codec

__all__ = [
    "CLOSE_GOING_AWAY",
    "CLOSE_KICKED",
    "CLOSE_POLICY",
    "CLOSE_REPLACED",
    "CLOSE_TRY_AGAIN",
    "CLOSE_UNSUPPORTED",
    "serve_connection",
]

log = logging.getLogger(__name__)

CLOSE_NORMAL = 1000
CLOSE_GOING_AWAY = 1001
"""The server is shutting down or draining: reconnect (another node will take you)."""
CLOSE_UNSUPPORTED = 1003
"""A binary frame: the protocol is JSON text."""
CLOSE_POLICY = 1008
"""Bad token, no seat, or a flood that went on after warnings."""
CLOSE_TRY_AGAIN = 1013
"""This connection fell too far behind, or the live state is unreachable: reconnect (and resume)."""
CLOSE_HEARTBEAT = 4408
"""Nothing received within the heartbeat timeout."""
CLOSE_KICKED = 4403
"""An administrator removed this player from the session (reason ``KICKED``)."""
CLOSE_REPLACED = 4409
"""A newer connection of the same seat took this one's place (``max_sockets_per_seat``)."""


MAX_VIOLATIONS = 5
"""Rate-limit or size violations in a row before the connection is closed with 1008."""

_WIRE_TYPES = {kind: re.sub(r"(?<!^)(?=[A-Z])", "_", kind.__name__).lower() for kind in get_args(codec.ClientMessage)}
"""The ``type`` of each client message, for the metrics (``PlayCard`` → ``play_card``)."""
_ACTION_TYPES = {codec.PlayCard: "play", codec.DrawCard: "draw", codec.ChooseSuit: "choose_suit"}


class _CloseError(Exception):
    """Raised inside the connection to end it with a close code."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class Connection:
    """One authenticated player's socket."""

    def __init__(
        self, services: Services, session_id: str, player_id: str, name: str = "", *, batching: bool = False
    ) -> None:
        self.services = services
        self.batching = batching
        """The client asked for ``batch=1``: frames waiting together go out as one JSON array."""
        self.session_id = session_id
        self.player_id = player_id
        self.last_sent = -1
        self.info = ConnectionInfo(
            conn_id.get() or new_id(),  # the id on this connection's log lines too
            player_id,
            name or player_id,
            session_id,
            services.clock(),
            self.close,
            self._depth,
        )
        self._kicked = False
        self._scope: trio.CancelScope | None = None
        self._pings: dict[int, float] = {}
        settings = services.settings
        self._outbox_send, self._outbox_receive = trio.open_memory_channel[str](settings.outbox_size)
        self._push_lock = trio.Lock()
        self._actions = TokenBucket(settings.actions_per_s, settings.action_burst)
        self._messages = TokenBucket(settings.messages_per_min / 60.0, MESSAGE_BURST)
        self._violations = 0
        self._metrics = services.metrics
        self.closing: _CloseError | None = None

    # -- outgoing
    def send(self, type_: str, data: Any, *, seq: int | None = None, game_id: str | None = None) -> None:
        """Queue a frame; a full outbox means a slow reader, which is disconnected."""
        frame = codec.encode(
            type_, data, session_id=self.session_id, seq=seq, timestamp=self.services.clock(), game_id=game_id
        )
        self._queue(frame, type_)

    def _queue(self, frame: str, type_: str) -> None:
        try:
            self._outbox_send.send_nowait(frame)
        except trio.WouldBlock:
            self._metrics.outbox_dropped.inc()
            self._metrics.slow_client_disconnects.inc()
            raise _CloseError(CLOSE_TRY_AGAIN, "outbox full: reconnect and resume") from None
        except trio.ClosedResourceError:  # the connection is closing (kicked): nothing more goes out
            return
        self._metrics.sent(type_).inc()

    def _depth(self) -> int:
        return self._outbox_send.statistics().current_buffer_used

    def close(self, code: int, reason: str) -> None:
        """End the connection from outside (the node drains)."""
        self.closing = self.closing or _CloseError(code, reason)
        if self._scope is not None:
            self._scope.cancel()

    def _outbox_room(self) -> int:
        stats = self._outbox_send.statistics()
        return int(stats.max_buffer_size) - stats.current_buffer_used

    async def push(self, entries: Sequence[Entry]) -> None:
        """Send published entries in order; a gap (lost entries) triggers a resynchronisation."""
        async with self._push_lock:
            for entry in entries:
                if entry.seq <= self.last_sent:
                    continue
                if entry.seq != self.last_sent + 1:
                    await self._resync_locked(self.last_sent)
                    continue
                self._queue(codec.encode_entry(entry, self.player_id, self.session_id), entry.type)
                self.last_sent = entry.seq
                self._kicked = self._kicked or _kicks(entry, self.player_id)
        self._metrics.connections.queued(self.session_id, self, trio.current_time())

    async def resync(self, after_seq: int | None) -> str:
        """Send every entry after ``after_seq`` again, or one snapshot when they are gone (or None).

        Returns:
            How: ``replay`` or ``snapshot``.
        """
        async with self._push_lock:
            mode = await self._resync_locked(after_seq)
        self._metrics.connections.queued(self.session_id, self, trio.current_time())
        return mode

    async def _resume(self, last_seq: int) -> None:
        """The client asks for what it missed after ``last_seq`` (on connecting, or later)."""
        self._metrics.resumes.labels(await self.resync(last_seq)).inc()

    async def _resync_locked(self, after_seq: int | None) -> str:
        sessions_ = self.services.sessions
        entries = (
            None
            if after_seq is None or after_seq < 0
            else await sessions_.live.entries_since(self.session_id, after_seq)
        )
        state = None
        if entries == [] and after_seq is not None and after_seq > self.last_sent:
            # Nothing missed, or a lastSeq beyond the log: taken at its word, it would mute every entry up to it.
            state = await sessions_.load(self.session_id)
            entries = None if after_seq > state.seq else entries
        if entries is None or len(entries) > self._outbox_room():  # one snapshot beats more than the outbox holds
            if state is None:
                state = await sessions_.load(self.session_id)
            self.send("session_state", sessions.snapshot(state, self.player_id), seq=state.seq, game_id=state.game_id)
            self.last_sent = state.seq
            return "snapshot"
        assert after_seq is not None
        self.last_sent = max(self.last_sent, after_seq)  # the client holds everything up to after_seq
        for entry in entries:
            self._queue(codec.encode_entry(entry, self.player_id, self.session_id), entry.type)
            self.last_sent = max(self.last_sent, entry.seq)
            self._kicked = self._kicked or _kicks(entry, self.player_id)
        return "replay"

    # -- the tasks
    async def run(self, last_seq: int | None) -> None:
        """Serve the connection until the client leaves, misbehaves, or the server drains."""
        services = self.services
        async with services.sessions.live.subscribe(self.session_id) as subscription, self._counted():
            self.send(
                "connection_established",
                {
                    "playerId": self.player_id,
                    "node": services.settings.node_id,
                    "heartbeatSeconds": services.settings.heartbeat_timeout_s,
                    "maxMessageBytes": services.settings.max_message_bytes,
                },
            )
            if last_seq is None:
                await self.resync(None)
            else:
                await self._resume(last_seq)
            await services.presence.connected(self.session_id, self.player_id)
            try:
                self._replace_oldest()
                with services.node.connected(self.info):
                    async with trio.open_nursery() as nursery:
                        self._scope = nursery.cancel_scope
                        if self.closing is not None or services.node.draining:  # closed while connecting
                            self.closing = self.closing or _CloseError(CLOSE_GOING_AWAY, "node draining: reconnect")
                            nursery.cancel_scope.cancel()
                        nursery.start_soon(self._guard, self._write, nursery)
                        nursery.start_soon(self._guard, self._feed, nursery, subscription)
                        nursery.start_soon(self._guard, self._watch_draining, nursery)
                        nursery.start_soon(self._guard, self._read, nursery)
                        nursery.start_soon(self._guard, self._ping, nursery)
            finally:
                with trio.CancelScope(shield=True):
                    await services.presence.disconnected(self.session_id, self.player_id)

    def _replace_oldest(self) -> None:
        """Close this seat's oldest connections on this node so that, with this one, it holds at most the cap.

        The oldest go rather than the newest: a player's dead sockets must never lock out their reconnection.
        """
        mine = sorted(
            (
                info
                for info in self.services.node.connections.values()
                if info.session_id == self.session_id and info.player_id == self.player_id
            ),
            key=lambda info: info.connected_at,
        )
        for info in mine[: max(0, len(mine) + 1 - self.services.settings.max_sockets_per_seat)]:
            info.close(CLOSE_REPLACED, "replaced by a newer connection of this seat")

    @contextlib.asynccontextmanager
    async def _counted(self) -> AsyncIterator[None]:
        """Count this connection among its session's on this node while it is subscribed."""
        connections = self._metrics.connections
        connections.opened(self.session_id, self)
        try:
            yield
        finally:
            connections.closed(self.session_id, self, trio.current_time())

    async def _guard(self, task: Any, nursery: trio.Nursery, *args: Any) -> None:
        """Run a task; a _CloseError from it (or the end of any task) ends the whole connection."""
        try:
            await task(*args)
        except _CloseError as closing:
            self.closing = self.closing or closing
        except LiveStateError:  # the live store is unreachable: the client should come back later
            log.warning("live state failed on a connection", exc_info=True)
            self.closing = self.closing or _CloseError(CLOSE_TRY_AGAIN, "live state unavailable: reconnect")
        nursery.cancel_scope.cancel()

    async def _write(self) -> None:
        counts = self.services.node.counts
        async for frame in self._outbox_receive:
            frames = self._waiting(frame) if self.batching else [frame]
            if len(frames) == 1:
                await websocket.send(frame)
            else:
                await websocket.send(codec.batch(frames))
                self._metrics.ws_batches.inc()
                self._metrics.ws_batched_frames.inc(len(frames))
            counts.messages_out += len(frames)

    def _waiting(self, first: str) -> list[str]:
        """``first`` and the frames queued behind it, up to the batch bounds: one send system call for all."""
        frames, size = [first], len(first)
        while len(frames) < codec.BATCH_MAX_FRAMES and size < codec.BATCH_MAX_CHARS:
            try:
                frame = self._outbox_receive.receive_nowait()
            except (trio.WouldBlock, trio.EndOfChannel):  # nothing more waits (or the outbox closed: kicked)
                break
            frames.append(frame)
            size += len(frame)
        return frames

    async def _feed(self, subscription: Any) -> None:
        while True:
            try:
                entries = await subscription.receive()
            except (trio.EndOfChannel, trio.ClosedResourceError):
                self._metrics.slow_client_disconnects.inc()
                raise _CloseError(CLOSE_TRY_AGAIN, "fell behind the session: reconnect and resume") from None
            await self.push(entries)
            if self._kicked:
                await self._close_kicked()

    async def _close_kicked(self) -> None:
        """Let the writer send what is queued (the kick itself included), then close with 4403."""
        self.closing = self.closing or _CloseError(CLOSE_KICKED, "KICKED")
        self._outbox_send.close()  # the writer drains the outbox and returns, which ends the connection
        await trio.sleep_forever()

    async def _ping(self) -> None:
        """Ping the client now and then; its ``pong`` gives the round trip the admin console shows."""
        for nonce in range(1, 2**62):
            await trio.sleep(self.services.settings.ping_interval_s)
            self._pings = {nonce: trio.current_time()}  # only the latest ping counts
            self.send("ping", {"nonce": nonce})

    async def _watch_draining(self) -> None:
        await self.services.draining.wait()
        raise _CloseError(CLOSE_GOING_AWAY, "server shutting down: reconnect")

    async def _read(self) -> None:
        timeout = self.services.settings.heartbeat_timeout_s
        while True:
            with trio.move_on_after(timeout) as scope:
                raw = await websocket.receive()
            if scope.cancelled_caught:
                raise _CloseError(CLOSE_HEARTBEAT, "no message within the heartbeat timeout")
            if not isinstance(raw, str):  # bytes, or None for an empty binary frame (Quart)
                self._metrics.received("refused").inc()
                raise _CloseError(CLOSE_UNSUPPORTED, "binary frames are not accepted: send JSON text")
            try:
                await self._handle(raw)
            except ClientError as error:
                self._refuse(error)

    def _violation(self, error: ClientError) -> None:
        self._violations += 1
        if self._violations >= MAX_VIOLATIONS:
            raise _CloseError(CLOSE_POLICY, f"{error.code}: too many violations")
        raise error

    def _refuse(self, error: ClientError, action_id: str | None = None) -> None:
        self._metrics.refused(error.code).inc()
        data: dict[str, Any] = {"code": error.code, "message": error.message}
        if error.details is not None:
            data["details"] = error.details
        if action_id is not None:
            data["actionId"] = action_id
        self.send("invalid_action" if action_id is not None or isinstance(error, RuleViolation) else "error", data)

    async def _handle(self, raw: str) -> None:
        arrived = trio.current_time()
        now = self.services.clock()
        limit = self.services.settings.max_message_bytes
        received = self._metrics.received
        if len(raw) > limit:
            received("refused").inc()
            self._violation(ClientError(f"frames are limited to {limit} bytes", code="MESSAGE_TOO_LARGE"))
        if not self._messages.try_take(now):
            received("refused").inc()
            self._metrics.limited("ws_messages").inc()
            self._violation(ClientError("too many messages: at most 100 a minute", code="RATE_LIMITED"))
        self.services.node.counts.messages_in += 1
        self.info.last_message_at = now
        try:
            message = codec.decode(raw)
        except ClientError:
            received("invalid").inc()
            raise
        received(_WIRE_TYPES[type(message)]).inc()
        match message:
            case codec.Pong():
                sent = self._pings.pop(message.nonce, None) if isinstance(message.nonce, int) else None
                if sent is not None:
                    self.info.rtt_ms = round((trio.current_time() - sent) * 1000, 1)
            case codec.Ping():
                self._violations = 0
                self.send("pong", {"nonce": message.nonce})
            case codec.Resume():
                await self._resume(message.lastSeq)
            case codec.LeaveGame():
                try:
                    await self.services.sessions.execute(self.session_id, sessions.LeaveSession(self.player_id))
                except ClientError:
                    self._metrics.action("leave", "refused").inc()
                    raise
                self._metrics.action("leave", "accepted").inc()
                raise _CloseError(CLOSE_NORMAL, "left the session")
            case codec.StartGame():
                await self.services.sessions.execute(self.session_id, sessions.Start(self.player_id))
            case codec.PlayCard() | codec.DrawCard() | codec.ChooseSuit():
                await self._act(message, now, arrived)

    async def _act(
        self, message: codec.PlayCard | codec.DrawCard | codec.ChooseSuit, now: float, arrived: float
    ) -> None:
        kind = _ACTION_TYPES[type(message)]
        try:
            if not self._actions.try_take(now):
                self._metrics.limited("ws_actions").inc()
                self._violation(ClientError("too many actions: about 2 a second", code="RATE_LIMITED"))
            action = codec.to_action(self.player_id, message)
            outcome = await self.services.sessions.execute(
                self.session_id, sessions.GameAction(action, message.actionId)
            )
        except ClientError as error:
            self._metrics.action(kind, "refused").inc()
            self._refuse(error, message.actionId)
            return
        self._violations = 0
        if outcome.duplicate:
            self._metrics.action(kind, "duplicate").inc()
            self.send("action_ack", {"actionId": message.actionId, "duplicate": True})
            return
        self._metrics.action(kind, "accepted").inc()
        self._metrics.connections.committed(self.session_id, outcome.state.seq, arrived, trio.current_time())
        self.services.node.counts.actions += 1


def _kicks(entry: Entry, player_id: str) -> bool:
    """``entry`` removes ``player_id`` from the session by an administrator's order."""
    return entry.type == "player_kicked" and entry.data.get("player") == player_id


_BATCH_VALUES = {"0": False, "1": True}
"""The values of the ``batch`` query parameter (absent: ``0``, today's one frame per message)."""


async def serve_connection(services: Services) -> None:
    """The Quart handler body: one connection, its id on every log line it causes, its close code counted."""
    conn_id.set(new_id())
    code: int | None = None  # None: the client went away before the server closed
    try:
        code = await _serve(services)
    finally:
        services.metrics.closed("client" if code is None else str(code)).inc()
        log.info("websocket closed by %s", "the client" if code is None else f"the server ({code})")


async def _serve(services: Services) -> int | None:
    """Authenticate with the session token, run the connection; return the close code the server sent."""
    token = websocket.args.get("token", "")
    last_seq = websocket.args.get("lastSeq", type=int)
    batch = websocket.args.get("batch", "0")
    if services.draining.is_set() or services.node.draining:  # accepted first: a close before accepting is a 403
        await websocket.accept()
        await websocket.close(CLOSE_TRY_AGAIN, "server draining: try another node")
        return CLOSE_TRY_AGAIN
    try:
        if batch not in _BATCH_VALUES:
            raise ClientError(f"batch must be 0 or 1, not {batch[:20]!r}", code="VALIDATION_ERROR")
        claims = services.tokens.verify(token, "session", services.clock())
        state = await services.sessions.load(claims.session_id or "")
        if state.seat_of(claims.sub) is None or claims.sub in state.left:
            raise AuthError("you have no seat in this session", code="NOT_IN_SESSION")
    except ClientError as error:
        await websocket.accept()
        await websocket.send(codec.encode("error", {"code": error.code, "message": error.message}, session_id=None))
        await websocket.close(CLOSE_POLICY, error.code)
        return CLOSE_POLICY
    except LiveStateError as error:  # accepted first: a close before accepting is a 403
        log.warning("live state unavailable at an upgrade: %s", error)
        await websocket.accept()
        await websocket.close(CLOSE_TRY_AGAIN, "live state unavailable: reconnect")
        return CLOSE_TRY_AGAIN
    await websocket.accept()
    connection = Connection(services, state.id, claims.sub, claims.name or "", batching=_BATCH_VALUES[batch])
    try:
        await connection.run(last_seq)
    except _CloseError as early:  # raised before the tasks started (e.g. outbox full on the first sync)
        connection.closing = early
    except LiveStateError:
        log.warning("live state failed while connecting", exc_info=True)
        connection.closing = _CloseError(CLOSE_TRY_AGAIN, "live state unavailable: reconnect")
    final = connection.closing
    if final is None:
        return None
    with trio.CancelScope(shield=True), trio.move_on_after(1):
        await websocket.close(final.code, final.reason)
    return final.code
