"""A spectator's WebSocket: watch a table live (or late, by its creator's choice) without a seat.

Theory of operation
-------------------
``/api/v1/ws/watch?session=<id>`` watches a public table; a private one needs
its join code (``&code=``, or ``?code=`` alone). No token is needed to watch;
an access token (``&token=``) lets a registered user write in the spectators'
chat, under their account's name, so an operator can mute them.

A :class:`Spectator` is a :class:`~checkgame.transport.ws.player.Player`
connection in everything but three things: the hub hands it the public view
only (no hand, no drawn card, no players' chat), every action frame is
answered with an ``error`` frame ``SPECTATOR_CANNOT_ACT`` (the socket stays
open), and what the hub writes may be held back: with the table's
``spectatorDelaySeconds`` above zero, each frame of the session goes out that
many seconds (trio's clock) after it was written, in order, through a
:class:`Delay`. The connection's own frames (``ping``, ``pong``, ``error``)
are not delayed, so the heartbeat works at any delay.

Spectators count against their own limits, not the seats': a table takes
``max_spectators_per_table`` on all nodes (a :class:`~checkgame.sessions.Watch`
command, counted in the session state so every node and the lobby agree) and a
node ``max_spectators_per_node``; past either the upgrade gets an ``error``
frame ``SPECTATORS_FULL`` and the close code 4429.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import uuid
from collections import deque
from collections.abc import Callable

import trio

from checkgame import protocol, sessions
from checkgame.errors import ClientError, LiveStateError, NotFoundError
from checkgame.observability.logs import conn_id, new_id
from checkgame.store.base import SessionRecord
from checkgame.transport.context import Services
from checkgame.transport.ws.frames import Frame
from checkgame.transport.ws.player import (
    _BATCH_VALUES,
    CLOSE_POLICY,
    CLOSE_TRY_AGAIN,
    Player,
    _last_seq,
    limits_of,
    refuse,
    run_until_closed,
)
from checkgame.transport.ws.upgrade import Upgrade, open_websocket
from checkgame.transport.ws.wire import WebSocket

__all__ = ["CLOSE_SPECTATORS_FULL", "WATCH_PATH", "Delay", "Spectator", "serve_spectator"]

log = logging.getLogger(__name__)

WATCH_PATH = "/api/v1/ws/watch"

CLOSE_SPECTATORS_FULL = 4429
"""The table or the node has all the spectators it takes (``SPECTATORS_FULL``): try later, or another table."""

HELD_FRAMES_FACTOR = 8
"""A delayed spectator may have this many times ``outbox_size`` frames held back before it is closed with 1013."""


class Delay:
    """Frames handed on ``seconds`` after they were put, in order; :meth:`run` is the task that sends them."""

    def __init__(self, seconds: float, send: Callable[[Frame], None], max_held: int) -> None:
        self.seconds = seconds
        self._send = send
        self._max_held = max_held
        self._held: deque[tuple[float, Frame]] = deque()
        self._arrived = trio.Event()

    @property
    def held(self) -> int:
        """Frames waiting for their time."""
        return len(self._held)

    def put(self, frame: Frame) -> bool:
        """Hold ``frame`` until ``seconds`` from now; False when too many are held already (the reader is lost)."""
        if len(self._held) >= self._max_held:
            return False
        self._held.append((trio.current_time() + self.seconds, frame))
        self._arrived.set()
        return True

    async def run(self) -> None:
        """Send each held frame when its time comes, until cancelled."""
        while True:
            if not self._held:
                self._arrived = trio.Event()
                await self._arrived.wait()
            due, frame = self._held[0]
            await trio.sleep_until(due)
            self._held.popleft()
            self._send(frame)


class Spectator(Player):
    """One spectator's socket: a viewer of the public view, a reader of the spectators' chat, never an actor."""

    spectator = True
    channel = "spectators"

    def __init__(
        self,
        services: Services,
        websocket: WebSocket,
        session_id: str,
        spectator_id: str,
        name: str,
        *,
        batching: bool,
        can_chat: bool,
        delay_s: float,
    ) -> None:
        super().__init__(services, websocket, session_id, spectator_id, name, batching=batching)
        self.can_chat = can_chat
        self.info.spectator = True
        max_held = services.settings.outbox_size * HELD_FRAMES_FACTOR
        self._delay = Delay(delay_s, super().write, max_held) if delay_s > 0 else None

    def write(self, frame: Frame) -> None:
        """A frame of the session: held back by the table's delay, if it has one."""
        if self._delay is None:
            super().write(frame)
        elif not self._delay.put(frame):
            self.fell_behind("too many frames held back for the delay: reconnect")

    def send(self, data: protocol.ConnectionData) -> None:
        """This connection's own frames go out at once, whatever the delay."""
        super().write(Frame.of(data, session_id=self.session_id, clock=self.services.clock))

    async def run(self, last_seq: int | None) -> None:
        """Serve the connection, with the delay's sender beside it."""
        async with trio.open_nursery() as nursery:
            if self._delay is not None:
                nursery.start_soon(self._delay.run)
            await super().run(last_seq)
            nursery.cancel_scope.cancel()


