"""One table of a worker: seat its players, play them over WebSockets, time each action to the whole table.

An action's latency runs from the moment its player sends it to the moment
the *last* player of the table receives its effect (``card_played``,
``card_drawn`` or ``suit_chosen`` by that player). All the table's players
live in this process, so one monotonic clock times both ends. A table plays
tournament after tournament in fresh sessions until the worker stops, so the
number of seated players stays what the plan asked for.

The echo table does the same over ``/bench/echo``: the players take turns
sending a frame the size of a move, which the route relays to the whole table.
"""

from __future__ import annotations

import contextlib
import random
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import msgspec
import trio

from checkgame import protocol
from checkgame.bots.table import BotPlayer
from checkgame.loadtest.plan import Plan
from checkgame.loadtest.wsclient import ConnectionClosed, HandshakeError, WebSocket, connect

__all__ = ["Account", "Counters", "EchoTable", "GameTable", "RestError"]

API = "/api/v1"
MOVES = frozenset(kind.TYPE for kind in (protocol.CardPlayed, protocol.CardDrawn, protocol.SuitChosen))
CLOSE_POLICY = 1008
RETRY_S = 1.0
"""Pause before a table tries again after a refused REST call or a lost connection."""
PING_EVERY_S = 20.0
"""A connection quiet this long sends a ping, well inside the server's 60 s heartbeat timeout."""

_decode = msgspec.json.Decoder().decode
_encode = msgspec.json.Encoder().encode


def _text(frame: dict[str, Any]) -> str:
    return _encode(frame).decode()


@dataclass
class Counters:
    """What a worker has seen; the parent reads a snapshot every second."""

    connected: int = 0
    playing: int = 0
    """Tables whose tournament is running (or, idle, whose players are all connected)."""
    actions: int = 0
    frames: int = 0
    """Frames received from the server: what it had to send."""
    messages: int = 0
    """WebSocket messages received from the server: a batch of frames counts once."""
    tournaments: int = 0
    reconnects: int = 0
    incomplete: int = 0
    """Actions whose effect some player of the table never saw (a refused move, a resync)."""
    errors: Counter[str] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    """Since the last snapshot."""


