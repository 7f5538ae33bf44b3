"""The two tiers over real nodes: an ``api`` node and a ``ws`` node on one database and one Redis play a table
together, and each answers 404 for what belongs to the other (``checkgame serve --role``)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from checkgame import __version__
from checkgame.config import Role
from checkgame.transport.roles import refusal_message
from tests.integration.conftest import (
    Server,
    connect,
    create_session,
    expect_error,
    join_as_guest,
    register,
    serving,
)
from tests.integration.test_metrics import scrape, value
from tests.support.services import require

pytestmark = pytest.mark.redis

UPGRADE = {
    "Connection": "Upgrade",
    "Upgrade": "websocket",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
}
"""The head of a game socket's opening handshake, as a browser sends it."""


@asynccontextmanager
async def two_tiers(tmp_path: Path) -> AsyncIterator[tuple[Server, Server]]:
    """An api node and a ws node on one database file and one Redis, as the production overlay deploys them;
    both stopped gracefully after the block."""
    redis = require("redis")
    run = secrets.token_hex(3)
    async with (
        serving(tmp_path, redis_url=redis, node_id=f"api-{run}", role="api") as api,
        serving(tmp_path, redis_url=redis, node_id=f"ws-{run}", role="ws") as ws,
    ):
        yield api, ws


def expect_refusal(response: httpx.Response, role: Role) -> None:
    expect_error(response, 404, "NOT_FOUND")
    assert response.json()["error"]["message"] == refusal_message(role)


async def test_a_table_plays_through_the_api_tier_and_the_ws_tier(tmp_path: Path) -> None:
    async with two_tiers(tmp_path) as (api, ws):
        async with httpx.AsyncClient(base_url=api.url + "/api/v1", timeout=10) as http:
            owner = await register(http)
            table = await create_session(http, owner, max_players=2)
            guest = await join_as_guest(http, table.code, "Bob")
            refused = await http.get("/ws", params={"token": table.token}, headers=UPGRADE)
        expect_refusal(refused, "api")  # the api tier leaves the game socket to the ws tier

        async with connect(ws, table) as ann, connect(ws, guest) as bob:
            for client in (ann, bob):
                frame = await client.until("session_state")
                assert frame["sessionId"] == table.session_id


async def test_the_ws_tier_answers_only_its_socket_the_probes_and_the_scrape(tmp_path: Path) -> None:
    async with two_tiers(tmp_path) as (api, ws):
        # One client, so one kept-alive connection: the role holds for every request on it, not only the first.
        async with httpx.AsyncClient(base_url=ws.url, timeout=10) as http:
            for path in ("/health", "/metrics"):
                assert (await http.get(path)).status_code == 200, path
            for path in ("/", "/join/ABCD", "/openapi.json", "/admin/overview", "/api/v1/sessions/x", "/api/v1"):
                expect_refusal(await http.get(path), "ws")
            expect_refusal(await http.post("/api/v1/auth/register", json={"username": "x"}), "ws")
            assert (await http.get("/ready")).status_code == 200  # still answered on the same connection
        async with httpx.AsyncClient(base_url=ws.url, timeout=10) as http:  # Hypercorn closes after a refused upgrade
            expect_refusal(await http.get("/admin/ws", headers=UPGRADE), "ws")  # the operators' socket

        for node, role in ((api, "api"), (ws, "ws")):
            async with httpx.AsyncClient(base_url=node.url, timeout=10) as http:
                ready = (await http.get("/ready")).json()
            assert (ready["ready"], ready["role"]) == (True, role)
            samples = await scrape(node)
            labels = {"node": node.services.settings.node_id, "database": "sqlite", "live": "redis", "role": role}
            assert value(samples, "checkgame_build_info", version=__version__, **labels) == 1


async def test_the_api_tier_serves_the_rest_and_refuses_an_encoded_game_socket_path(tmp_path: Path) -> None:
    async with two_tiers(tmp_path) as (api, _), httpx.AsyncClient(base_url=api.url, timeout=10) as http:
        for path in ("/", "/openapi.json", "/health", "/ready", "/metrics"):
            assert (await http.get(path)).status_code == 200, path
        expect_error(await http.get("/admin/overview"), 401, "UNAUTHORIZED")  # served: it asks for a token
        expect_refusal(await http.get("/api/v1/%77s", headers=UPGRADE), "api")  # Hypercorn decodes it first
