"""No table is stranded: a waiting table nobody sits at closes, the next seat inherits a leaving creator's start
button, an idle waiting table expires, and the lobby, the API and the console count the same seats."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import trio

from tests.integration.conftest import (
    Seat,
    Server,
    create_session,
    eventually,
    join_as_guest,
    register,
    start_server,
)
from tests.integration.test_admin_api import promoted


def _bearer(seat: Seat) -> dict[str, str]:
    return {"Authorization": f"Bearer {seat.token}"}


async def _counts(server: Server, http: httpx.AsyncClient, session_id: str) -> tuple[int | None, int, int]:
    """The seats taken as the lobby, the session's own page and the console see them (None: not in the lobby)."""
    lobby = (await http.get("/sessions", params={"status": "waiting"})).json()["items"]
    in_lobby = next((s["playerCount"] for s in lobby if s["id"] == session_id), None)
    page = (await http.get(f"/sessions/{session_id}")).json()["session"]["playerCount"]
    admin = await promoted(server, http)
    rows = (await http.get(f"{server.url}/admin/sessions", headers=admin.auth)).json()["sessions"]
    console = next(row["playerCount"] for row in rows if row["id"] == session_id)
    return in_lobby, page, console


async def test_a_creator_alone_who_leaves_closes_the_table(server: Server, http: httpx.AsyncClient) -> None:
    owner = await register(http)
    table = await create_session(http, owner)
    assert (await http.delete(f"/sessions/{table.session_id}/leave", headers=_bearer(table))).status_code == 204
    body = await eventually(  # the status is live; the end reason comes with the row the recorder writes
        lambda: http.get(f"/sessions/{table.session_id}"), lambda b: b["session"]["endReason"] is not None
    )
    assert body["session"]["status"] == "finished"
    assert body["session"]["playerCount"] == 0
    assert body["session"]["endReason"] == "abandoned"
    assert await _counts(server, http, table.session_id) == (None, 0, 0)  # gone from the lobby, not "0 of 4"
    late = await http.post("/sessions/join-by-code", json={"code": table.code, "name": "Late"})
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "SESSION_FINISHED"


async def test_the_next_seat_inherits_a_leaving_creators_table(server: Server, http: httpx.AsyncClient) -> None:
    owner = await register(http)
    table = await create_session(http, owner)
    bob = await join_as_guest(http, table.code, "Bob")
    await join_as_guest(http, table.code, "Cy")
    assert (await http.delete(f"/sessions/{table.session_id}/leave", headers=_bearer(table))).status_code == 204
    await eventually(lambda: http.get(f"/sessions/{table.session_id}"), lambda b: b["session"]["playerCount"] == 2)
    assert await _counts(server, http, table.session_id) == (2, 2, 2)
    live = (await http.get(f"/sessions/{table.session_id}")).json()["live"]
    assert live["creator"] == bob.player_id
    started = await http.post(f"/sessions/{table.session_id}/games/start", headers=_bearer(bob))
    assert started.status_code == 200, started.text


@pytest.fixture
async def impatient(nursery: trio.Nursery, tmp_path: Path) -> AsyncIterator[Server]:
    node = await start_server(nursery, tmp_path, waiting_idle_s=0.5)
    yield node
    node.stop.set()


async def test_an_idle_waiting_table_expires(impatient: Server) -> None:
    async with httpx.AsyncClient(base_url=impatient.url + "/api/v1", timeout=10) as http:
        owner = await register(http)
        table = await create_session(http, owner)
        await join_as_guest(http, table.code, "Bob")
        body = await eventually(
            lambda: http.get(f"/sessions/{table.session_id}"),
            lambda b: b["session"]["endReason"] is not None,  # written by the recorder after the live end
        )
        assert body["session"]["status"] == body["live"]["status"] == "finished"
        assert body["session"]["endReason"] == "expired"
        waiting = (await http.get("/sessions", params={"status": "waiting"})).json()["items"]
        assert table.session_id not in [s["id"] for s in waiting]
