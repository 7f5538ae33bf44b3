"""The admin API of one node acting on another through Redis: connections, kick and drain across nodes."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio

from checkgame.transport.ws import player
from tests.integration.conftest import (
    Server,
    connect,
    create_session,
    eventually,
    join_as_guest,
    register,
    start_server,
)
from tests.integration.test_admin_api import closed_with, promoted
from tests.support.services import require

pytestmark = pytest.mark.redis


async def two_nodes(nursery: trio.Nursery, tmp_path: Path) -> tuple[Server, Server]:
    """Two nodes on one database file and one Redis, with names no other test uses."""
    redis = require("redis")
    run = secrets.token_hex(3)
    a = await start_server(nursery, tmp_path, redis_url=redis, node_id=f"adm-a-{run}")
    b = await start_server(nursery, tmp_path, redis_url=redis, node_id=f"adm-b-{run}")
    return a, b


async def test_one_node_lists_kicks_and_drains_what_another_node_holds(nursery: trio.Nursery, tmp_path: Path) -> None:
    a, b = await two_nodes(nursery, tmp_path)
    node_b = b.services.settings.node_id
    try:
        async with (
            httpx.AsyncClient(base_url=a.url + "/api/v1", timeout=10) as http,
            httpx.AsyncClient(base_url=a.url + "/admin", timeout=10) as admin_http,
        ):
            admin = await promoted(a, http)
            owner = await register(http)
            table = await create_session(http, owner, max_players=3)
            bob_seat = await join_as_guest(http, table.code, "Bob")
            cat_seat = await join_as_guest(http, table.code, "Cat")
            async with connect(a, table) as ann, connect(b, bob_seat) as bob, connect(b, cat_seat) as cat:
                for client in (ann, bob, cat):
                    await client.until("session_state")

                async def connections() -> httpx.Response:
                    return await admin_http.get("/connections", headers=admin.auth)

                ours = {a.services.settings.node_id, node_b}  # other test runs may share this Redis database

                def mine(body: dict[str, Any]) -> list[dict[str, Any]]:
                    return [c for c in body["connections"] if c["node"] in ours]

                listed = await eventually(connections, lambda body: len(mine(body)) == 3)
                nodes = {c["playerId"]: c["node"] for c in mine(listed)}
                assert nodes == {table.player_id: a.services.settings.node_id, bob_seat.player_id: node_b,
                                 cat_seat.player_id: node_b}  # fmt: skip
                overview = (await admin_http.get("/overview", headers=admin.auth)).json()
                assert {node_b, a.services.settings.node_id} <= {n["id"] for n in overview["nodes"]}

                body = {"playerId": bob_seat.player_id, "reason": "cheating"}
                kicked = await admin_http.post(f"/sessions/{table.session_id}/kick", json=body, headers=admin.auth)
                assert kicked.status_code == 200, kicked.text
                code, reason, _ = await closed_with(bob)  # closed by node b, which only saw the session's log
                assert (code, reason) == (player.CLOSE_KICKED, "KICKED")
                await ann.until("player_kicked")

                drained = await admin_http.post(f"/nodes/{node_b}/drain", headers=admin.auth)
                assert drained.status_code == 200, drained.text
                code, _, _ = await closed_with(cat)  # node b heard of the request through Redis
                assert code == player.CLOSE_GOING_AWAY
            assert (await http.get(b.url + "/ready")).status_code == 503
            assert (await http.get(a.url + "/ready")).status_code == 200
            async with connect(a, cat_seat) as cat:  # cat comes back through the node still taking players
                await cat.until("session_state")

            undrained = await admin_http.post(f"/nodes/{node_b}/undrain", headers=admin.auth)
            assert undrained.status_code == 200, undrained.text

            async def ready_b() -> httpx.Response:
                response = await http.get(b.url + "/ready")
                return httpx.Response(200, json={"status": response.status_code})

            await eventually(ready_b, lambda body: body["status"] == 200)
    finally:
        await a.services.sessions.live.request_drain(node_b, False)
        a.stop.set()
        b.stop.set()
