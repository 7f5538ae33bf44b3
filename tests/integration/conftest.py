"""A real server on 127.0.0.1 with a free port, driven by real HTTP and WebSocket clients.

``server`` starts :func:`checkgame.app.serve_checkgame` in the test's nursery
with fast timers and a throwaway SQLite file; ``TableClient`` wraps one
player's trio-websocket connection and checks every frame it receives for
other players' cards (RULES.md §16).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio
from trio_websocket import WebSocketConnection, open_websocket_url

from checkgame.app import serve_checkgame
from checkgame.bots.table import BotPlayer
from checkgame.config import Settings
from checkgame.transport.context import Services

TEST_SETTINGS = Settings(
    host="127.0.0.1",
    port=0,
    jwt_secret="integration-tests-secret-0123456789abcdef",
    turn_timeout_s=30.0,
    grace_s=60.0,
    next_game_delay_s=0.05,
    auth_per_min=10_000,
    sessions_per_hour=10_000,
    requests_per_min=100_000,
    shutdown_timeout_s=3.0,
    node_id="test-node",
)


@dataclass
class Server:
    """A running node and the means to stop it."""

    services: Services
    stop: trio.Event

    @property
    def url(self) -> str:
        return self.services.settings.public_url


async def start_server(nursery: trio.Nursery, tmp_path: Path, **overrides: Any) -> Server:
    """Start a node with :data:`TEST_SETTINGS` changed by ``overrides``."""
    settings = replace(TEST_SETTINGS, database_url=f"sqlite:///{tmp_path / 'checkgame.db'}", **overrides)
    stop = trio.Event()
    services = await nursery.start(
        lambda task_status: serve_checkgame(settings, shutdown_trigger=stop.wait, task_status=task_status)
    )
    return Server(services, stop)


@pytest.fixture
async def server(nursery: trio.Nursery, tmp_path: Path) -> AsyncIterator[Server]:
    node = await start_server(nursery, tmp_path)
    yield node
    node.stop.set()


@pytest.fixture
async def http(server: Server) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url + "/api/v1", timeout=10) as client:
        yield client


_names = itertools.count(1)

PASSWORD = "amber-otter-lantern"
"""The tests' accounts' password: strong enough for the registration rule (checkgame/auth/strength.py)."""


@dataclass
class Account:
    """A registered user and their tokens."""

    username: str
    user_id: str
    access: str
    refresh: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access}"}


async def register(http: httpx.AsyncClient, username: str | None = None) -> Account:
    username = username or f"user{next(_names)}"
    response = await http.post(
        "/auth/register", json={"username": username, "email": f"{username}@example.com", "password": PASSWORD}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return Account(username, body["user"]["id"], body["accessToken"], body["refreshToken"])


@dataclass
class Seat:
    """One seat of a session: who and the token to connect with."""

    session_id: str
    player_id: str
    token: str
    code: str = ""


async def create_session(http: httpx.AsyncClient, owner: Account, max_players: int = 4, **extra: Any) -> Seat:
    response = await http.post("/sessions", json={"name": "table", "maxPlayers": max_players, **extra},
                               headers=owner.auth)  # fmt: skip
    assert response.status_code == 201, response.text
    body = response.json()
    return Seat(body["session"]["id"], body["playerId"], body["sessionToken"], body["joinCode"])


async def join_as_guest(http: httpx.AsyncClient, code: str, name: str) -> Seat:
    response = await http.post("/sessions/join-by-code", json={"code": code, "name": name})
    assert response.status_code == 200, response.text
    body = response.json()
    return Seat(body["sessionId"], body["playerId"], body["sessionToken"])


async def eventually(
    probe: Callable[[], Awaitable[httpx.Response]], done: Callable[[Any], bool], timeout: float = 10
) -> Any:
    """Poll ``probe`` until its JSON body satisfies ``done`` (results are written in the background)."""
    with trio.fail_after(timeout):
        while True:
            response = await probe()
            assert response.status_code == 200, response.text
            body = response.json()
            if done(body):
                return body
            await trio.sleep(0.02)


@dataclass
class TableClient:
    """One player's WebSocket, with the frames it received and a check that no foreign cards leak."""

    seat: Seat
    ws: WebSocketConnection
    frames: list[dict[str, Any]] = field(default_factory=list)
    hand: list[dict[str, str]] = field(default_factory=list)
    last_seq: int = 0

    async def send(self, type_: str, **data: Any) -> None:
        await self.ws.send_message(json.dumps({"type": type_, "data": data}))

    async def receive(self) -> dict[str, Any]:
        frame: dict[str, Any] = json.loads(await self.ws.get_message())
        self._check_private(frame)
        self.frames.append(frame)
        if frame.get("seq") is not None:
            self.last_seq = frame["seq"]
        return frame

    async def until(self, *types: str, timeout: float = 10) -> dict[str, Any]:
        """Receive until a frame of one of ``types`` arrives (a ceiling, not a speed check)."""
        with trio.fail_after(timeout):
            while True:
                frame = await self.receive()
                if frame["type"] in types:
                    return frame

    def _check_private(self, frame: dict[str, Any]) -> None:
        """RULES.md §16: a hand or drawn cards only ever reach their owner."""
        data = frame.get("data") or {}
        me = self.seat.player_id
        if frame["type"] == "card_drawn":
            assert "cards" not in data or data["player"] == me, frame
        if frame["type"] in ("game_started", "session_state"):
            game = data.get("game") if frame["type"] == "session_state" else data
            if game and "hand" in game:
                players = game.get("players", [])
                ids = [p["id"] if isinstance(p, dict) else p for p in players]
                assert me in ids, frame
        text = json.dumps(data)
        assert '"hands"' not in text, frame