class RestError(Exception):
    """A REST call the server refused: ``code`` is its error code (or the HTTP status)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


async def _call(http: httpx.AsyncClient, path: str, body: dict[str, Any] | None = None, token: str = "") -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else None
    try:
        response = await http.post(API + path, json=body, headers=headers)
    except httpx.HTTPError as exc:
        raise RestError(type(exc).__name__) from None
    if response.is_success:
        return response.json()
    try:
        code = str(response.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        code = f"HTTP_{response.status_code}"
    raise RestError(code)


@dataclass
class Account:
    """The one registered user of a worker: it creates every session its tables play (and sits at seat 1)."""

    username: str
    password: str
    access: str = ""
    issued_at: float = 0.0
    lock: trio.Lock = field(default_factory=trio.Lock)
    """The tables of a worker ask at once; one of them registers."""

    REFRESH_AFTER_S = 600.0
    """Log in again well before the 15-minute access token expires."""

    async def token(self, http: httpx.AsyncClient) -> str:
        async with self.lock:
            return await self._token(http)

    async def _token(self, http: httpx.AsyncClient) -> str:
        if not self.access:
            body = await _call(
                http,
                "/auth/register",
                {"username": self.username, "email": f"{self.username}@load.test", "password": self.password},
            )
        elif time.monotonic() - self.issued_at > self.REFRESH_AFTER_S:
            body = await _call(http, "/auth/login", {"login": self.username, "password": self.password})
        else:
            return self.access
        self.access, self.issued_at = str(body["accessToken"]), time.monotonic()
        return self.access


class _Turns:
    """Actions sent and not yet seen by the whole table: mover → [sent at, players who saw it]."""

    def __init__(self, seats: int, counters: Counters) -> None:
        self.seats = seats
        self.counters = counters
        self._pending: dict[object, list[float]] = {}

    def sent(self, key: object, at: float) -> None:
        if key in self._pending:
            self.counters.incomplete += 1  # the previous one never reached everybody
        self._pending[key] = [at, 0.0]

    def seen(self, key: object, at: float) -> None:
        pending = self._pending.get(key)
        if pending is None:
            return
        pending[1] += 1
        if pending[1] >= self.seats:
            del self._pending[key]
            self.counters.latencies_ms.append((at - pending[0]) * 1000.0)


class _Player:
    """One seat's connection(s): feeds frames to its bot, records arrivals, sends the bot's moves after a pause."""

    def __init__(self, table: GameTable, player_id: str, token: str, name: str) -> None:
        self.table = table
        self.bot = BotPlayer(name, rng=random.Random(table.rng.getrandbits(32)))
        self.bot.table.me = player_id
        self.url = f"{table.ws_base}{API}/ws?token={token}&batch=1"  # frames waiting together: one array
        self.ws: WebSocket | None = None
        self.ready = trio.Event()
        self._moves: trio.Nursery

    async def run(self) -> None:
        """Connect, and reconnect with ``lastSeq`` after a drop, until the tournament is over."""
        async with trio.open_nursery() as self._moves:  # the pending moves outlive a dropped connection
            await self._connect_until_done()
            self._moves.cancel_scope.cancel()

    async def _connect_until_done(self) -> None:
        counters = self.table.counters
        failures = 0
        while not self.bot.done:
            last = self.bot.last_seq
            url = self.url if last < 0 else f"{self.url}&lastSeq={last}"
            try:
                async with connect(url) as ws:
                    self.ws = ws
                    counters.connected += 1
                    try:
                        await self._converse(ws)
                        return
                    except ConnectionClosed as exc:
                        counters.errors[f"closed {exc.code}"] += 1
                    finally:
                        counters.connected -= 1
                        self.ws = None
            except (HandshakeError, OSError) as exc:
                counters.errors[f"connect {type(exc).__name__}"] += 1
            failures += 1
            if failures > 5:
                raise RestError("gave up reconnecting")
            counters.reconnects += 1
            await trio.sleep(RETRY_S)

    async def _converse(self, ws: WebSocket) -> None:
        bot = self.bot
        next_ping = trio.current_time() + PING_EVERY_S
        while not bot.done:
            with trio.move_on_at(next_ping) as waiting:
                raw = await ws.get_message()
            if waiting.cancelled_caught:  # this player may only be listening (idle, eliminated): say so
                await ws.send_message('{"type":"ping","data":{}}')
                next_ping = trio.current_time() + PING_EVERY_S
                continue
            now = time.perf_counter()  # every frame of a batch arrived at this moment
            self.table.counters.messages += 1
            message = _decode(raw)
            for frame in message if isinstance(message, list) else [message]:
                await self._on_frame(ws, frame, now)

    async def _on_frame(self, ws: WebSocket, frame: dict[str, Any], now: float) -> None:
        bot, table, counters = self.bot, self.table, self.table.counters
        counters.frames += 1
        kind = frame["type"]
        seq = frame.get("seq")
        if kind in MOVES and seq is not None and seq > bot.last_seq:
            table.turns.seen(frame["data"]["player"], now)
        elif kind == "session_state":
            self.ready.set()
        elif kind in ("invalid_action", "error"):
            counters.errors[f"{kind} {frame['data'].get('code')}"] += 1
        reply = bot.handle(frame)
        if kind in ("invalid_action", "error") and bot.resync_requested:  # its picture was wrong
            await ws.send_message(_text({"type": "resume", "data": {"lastSeq": -1}}))
        elif reply is not None and not table.plan.idle:
            self._moves.start_soon(self._move_later, ws, reply, bot.epoch)

    async def _move_later(self, ws: WebSocket, frame: dict[str, Any], epoch: int) -> None:
        table = self.table
        await trio.sleep(table.think())
        if not self.bot.still_wants(epoch) or ws is not self.ws:
            return
        table.turns.sent(self.bot.table.me, time.perf_counter())
        table.counters.actions += 1
        with contextlib.suppress(ConnectionClosed):  # the reconnection offers the move again
            await ws.send_message(_text(frame))


class GameTable:
    """One table of the real game: sessions created by the worker's account, the other seats joined as guests."""

    def __init__(
        self, plan: Plan, number: int, seats: int, http: httpx.AsyncClient, account: Account, counters: Counters
    ) -> None:
        self.plan, self.number, self.seats = plan, number, seats
        self.http, self.account, self.counters = http, account, counters
        self.rng = random.Random(number)
        self.ws_base = plan.url.replace("http://", "ws://", 1).replace("https://", "wss://", 1).rstrip("/")
        self.turns = _Turns(seats, counters)
        self.players: list[_Player] = []

    def think(self) -> float:
        mean, jitter = self.plan.think_s, self.plan.jitter
        return mean * self.rng.uniform(1 - jitter, 1 + jitter)

    async def run(self) -> None:
        """Play tournament after tournament; a refused call or a broken table is counted and retried."""
        while True:
            try:
                await self._tournament()
                self.counters.tournaments += 1
            except* RestError as failed:
                for error in failed.exceptions:
                    self.counters.errors[f"rest {error}"] += 1
            else:
                continue
            await trio.sleep(RETRY_S)

    async def _tournament(self) -> None:
        http, counters = self.http, self.counters
        created = await _call(
            http, "/sessions", {"name": f"load {self.number}", "maxPlayers": self.seats}, await self.account.token(http)
        )
        seats = [(str(created["playerId"]), str(created["sessionToken"]), self.account.username)]
        for i in range(1, self.seats):
            name = f"t{self.number}p{i}"
            joined = await _call(http, "/sessions/join-by-code", {"code": created["joinCode"], "name": name})
            seats.append((str(joined["playerId"]), str(joined["sessionToken"]), name))
        self.turns = _Turns(self.seats, counters)
        self.players = [_Player(self, *seat) for seat in seats]
        seated = False
        try:
            async with trio.open_nursery() as nursery:
                for player in self.players:
                    nursery.start_soon(player.run)
                for player in self.players:
                    await player.ready.wait()
                seated = True
                counters.playing += 1
                if self.plan.idle:
                    await trio.sleep_forever()
                await _call(http, f"/sessions/{created['session']['id']}/games/start", token=seats[0][1])
        finally:  # the players' tasks end with the tournament
            counters.playing -= seated


