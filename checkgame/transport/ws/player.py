"""One player's game WebSocket: authenticate, join the session's hub, then read, decode and apply frames.

Theory of operation
-------------------
One task per connection. Before the 101 nothing is decided but the handshake
itself; after it, the session token is checked (a refusal is an ``error``
frame and close 1008, which a browser can read, unlike an HTTP status), and
the connection joins its session's :class:`~checkgame.rooms.hub.SessionHub`,
which sends the snapshot or the replay and from then on writes every entry
straight to this socket. The task then reads: each message is size-checked by
the wire layer, rate-limited, decoded (:mod:`codec`) and applied through the
:class:`~checkgame.rooms.SessionService`. Its wait is cut at the next ping, so
the same task pings the client, and at the heartbeat deadline, which closes a
silent client with 4408.

Nothing here waits to write: frames go to :meth:`WebSocket.send_nowait`, which
queues only while the socket pushes back and drops a reader that falls too far
behind (1013). Closing from elsewhere (a kick, a drain, the hub losing its feed)
is :meth:`WebSocket.close_nowait`, which also ends the pending read.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import get_args

import trio

from checkgame import protocol, sessions
from checkgame.errors import AuthError, ClientError, ForbiddenError, LiveStateError
from checkgame.observability.logs import conn_id, new_id
from checkgame.ratelimit import MESSAGE_BURST, TokenBucket
from checkgame.rooms.admin import ConnectionInfo
from checkgame.rooms.hub import SessionHub
from checkgame.rules import RuleViolation
from checkgame.transport.context import Services
from checkgame.transport.ws import codec
from checkgame.transport.ws.frames import Frame, batches
from checkgame.transport.ws.upgrade import Upgrade, open_websocket
from checkgame.transport.ws.wire import Limits, WebSocket, WebSocketClosedError

__all__ = [
    "CLOSE_GOING_AWAY",
    "CLOSE_HEARTBEAT",
    "CLOSE_KICKED",
    "CLOSE_POLICY",
    "CLOSE_REPLACED",
    "CLOSE_TRY_AGAIN",
    "GAME_PATH",
    "serve_player",
]

log = logging.getLogger(__name__)

GAME_PATH = "/api/v1/ws"

CLOSE_NORMAL = 1000
CLOSE_GOING_AWAY = 1001
"""The server is shutting down or draining: reconnect (another node will take you)."""
CLOSE_POLICY = 1008
"""Bad token, no seat, or a flood that went on after warnings."""
CLOSE_TRY_AGAIN = 1013
"""This connection fell too far behind, or the live state is unreachable: reconnect and resume."""
CLOSE_HEARTBEAT = 4408
"""Nothing received within the heartbeat timeout."""
CLOSE_KICKED = 4403
"""An administrator removed this player from the session (reason ``KICKED``)."""
CLOSE_REPLACED = 4409
"""A newer connection of the same seat took this one's place (``max_sockets_per_seat``)."""

MESSAGE_SIZE_FACTOR = 16
"""A message up to this many times ``max_message_bytes`` is refused with an error frame; beyond, the close is 1009."""
CHAT_BURST = 3
"""Chat messages a connection may send at once before ``chat_per_min`` paces it."""
MAX_VIOLATIONS = 5
"""Rate-limit or size violations in a row before the connection is closed with 1008."""

_WIRE_TYPES = {kind: re.sub(r"(?<!^)(?=[A-Z])", "_", kind.__name__).lower() for kind in get_args(codec.ClientMessage)}
"""The ``type`` of each client message, for the metrics."""
_ACTION_TYPES = {codec.PlayCard: "play", codec.DrawCard: "draw", codec.ChooseSuit: "choose_suit"}
_BATCH_VALUES = {"0": False, "1": True}
"""The values of the ``batch`` query parameter (absent: ``0``, one frame per message)."""