@asynccontextmanager
async def open_ws(url: str) -> AsyncIterator[WebSocketConnection]:
    """``open_websocket_url`` that also closes the TCP socket after a close started by the server.

    trio-websocket 0.12's client waits for the server's TCP close after a
    close handshake the server started, and when the block ends first it
    leaves the socket open (a ResourceWarning under ``filterwarnings=error``).
    """
    opened: WebSocketConnection | None = None
    try:
        async with open_websocket_url(url) as opened:
            yield opened
    finally:
        if opened is not None:
            await opened._close_stream()  # after the close handshake, whichever side started it


@asynccontextmanager
async def connect(server: Server, seat: Seat, last_seq: int | None = None) -> AsyncIterator[TableClient]:
    """Open a player's socket."""
    async with connect_url(server.url, seat, last_seq) as client:
        yield client


@asynccontextmanager
async def connect_url(base_url: str, seat: Seat, last_seq: int | None = None) -> AsyncIterator[TableClient]:
    """Open a player's socket on the server (or load balancer) at ``base_url``."""
    url = base_url.replace("http://", "ws://") + f"/api/v1/ws?token={seat.token}"
    if last_seq is not None:
        url += f"&lastSeq={last_seq}"
    async with open_ws(url) as ws:
        yield TableClient(seat, ws)


@asynccontextmanager
async def serving(tmp_path: Path, **overrides: Any) -> AsyncIterator[Server]:
    """A node of its own (e.g. with low rate limits) for the block, stopped and awaited after it."""
    await trio.Path(tmp_path).mkdir(parents=True, exist_ok=True)
    async with trio.open_nursery() as nursery:
        node = await start_server(nursery, tmp_path, **overrides)
        try:
            yield node
        finally:
            node.stop.set()


def expect_error(response: httpx.Response, status: int, code: str) -> Any:
    """Check a refusal: ``status`` and the body ``{"error": {"code", "message", "details"?}}``; return details."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json", response.headers
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert error["code"] == code, body
    assert isinstance(error["message"], str), body
    assert error["message"], body
    assert set(error) <= {"code", "message", "details"}, body
    if status == 401:
        assert response.headers.get("WWW-Authenticate") == "Bearer", response.headers
    return error.get("details")


async def play_to_the_end(client: TableClient, bot: BotPlayer, done: trio.Event | None = None) -> None:
    """Answer every frame with the bot's move until the tournament is over (then set ``done``)."""
    for frame in client.frames:  # what arrived before the game (connection_established, session_state)
        assert bot.handle(frame) is None
    with trio.fail_after(120):  # a ceiling against a hang, not a speed requirement
        while not bot.done:
            frame = await client.receive()
            reply = bot.handle(frame)
            assert frame["type"] not in ("invalid_action", "error"), frame
            if reply is not None:
                await client.ws.send_message(json.dumps(reply))
    if done is not None:
        done.set()
