"""Computer players over the public API: join by REST, play over the WebSocket (docs/protocol.md).

This is a plain network client, the same as any browser or third-party
client: it knows the server only through ``/api/v1`` and the WebSocket, never
through the server's modules, so it also tests what the protocol promises.
The decisions are in :class:`~checkgame.bots.table.BotPlayer` (pure); this
module only moves frames.

Theory of operation
-------------------
One task per bot and one loop per connection, no background tasks: the loop
waits for the next frame, or for the moment a decided move should be sent (a
human-like pause, paced under the server's rate limits), or for the next
``ping``. The server's own ``ping`` is answered with ``pong`` at once (the
operators see the round trip). A move whose position changed meanwhile is dropped
(:meth:`BotPlayer.still_wants`). When the connection drops, the bot
reconnects with ``lastSeq`` and back-off; when the server refuses a move (its
picture was wrong), it reconnects without ``lastSeq`` to get a fresh snapshot.
An operator's kick (``player_kicked``, then close 4403) or end of the session
(``session_ended``) stops the bot like the end of the tournament: no reconnecting.

The WebSocket is trio-websocket's, not the load generator's lean client
(:mod:`checkgame.loadtest.wsclient`): a bot may play on a public server over
``wss://``, and the lean client speaks plain ``ws://`` only.
"""

from __future__ import annotations

import base64
import json
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import trio
from trio_websocket import ConnectionClosed, HandshakeError, WebSocketConnection, open_websocket_url

from checkgame import protocol
from checkgame.bots.levels import Level
from checkgame.bots.roster import strategy_for
from checkgame.bots.search import DEFAULT_PLAYOUTS, DEFAULT_TIME_BUDGET_S
from checkgame.bots.table import BotPlayer

__all__ = ["BotError", "BotResult", "Seat", "join", "leave", "run_bot"]

API = "/api/v1"
CLOSE_POLICY = 1008
"""Bad token, no seat, or too many violations: reconnecting cannot help."""
CLOSE_KICKED = 4403
"""An operator removed this player: the seat is gone, the bot stops."""
PING_EVERY_S = 20.0
"""Well inside the server's 60 s heartbeat timeout."""
BACKOFF_FIRST_S = 0.2
BACKOFF_MAX_S = 5.0
MAX_RECONNECTS = 10
"""Consecutive failed attempts before a bot gives up."""
MAX_RESYNCS = 20
"""Refused moves in a row before a bot gives up (each one fetches a fresh snapshot)."""
RETRY_DELAY_S = 0.1
"""A move offered again on a new connection waits at least this long, so the entries the server replays
right behind ``connection_established`` (the move may have been applied) are read before it is sent."""
ACTIONS_PER_S = 1.5
ACTION_BURST = 4
"""Client-side pacing: the server allows about 2 actions a second (burst 5) and 100 frames a minute
(1.67 a second), so a bot that stays at 1.5 a second is never refused."""

EventSink = Callable[[dict[str, Any]], None]


class BotError(Exception):
    """A bot could not join or had to stop; the message is meant for a person."""


@dataclass(frozen=True, slots=True)
class Seat:
    """A seat taken in a session: what the WebSocket needs."""

    session_id: str
    player_id: str
    session_token: str
    ws_url: str
    name: str = ""
    """The display name the seat was taken with, when known."""


@dataclass(frozen=True, slots=True)
class BotResult:
    """How one bot's tournament went."""

    player_id: str
    name: str
    rank: int | None
    """1 for the winner; ``None`` if the tournament did not finish."""
    games_played: int
    actions_sent: int
    reconnects: int
    ranking: tuple[str, ...] = ()
    """Player ids, winner first."""
    ranking_names: tuple[str, ...] = ()
    stopped: str | None = None
    """``"kicked"`` or ``"ended"`` when an operator stopped the tournament for this bot (then ``rank`` is ``None``)."""


# --------------------------------------------------------------------------- REST