class _CloseError(Exception):
    """Raised inside the connection to end it with a close code."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class Player:
    """One authenticated player's socket: a viewer of its session's hub, and the reader of its frames."""

    spectator = False
    """A seated player's socket (the hub's :class:`~checkgame.rooms.hub.Viewer` flag)."""
    channel = "players"
    """The table chat this connection writes in."""

    def __init__(
        self, services: Services, websocket: WebSocket, session_id: str, player_id: str, name: str, *, batching: bool
    ) -> None:
        self.services = services
        self.websocket = websocket
        self.session_id = session_id
        self.player_id = player_id
        self.name = name or player_id
        self.can_chat = True
        """Anonymous spectators read the chat but may not write in it (no one to mute)."""
        self.batching = batching
        """The client asked for ``batch=1``: the frames of one commit go out as one JSON array."""
        self.info = ConnectionInfo(
            conn_id.get() or new_id(),
            player_id,
            name or player_id,
            session_id,
            services.clock(),
            websocket.close_nowait,
            lambda: websocket.queued_frames,
        )
        settings = services.settings
        self._actions = TokenBucket(settings.actions_per_s, settings.action_burst)
        self._messages = TokenBucket(settings.messages_per_min / 60.0, MESSAGE_BURST)
        self._chats = TokenBucket(settings.chat_per_min / 60.0, CHAT_BURST)
        self._max_frames = settings.outbox_size
        self._violations = 0
        self._pings: dict[int, float] = {}
        self._metrics = services.metrics
        self._counts = services.node.counts
        self._dropped = False
        """The socket's queue overflowed once (counted once: the connection is closing with 1013)."""
        self._held: list[Frame] | None = None
        """Frames kept while the connection joins or resumes, sent together after."""

    # -- the hub's viewer
    @property
    def capacity(self) -> int:
        """Frames the socket's queue can still take."""
        return self._max_frames - self.websocket.queued_frames

    def write(self, frame: Frame) -> None:
        """Hand a rendered frame to the socket (never waits; a reader too far behind is closed with 1013)."""
        if self._held is not None:
            self._held.append(frame)
            return
        self._send(frame)

    def _send(self, frame: Frame) -> None:
        if not self.websocket.send_nowait(frame.wire):
            closed = self.websocket.closed
            if closed is not None and closed.code == CLOSE_TRY_AGAIN and not self._dropped:  # this frame overflowed
                self._dropped = True
                self._metrics.outbox_dropped.inc()
                self._metrics.slow_client_disconnects.inc()
            return
        self._counts.messages_out += frame.count
        self._metrics.sent(frame.type).inc()
        if frame.count > 1:
            self._metrics.ws_batches.inc()
            self._metrics.ws_batched_frames.inc(frame.count)

    def kicked(self) -> None:
        """The kick itself has been written; the close follows it."""
        self._flush()
        self.websocket.close_nowait(CLOSE_KICKED, "KICKED")

    def fell_behind(self, reason: str) -> None:
        self._flush()
        self._metrics.slow_client_disconnects.inc()
        self.websocket.close_nowait(CLOSE_TRY_AGAIN, reason)

    def replaced(self) -> None:
        self._flush()
        self.websocket.close_nowait(CLOSE_REPLACED, "replaced by a newer connection of this seat")

    def _hold(self) -> None:
        """Keep what is written from now on until :meth:`_flush`: frames that wait together, batched together."""
        self._held = []

    def _flush(self) -> None:
        held, self._held = self._held, None
        for message in batches(held) if held and self.batching else held or ():
            self._send(message)

    def send(self, data: protocol.ConnectionData) -> None:
        """A frame of this connection's own (not from the session log)."""
        self.write(Frame.of(data, session_id=self.session_id, clock=self.services.clock))

    # -- the task
    async def run(self, last_seq: int | None) -> None:
        """Serve the connection until the client leaves, misbehaves, or the node drains."""
        services = self.services
        settings = services.settings
        self._hold()  # the greeting and the first snapshot (or replay) go out together
        self.send(
            protocol.ConnectionEstablished(
                self.player_id, settings.node_id, settings.heartbeat_timeout_s, settings.max_message_bytes
            )
        )
        async with services.hubs.join(self.session_id, self, last_seq) as (hub, mode):
            self._flush()
            if last_seq is not None:
                self._metrics.resumes.labels(mode).inc()
            with services.node.connected(self.info):
                if services.node.draining:  # drained while connecting
                    raise _CloseError(CLOSE_GOING_AWAY, "node draining: reconnect")
                await self._read(hub)

    async def _read(self, hub: SessionHub[Frame]) -> None:
        settings = self.services.settings
        heartbeat_at = trio.current_time() + settings.heartbeat_timeout_s
        ping_at = trio.current_time() + settings.ping_interval_s
        nonce = 0
        while True:
            try:
                raw = await self.websocket.receive_until(min(heartbeat_at, ping_at))
            except WebSocketClosedError:
                return
            if raw is not None:
                heartbeat_at = trio.current_time() + settings.heartbeat_timeout_s
                try:
                    await self._handle(raw, hub)
                except ClientError as error:
                    self._refuse(error)
                continue
            now = trio.current_time()
            if now >= heartbeat_at:
                raise _CloseError(CLOSE_HEARTBEAT, "no message within the heartbeat timeout")
            nonce += 1
            self._pings = {nonce: now}  # only the latest ping counts
            self.send(protocol.Ping(nonce))
            ping_at = now + settings.ping_interval_s

    def _violation(self, error: ClientError) -> None:
        self._violations += 1
        if self._violations >= MAX_VIOLATIONS:
            raise _CloseError(CLOSE_POLICY, f"{error.code}: too many violations")
        raise error

    def _refuse(self, error: ClientError, action_id: str | None = None) -> None:
        self._metrics.refused(error.code).inc()
        kind = protocol.InvalidAction if action_id is not None or isinstance(error, RuleViolation) else protocol.Error
        self.send(kind(error.code, error.message, error.details, action_id))

    async def _handle(self, raw: str, hub: SessionHub[Frame]) -> None:
        arrived = trio.current_time()
        now = self.services.clock()
        received = self._metrics.received
        limit = self.services.settings.max_message_bytes
        if len(raw) > limit:
            received("refused").inc()
            self._violation(ClientError(f"frames are limited to {limit} bytes", code="MESSAGE_TOO_LARGE"))
        if not self._messages.try_take(now):
            received("refused").inc()
            self._metrics.limited("ws_messages").inc()
            self._violation(ClientError("too many messages: at most 100 a minute", code="RATE_LIMITED"))
        self._counts.messages_in += 1
        self.info.last_message_at = now
        try:
            message = codec.decode(raw)
        except ClientError:
            received("invalid").inc()
            raise
        received(_WIRE_TYPES[type(message)]).inc()
        if self.spectator and isinstance(message, codec.ACTIONS):
            raise ClientError("spectators watch the table: they cannot act on it", code="SPECTATOR_CANNOT_ACT")
        match message:
            case codec.Pong():
                sent = self._pings.pop(message.nonce, None) if isinstance(message.nonce, int) else None
                if sent is not None:
                    self.info.rtt_ms = round((trio.current_time() - sent) * 1000, 1)
            case codec.Ping():
                self._violations = 0
                self.send(protocol.Pong(message.nonce))
            case codec.Resume():
                self._hold()
                try:
                    mode = await hub.resume(self, message.lastSeq)
                finally:
                    self._flush()
                self._metrics.resumes.labels(mode).inc()
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
                await self._act(message, now, arrived, hub)
            case codec.Chat() | codec.ReportChat():
                await self._chat(message, now)

    async def _chat(self, message: codec.Chat | codec.ReportChat, now: float) -> None:
        """Say something in this connection's chat, or report a message, within the chat's own rate."""
        try:
            if not self._chats.try_take(now):
                self._metrics.limited("ws_chat").inc()
                limit = self.services.settings.chat_per_min
                raise ClientError(f"too many chat messages: at most {limit} a minute", code="RATE_LIMITED")
            if not self.can_chat:
                raise ForbiddenError("sign in to write in the spectators' chat", code="CHAT_NEEDS_ACCOUNT")
            command: sessions.Chat | sessions.ReportChat = (
                sessions.Chat(self.player_id, self.name, self.channel, message.text)
                if isinstance(message, codec.Chat)
                else sessions.ReportChat(self.player_id, message.seq, message.reason)
            )
            await self.services.sessions.execute(self.session_id, command)
        except ClientError as error:
            self._metrics.chat_refused(error.code).inc()
            raise
        if isinstance(message, codec.Chat):
            self._metrics.chatted(self.channel).inc()

    async def _act(
        self,
        message: codec.PlayCard | codec.DrawCard | codec.ChooseSuit,
        now: float,
        arrived: float,
        hub: SessionHub[Frame],
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
            self.send(protocol.ActionAck(message.actionId, duplicate=True))
            return
        self._metrics.action(kind, "accepted").inc()
        hub.committed(outcome.state.seq, arrived)
        self._counts.actions += 1


async def serve_player(services: Services, stream: trio.SocketStream, upgrade: Upgrade) -> None:
    """One game connection from its upgrade to its close: its id on every log line, its close code counted."""
    conn_id.set(new_id())
    code: int | None = None  # None: the client went away before the server closed
    try:
        code = await _serve(services, stream, upgrade)
    finally:
        services.metrics.closed("client" if code is None else str(code)).inc()
        log.info("websocket closed by %s", "the client" if code is None else f"the server ({code})")


def limits_of(services: Services) -> Limits:
    """The socket bounds a game connection gets from the settings."""
    settings = services.settings
    return Limits(
        max_message_bytes=MESSAGE_SIZE_FACTOR * settings.max_message_bytes,
        max_queued_frames=settings.outbox_size,
        max_queued_bytes=max(settings.outbox_size * settings.max_message_bytes * 4, 1024 * 1024),
        send_timeout_s=settings.send_timeout_s,
    )


async def _serve(services: Services, stream: trio.SocketStream, upgrade: Upgrade) -> int | None:
    """Authenticate with the session token, run the connection; the close code the server sent (None: the client)."""
    query = upgrade.query
    async with trio.open_nursery() as nursery, open_websocket(stream, upgrade, nursery, limits_of(services)) as ws:
        if services.node.draining:
            ws.close_nowait(CLOSE_TRY_AGAIN, "server draining: try another node")
            return CLOSE_TRY_AGAIN
        try:
            player = await _authenticate(services, ws, query)
        except ClientError as error:
            return refuse(ws, error, CLOSE_POLICY, services.clock)
        except LiveStateError as error:  # Redis away: an expected fault, one line without a traceback
            log.warning("live state unavailable at an upgrade: %s", error)
            ws.close_nowait(CLOSE_TRY_AGAIN, "live state unavailable: reconnect")
            return CLOSE_TRY_AGAIN
        return await run_until_closed(ws, player.run(_last_seq(query)), "a connection")


def refuse(ws: WebSocket, error: ClientError, close_code: int, clock: Callable[[], float]) -> int:
    """Tell the client why in an ``error`` frame, then close with ``close_code``; returns it."""
    ws.send_nowait(Frame.of(protocol.Error(error.code, error.message), session_id=None, clock=clock).wire)
    ws.close_nowait(close_code, error.code)
    return close_code


async def run_until_closed(ws: WebSocket, run: Awaitable[None], what: str) -> int | None:
    """Await ``run`` (a player's or a spectator's connection) and close as it ended; the close code the server
    sent (None: the client went away)."""
    try:
        await run
    except _CloseError as closing:
        ws.close_nowait(closing.code, closing.reason)
    except LiveStateError as error:
        log.warning("live state failed on %s: %s", what, error)
        ws.close_nowait(CLOSE_TRY_AGAIN, "live state unavailable: reconnect")
    closed = ws.closed
    if closed is None:  # the read loop ended: the client went away
        return None
    return None if closed.by_peer else closed.code


async def _authenticate(services: Services, ws: WebSocket, query: dict[str, str]) -> Player:
    batch = query.get("batch", "0")
    if batch not in _BATCH_VALUES:
        raise ClientError(f"batch must be 0 or 1, not {batch[:20]!r}", code="VALIDATION_ERROR")
    claims = services.tokens.verify(query.get("token", ""), "session", services.clock())
    state = await services.sessions.load(claims.session_id or "")
    if state.seat_of(claims.sub) is None or claims.sub in state.left:
        raise AuthError("you have no seat in this session", code="NOT_IN_SESSION")
    return Player(services, ws, state.id, claims.sub, claims.name or "", batching=_BATCH_VALUES[batch])


def _last_seq(query: dict[str, str]) -> int | None:
    """``lastSeq`` when it is an integer (anything else: a fresh snapshot, as before)."""
    raw = query.get("lastSeq")
    if raw is None or not raw.lstrip("-").isdigit() or len(raw) > 19:
        return None
    return int(raw)
