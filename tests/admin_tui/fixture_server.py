"""A fixed, made-up server for the snapshot tests only: the same answers every run, so screens can be compared.

Behaviour tests never use this; they drive a real server (see conftest.py).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

T0 = 1_795_636_800
"""2026-11-25 20:00:00 UTC, the server's clock in this data (live times are epoch seconds)."""

OVERVIEW = {
    "type": "overview",
    "serverTime": T0,
    "node": "node-a1",
    "nodes": [
        {"id": "node-a1", "startedAt": T0 - 3720, "lastSeen": T0 - 1,
         "connections": 5, "draining": False, "version": "0.4.0"},
        {"id": "node-b2", "startedAt": T0 - 1800, "lastSeen": T0 - 2,
         "connections": 2, "draining": True, "version": "0.4.0"},
    ],
    "uptimeSeconds": 3720,
    "sessions": {"waiting": 2, "playing": 1, "finished": 14},
    "gamesInProgress": 1,
    "connections": 7,
    "users": 42,
    "rates": {"actionsPerSecond": 3.5, "messagesInPerSecond": 4.25, "messagesOutPerSecond": 17.0},
}  # fmt: skip

PLAYERS = [
    {"playerId": "p-ann", "name": "Ann", "connected": True, "cardCount": 3, "eliminated": False},
    {"playerId": "p-bob", "name": "Bob", "connected": True, "cardCount": 6, "eliminated": False},
    {"playerId": "p-cy", "name": "Cy", "connected": False, "cardCount": 4, "eliminated": False},
]

# The session name looks like Rich markup on purpose: the console must show it as typed.
SESSION = {
    "id": "s-friday-table-0001", "code": "FRI7AB", "name": "Friday [b]table[/b]", "status": "playing", "maxPlayers": 4,
    "playerCount": 3, "createdAt": "2026-11-25T19:40:00Z", "gameNumber": 2, "players": PLAYERS,
}  # fmt: skip


def _seat(player: dict[str, Any], *, current: bool = False) -> dict[str, Any]:
    keep = ("playerId", "name", "cardCount", "connected")
    return {key: player[key] for key in keep} | {"finished": False, "current": current}


DETAIL = {
    "session": SESSION,
    "table": {
        "gameId": "g-0002",
        "seats": [_seat(PLAYERS[0]), _seat(PLAYERS[1], current=True), _seat(PLAYERS[2])],
        "topCard": {"rank": "7", "suit": "hearts"},
        "demandedSuit": None,
        "penalty": 2,
        "drawPileCount": 31,
        "currentPlayer": "p-bob",
        "turnDeadline": T0 + 25,
    },
    "log": [
        {"seq": 40, "type": "game_started", "at": T0 - 30, "text": "cards dealt; Ann plays first on 9♣"},
        {"seq": 41, "type": "card_played", "at": T0 - 12, "text": "Ann played J♠ and named hearts"},
        {"seq": 42, "type": "card_played", "at": T0 - 4, "text": "Cy played 7♥ (penalty 2)"},
    ],
}

SESSIONS = [
    SESSION,
    {"id": "s-lunch-0002", "code": "LUN3CH", "name": "Lunch break", "status": "waiting", "maxPlayers": 2,
     "playerCount": 1, "createdAt": "2026-11-25T19:55:00Z", "gameNumber": None, "players": PLAYERS[:1]},
]  # fmt: skip


def handler(request: httpx.Request) -> httpx.Response:
    """Answers the console's requests from the data above."""
    path = request.url.path
    answers: dict[str, Any] = {
        "/api/v1/auth/login": {"accessToken": "a", "refreshToken": "r", "user": {"username": "root", "role": "admin"}},
        "/admin/overview": OVERVIEW,
        "/admin/sessions": {"sessions": SESSIONS},
        f"/admin/sessions/{SESSION['id']}": DETAIL,
        "/admin/connections": {"connections": []},
        "/admin/audit": {"entries": []},
        "/admin/users": {"users": [], "total": 0},
        "/health": {"status": "healthy", "checks": {"database": {"status": "ok", "latencyMs": 1}}},
        "/ready": {"ready": True, "reasons": []},
    }
    if path not in answers:
        return httpx.Response(404, json={"error": {"code": "NOT_FOUND", "message": path}})
    return httpx.Response(200, json=answers[path])


transport = httpx.MockTransport(handler)


class QuietSocket:
    """A live feed that is open and says nothing, so screens show only the fixed data."""

    def __init__(self) -> None:
        self.sent: list[Any] = []

    async def send(self, message: str) -> None:
        self.sent.append(json.loads(message))

    def __aiter__(self) -> AsyncIterator[str]:
        return self

    async def __anext__(self) -> str:
        await asyncio.Event().wait()
        raise StopAsyncIteration


@asynccontextmanager
async def quiet_connector(url: str) -> AsyncIterator[QuietSocket]:
    yield QuietSocket()