async def _request(http: httpx.AsyncClient, method: str, path: str, *, token: str | None = None, **kw: Any) -> Any:
    """One API call; a refusal becomes a :class:`BotError` carrying the server's code and message."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    for _ in range(3):
        try:
            response = await http.request(method, API + path, headers=headers, **kw)
        except httpx.HTTPError as exc:
            raise BotError(f"cannot reach the server at {http.base_url}: {exc}") from exc
        if response.status_code == 429:  # honour Retry-After a few times rather than fail a whole run
            await trio.sleep(min(float(response.headers.get("Retry-After", "1")), 10.0))
            continue
        break
    if response.is_success:
        return response.json() if response.content else None
    try:
        error = response.json()["error"]
        message = f"{error['code']}: {error['message']}"
    except (ValueError, KeyError, TypeError):
        message = f"HTTP {response.status_code}: {response.text[:200]}"
    raise BotError(message)


async def join(http: httpx.AsyncClient, *, name: str, code: str | None = None, session_id: str | None = None) -> Seat:
    """Take a seat anonymously, by join code or by session id."""
    if (code is None) == (session_id is None):
        raise ValueError("give exactly one of code and session_id")
    if code is not None:
        body = await _request(http, "POST", "/sessions/join-by-code", json={"code": code, "name": name})
    else:
        body = await _request(http, "POST", f"/sessions/{session_id}/join", json={"name": name})
    return Seat(body["sessionId"], body["playerId"], body["sessionToken"], body["wsUrl"], name)


def seat_from_token(base_url: str, session_token: str) -> Seat:
    """The seat a session token (from creating or joining a session) stands for.

    The token's claims are read without checking the signature: the server
    checks it when the socket connects, and refuses a bad one there.

    Raises:
        BotError: the text is not a session token.
    """
    try:
        payload = session_token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        session_id, player_id, name = str(claims["sid"]), str(claims["sub"]), str(claims.get("name") or "")
    except (IndexError, ValueError, KeyError, TypeError):
        raise BotError("not a session token (use the sessionToken from creating or joining a session)") from None
    ws_base = base_url.rstrip("/").replace("http://", "ws://", 1).replace("https://", "wss://", 1)
    return Seat(session_id, player_id, session_token, f"{ws_base}{API}/ws?token={session_token}", name)


async def start_when_full(http: httpx.AsyncClient, seat: Seat, *, poll_s: float = 0.5) -> None:
    """Start the session's tournament (as its creator) once every seat is taken.

    Raises:
        BotError: the server refused (e.g. ``NOT_CREATOR``), or the session is gone.
    """
    while True:
        detail = await _request(http, "GET", f"/sessions/{seat.session_id}")
        live = detail.get("live") or {}
        if live.get("status", "waiting") != "waiting":
            return  # somebody started it already
        seated = [s for s in live.get("seats", []) if not s["left"]]
        if len(seated) >= int(live.get("maxPlayers", 0)):
            await _request(http, "POST", f"/sessions/{seat.session_id}/games/start", token=seat.session_token)
            return
        await trio.sleep(poll_s)


async def leave(http: httpx.AsyncClient, seat: Seat) -> None:
    """Give the seat up (used when the other bots of a run could not join)."""
    await _request(http, "DELETE", f"/sessions/{seat.session_id}/leave", token=seat.session_token)


# --------------------------------------------------------------------------- WebSocket


class _Pace:
    """A token bucket: when the next move may go out without tripping the server's limits."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, float(burst)
        self.tokens, self.stamp = float(burst), trio.current_time()

    def _refill(self, now: float) -> None:
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def ready_at(self, now: float) -> float:
        self._refill(now)
        return now if self.tokens >= 1 else now + (1 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1


@dataclass(frozen=True, slots=True)
class _Ended:
    """Why one connection ended."""

    kind: str  # "done" | "resync" | "closed" | "fatal"
    detail: str = ""
    code: int | None = None


class _Runner:
    """One bot's connections, from the first connect to ``tournament_finished``."""

    def __init__(
        self,
        bot: BotPlayer,
        seat: Seat,
        *,
        think_s: float,
        jitter: random.Random,
        on_event: EventSink | None,
        actions_per_s: float,
        ping_every_s: float,
    ) -> None:
        self.bot, self.seat = bot, seat
        self.think_s, self.jitter, self.on_event = think_s, jitter, on_event
        self.pace = _Pace(actions_per_s, ACTION_BURST)
        self.ping_every_s = ping_every_s
        self.actions_sent = 0
        self.reconnects = 0
        self.failures = 0

    def emit(self, kind: str, **fields: Any) -> None:
        if self.on_event is not None:
            self.on_event({"type": kind, "bot": self.bot.name, **fields})

    async def run(self) -> None:
        resyncs, applied = 0, 0
        fresh = True  # the first connection (and a resync) asks for a snapshot: no lastSeq
        while True:
            last_seq = None if fresh or self.bot.last_seq < 0 else self.bot.last_seq
            url = f"{self.seat.ws_url}&batch=1" + ("" if last_seq is None else f"&lastSeq={last_seq}")
            try:
                async with open_websocket_url(url) as ws:
                    try:
                        ended = await self._converse(ws)
                    finally:
                        # trio-websocket 0.12 leaves the TCP socket open when the server started the
                        # close handshake and the block ends first (a ResourceWarning): close it here.
                        await ws._close_stream()
            except HandshakeError as exc:
                ended = _Ended("closed", f"cannot connect: {exc!r}")
            match ended.kind:
                case "done":
                    return
                case "fatal":
                    raise BotError(ended.detail)
                case "resync":
                    if self.bot.moves_applied != applied:  # count refusals in a row, not in a whole run
                        resyncs, applied = 0, self.bot.moves_applied
                    resyncs += 1
                    if resyncs > MAX_RESYNCS:
                        raise BotError(f"gave up after {MAX_RESYNCS} refused moves in a row: {self.bot.log[-1]}")
                    if ended.detail == "RATE_LIMITED":  # let the server's buckets refill first
                        await trio.sleep(1.0)
                    fresh = True
                    continue
            self.failures += 1
            if self.failures > MAX_RECONNECTS:
                raise BotError(f"gave up after {MAX_RECONNECTS} failed reconnects: {ended.detail}")
            delay = min(BACKOFF_FIRST_S * 2 ** (self.failures - 1), BACKOFF_MAX_S)
            self.emit("reconnecting", attempt=self.failures, delay=delay, reason=ended.detail, code=ended.code)
            await trio.sleep(delay)
            self.reconnects += 1
            fresh = False

    async def _on_timer(
        self, ws: WebSocketConnection, pending: tuple[float, int, dict[str, Any]] | None, next_ping: float, now: float
    ) -> tuple[tuple[float, int, dict[str, Any]] | None, float]:
        """Send the move that is due (when the pace allows) and the keep-alive; return what is still to come."""
        if pending is not None and now >= pending[0]:
            _, epoch, frame = pending
            pending = None
            if self.bot.still_wants(epoch):
                if (ready := self.pace.ready_at(now)) > now:
                    pending = (ready, epoch, frame)
                else:
                    self.pace.take(now)
                    await ws.send_message(json.dumps(frame))
                    self.actions_sent += 1
        if now >= next_ping:
            await ws.send_message(json.dumps({"type": "ping", "data": {}}))
            next_ping = now + self.ping_every_s
        return pending, next_ping

    async def _converse(self, ws: WebSocketConnection) -> _Ended:
        """Play over one connection until the tournament ends or the connection does."""
        bot = self.bot
        pending: tuple[float, int, dict[str, Any]] | None = None  # (send at, epoch, frame)
        next_ping = trio.current_time() + self.ping_every_s
        established = False
        inbox: deque[dict[str, Any]] = deque()  # the rest of a batch (an array of frames) still to handle
        now = trio.current_time()
        try:
            while True:
                if inbox:
                    frame = inbox.popleft()
                else:
                    wake = next_ping if pending is None else min(next_ping, pending[0])
                    raw: str | bytes | None = None
                    with trio.move_on_at(wake):
                        raw = await ws.get_message()
                    now = trio.current_time()
                    if raw is None:
                        pending, next_ping = await self._on_timer(ws, pending, next_ping, now)
                        continue
                    inbox.extend(frames_of(raw))
                    continue
                kind = frame.get("type")
                if kind == "ping":  # the server measures the round trip: answer now, not after a move's pause
                    nonce = (frame.get("data") or {}).get("nonce")
                    await ws.send_message(json.dumps({"type": "pong", "data": {"nonce": nonce}}))
                    continue
                if kind == "error" and not established:  # refused at the door (bad token, no seat)
                    data = frame.get("data") or {}
                    return _Ended("fatal", f"{data.get('code')}: {data.get('message')}")
                if bot.strategy.level is Level.HARD:  # a search takes a while: keep the event loop free meanwhile
                    reply = await trio.to_thread.run_sync(self._handle, frame)
                else:
                    reply = self._handle(frame)
                if kind == "connection_established":
                    established, self.failures = True, 0
                if bot.done:
                    return _Ended("done")
                if kind in ("invalid_action", "error") and bot.resync_requested:
                    code = (frame.get("data") or {}).get("code")
                    self.emit("refused", message=bot.log[-1], code=code)
                    return _Ended("resync", detail=str(code))
                if reply is not None:
                    # A move offered again after a reconnect waits for the missed entries queued behind.
                    delay = max(self._think(), RETRY_DELAY_S) if kind == "connection_established" else self._think()
                    pending = (now + delay, bot.epoch, reply)
                elif pending is not None and not bot.still_wants(pending[1]):
                    pending = None
        except ConnectionClosed as exc:
            code = int(exc.reason.code) if exc.reason is not None else 1006
            reason = exc.reason.reason if exc.reason is not None else None
            if code == CLOSE_KICKED:  # the player_kicked entry may not have been read: the close says it too
                was_done = bot.done
                bot.table.stop("kicked")
                self._report_stop(was_done)
                return _Ended("done")
            detail = f"connection closed ({code}{': ' + reason if reason else ''})"
            return _Ended("fatal" if code == CLOSE_POLICY else "closed", detail, code)

    def _handle(self, frame: dict[str, Any]) -> dict[str, Any] | None:
        """Let the bot take the frame in, and report what a person would want to know."""
        bot, table = self.bot, self.bot.table
        was_eliminated, was_done = table.eliminated, bot.done
        reply = bot.handle(frame)
        kind = frame.get("type")
        if kind == protocol.GameStarted.TYPE and table.in_game:
            players = [table.name_of(p) for p in table.players]
            self.emit("game_started", game=table.game_number, players=players, hand=len(table.hand))
        if table.eliminated and not was_eliminated:
            self.emit("eliminated", game=table.game_number)
        if table.stopped is not None:
            self._report_stop(was_done)
        elif bot.done and not was_done:
            ranking = table.ranking or []
            self.emit("tournament_finished", rank=bot.rank, ranking=[table.name_of(p) for p in ranking])
        return reply

    def _report_stop(self, was_done: bool) -> None:
        """Tell, once, that an operator stopped this bot (``kicked`` or ``session_ended``, with the reason)."""
        table = self.bot.table
        if not was_done and table.stopped is not None:
            self.emit("kicked" if table.stopped == "kicked" else "session_ended", reason=table.stop_reason)

    def _think(self) -> float:
        return self.think_s * self.jitter.uniform(0.5, 1.5)


async def run_bot(
    base_url: str,
    *,
    code: str | None = None,
    session_id: str | None = None,
    name: str,
    seed: int | None = None,
    think_s: float = 0.3,
    on_event: EventSink | None = None,
    seat: Seat | None = None,
    actions_per_s: float = ACTIONS_PER_S,
    ping_every_s: float = PING_EVERY_S,
    level: Level = Level.NORMAL,
    playouts: int = DEFAULT_PLAYOUTS,
    move_budget_s: float = DEFAULT_TIME_BUDGET_S,
) -> BotResult:
    """Join a session as ``name`` and play until its tournament is over.

    Args:
        base_url: the server, e.g. ``http://127.0.0.1:8000``.
        code: the session's join code, or
        session_id: its id (give exactly one of the two, unless ``seat`` is given).
        name: display name of the anonymous player.
        seed: makes the bot's choices (and pauses) repeatable.
        think_s: average pause before each move.
        on_event: called with notable events (``{"type": "joined" | "game_started" | "eliminated" |
            "tournament_finished" | "kicked" | "session_ended" | "reconnecting" | "refused", "bot": name, ...}``).
        seat: an already taken seat (e.g. the creator's session token), instead of joining.
        actions_per_s: client-side pacing of moves (keep it under the server's limits).
        ping_every_s: keep-alive interval.
        level: how well it plays (``easy``, ``normal``, ``hard``).
        playouts: the ``hard`` level's search budget per move, in playouts, and
        move_budget_s: in seconds (whichever runs out first); the search runs in a worker thread.

    Raises:
        BotError: the server refused the join (its code and message), or the bot had to give up.
    """
    if seat is None:
        async with httpx.AsyncClient(base_url=base_url, timeout=10.0) as http:
            seat = await join(http, name=name, code=code, session_id=session_id)
    rng = random.Random(seed)
    bot = BotPlayer(
        name,
        rng=random.Random(rng.getrandbits(64)),
        strategy=strategy_for(level, playouts=playouts, time_budget_s=move_budget_s),
        action_prefix=f"{rng.getrandbits(32):08x}",
    )
    bot.table.me = seat.player_id
    runner = _Runner(
        bot,
        seat,
        think_s=think_s,
        jitter=random.Random(rng.getrandbits(64)),
        on_event=on_event,
        actions_per_s=actions_per_s,
        ping_every_s=ping_every_s,
    )
    runner.emit("joined", playerId=seat.player_id, sessionId=seat.session_id)
    await runner.run()
    table = bot.table
    ranking = tuple(table.ranking or ())
    return BotResult(
        player_id=bot.player_id or seat.player_id,
        name=name,
        rank=bot.rank,
        games_played=bot.games_played,
        actions_sent=runner.actions_sent,
        reconnects=runner.reconnects,
        ranking=ranking,
        ranking_names=tuple(table.name_of(p) for p in ranking),
        stopped=table.stopped,
    )


def frames_of(raw: str | bytes) -> list[dict[str, Any]]:
    """The server frames in one WebSocket message: a plain frame, or an array of them (``batch=1``)."""
    message = json.loads(raw)
    return message if isinstance(message, list) else [message]