async def serve_spectator(services: Services, stream: trio.SocketStream, upgrade: Upgrade) -> None:
    """One spectator connection from its upgrade to its close, counted like a player's."""
    conn_id.set(new_id())
    code: int | None = None
    try:
        code = await _serve(services, stream, upgrade)
    finally:
        services.metrics.closed("client" if code is None else str(code)).inc()
        log.info("spectator websocket closed by %s", "the client" if code is None else f"the server ({code})")


async def _serve(services: Services, stream: trio.SocketStream, upgrade: Upgrade) -> int | None:
    query = upgrade.query
    node = services.settings.node_id
    async with trio.open_nursery() as nursery, open_websocket(stream, upgrade, nursery, limits_of(services)) as ws:
        if services.node.draining:
            ws.close_nowait(CLOSE_TRY_AGAIN, "server draining: try another node")
            return CLOSE_TRY_AGAIN
        try:
            spectator = await _admit(services, ws, query)
        except ClientError as error:
            close_code = CLOSE_SPECTATORS_FULL if error.code == "SPECTATORS_FULL" else CLOSE_POLICY
            return refuse(ws, error, close_code, services.clock)
        except LiveStateError as error:
            log.warning("live state unavailable at a spectator's upgrade: %s", error)
            ws.close_nowait(CLOSE_TRY_AGAIN, "live state unavailable: reconnect")
            return CLOSE_TRY_AGAIN
        try:
            return await run_until_closed(ws, spectator.run(_last_seq(query)), "a spectator's connection")
        finally:
            with trio.CancelScope(shield=True), contextlib.suppress(ClientError, LiveStateError):
                await services.sessions.execute(spectator.session_id, sessions.Unwatch(node))


async def _admit(services: Services, ws: WebSocket, query: dict[str, str]) -> Spectator:
    """Find the table, check the limits, count the spectator in: the connection, not yet joined to the hub.

    Raises:
        ClientError: a bad query or token, no such (visible) table, or ``SPECTATORS_FULL``.
    """
    settings = services.settings
    batch = query.get("batch", "0")
    if batch not in _BATCH_VALUES:
        raise ClientError(f"batch must be 0 or 1, not {batch[:20]!r}", code="VALIDATION_ERROR")
    record = await _table(services, query.get("session"), query.get("code"))
    spectator_id, name, can_chat = f"spectator-{uuid.uuid4().hex[:12]}", "", False
    token = query.get("token")
    if token:
        claims = services.tokens.verify(token, "access", services.clock())
        user = await services.store.get_user(claims.sub)
        if user is None:
            raise NotFoundError("the account no longer exists", code="USER_NOT_FOUND")
        spectator_id, name, can_chat = user.id, user.username, True
    state = await services.sessions.load(record.id)
    if services.hubs.statistics().spectators >= settings.max_spectators_per_node:
        raise ClientError(f"this server has its {settings.max_spectators_per_node} spectators", code="SPECTATORS_FULL")
    await services.sessions.track(settings.node_id, record.id)  # a dead node's spectators are uncounted
    await services.sessions.execute(record.id, sessions.Watch(settings.node_id, settings.max_spectators_per_table))
    return Spectator(
        services,
        ws,
        record.id,
        spectator_id,
        name,
        batching=_BATCH_VALUES[batch],
        can_chat=can_chat,
        delay_s=state.settings.spectator_delay_s,
    )


async def _table(services: Services, session_id: str | None, code: str | None) -> SessionRecord:
    """The table asked for: by id (a private one with its code too) or by code alone; hidden is not found."""
    store = services.store
    if session_id:
        record = await store.get_session(session_id)
        if (
            record is not None
            and record.is_private
            and not (code and secrets.compare_digest(code.upper().encode(), record.code.upper().encode()))
        ):
            record = None
    elif code:
        record = await store.get_session_by_code(code.upper())
    else:
        raise ClientError("name the table to watch: session=<id>, or code=<join code>", code="VALIDATION_ERROR")
    if record is None:
        raise NotFoundError("no such session", code="SESSION_NOT_FOUND")
    return record