class _EchoPlayer:
    def __init__(self, table: EchoTable, index: int) -> None:
        self.table, self.index = table, index
        self.ws: WebSocket | None = None

    async def run(self, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        table = self.table
        async with connect(table.url) as ws, trio.open_nursery() as nursery:
            self.ws = ws
            table.counters.connected += 1
            task_status.started()
            try:
                while True:
                    raw = await ws.get_message()
                    now = time.perf_counter()
                    table.counters.frames += 1
                    table.counters.messages += 1
                    turn = int(_decode(raw)["turn"])
                    table.turns.seen(turn, now)
                    if (turn + 1) % table.seats == self.index:
                        nursery.start_soon(table.move_later, ws, turn + 1)
            finally:
                table.counters.connected -= 1


class EchoTable:
    """A table on the bare echo route: same seats, pace and latency definition, no game behind it."""

    def __init__(self, plan: Plan, number: int, seats: int, counters: Counters) -> None:
        self.plan, self.seats, self.counters = plan, seats, counters
        self.rng = random.Random(number)
        base = plan.url.replace("http://", "ws://", 1).replace("https://", "wss://", 1).rstrip("/")
        self.url = f"{base}/bench/echo?room={number}-{secrets.token_hex(4)}"
        self.turns = _Turns(seats, counters)
        self.padding = "x" * 80  # a move frame's size: {"type":"play_card","data":{"card":..,"actionId":..}}

    async def run(self) -> None:
        """Seat the table and pass the turn around until the worker stops; a lost connection seats it again."""
        while True:
            try:
                await self._play()
            except* (ConnectionClosed, HandshakeError, OSError) as failed:
                for error in failed.exceptions:
                    self.counters.errors[f"echo {type(error).__name__}"] += 1
            await trio.sleep(RETRY_S)

    async def _play(self) -> None:
        players = [_EchoPlayer(self, i) for i in range(self.seats)]
        self.turns = _Turns(self.seats, self.counters)
        seated = False
        try:
            async with trio.open_nursery() as nursery:
                for player in players:
                    await nursery.start(player.run)
                seated = True
                self.counters.playing += 1
                assert players[0].ws is not None
                if not self.plan.idle:
                    nursery.start_soon(self.move_later, players[0].ws, 0)
        finally:
            self.counters.playing -= seated

    async def move_later(self, ws: WebSocket, turn: int) -> None:
        await trio.sleep(self.plan.think_s * self.rng.uniform(1 - self.plan.jitter, 1 + self.plan.jitter))
        self.turns.sent(turn, time.perf_counter())
        self.counters.actions += 1
        await ws.send_message(_text({"turn": turn, "pad": self.padding}))
