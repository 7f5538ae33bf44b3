"""``POST /matchmaking`` over a real server: quick play for guests and registered players, the table starting when
full, and computer players filling it when its (shortened) wait ends. The ceilings (``fail_after``, ``eventually``)
turn a hang into a failure; they do not measure speed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio

from tests.integration.conftest import Server, eventually, expect_error, register, start_server


@pytest.fixture
async def quick_server(nursery: trio.Nursery, tmp_path: Path) -> AsyncIterator[Server]:
    node = await start_server(nursery, tmp_path, quick_play_wait_s=0.3)
    node.services.bots.think_s = 0.0
    yield node
    node.stop.set()


@pytest.fixture
async def api(quick_server: Server) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=quick_server.url + "/api/v1", timeout=10) as client:
        yield client


async def play(api: httpx.AsyncClient, headers: dict[str, str] | None = None, **body: Any) -> Any:
    response = await api.post("/matchmaking", json=body, headers=headers or {})
    assert response.status_code == 200, response.text
    return response.json()


async def test_players_are_seated_at_one_table_that_starts_when_full(api: httpx.AsyncClient) -> None:
    ann = await register(api)
    first = await play(api, ann.auth, maxPlayers=3)
    assert (first["result"], first["seat"], first["status"]) == ("opened", 1, "waiting")
    assert first["startsAt"] is not None
    assert first["playerId"] == ann.user_id
    again = await play(api, ann.auth, maxPlayers=3)  # a double click: the same seat, a fresh token
    assert (again["result"], again["sessionId"], again["seat"]) == ("returned", first["sessionId"], 1)
    guest = await play(api, name="Guest", maxPlayers=3)
    assert (guest["result"], guest["sessionId"], guest["seat"]) == ("joined", first["sessionId"], 2)
    assert guest["playerId"].startswith("guest-")
    assert guest["wsUrl"].endswith(guest["sessionToken"])
    last = await play(api, name="Other", maxPlayers=3)
    assert (last["seat"], last["status"], last["startsAt"]) == (3, "playing", None)
    table = (await api.get(f"/sessions/{first['sessionId']}")).json()
    assert table["session"]["isPrivate"] is False
    assert [s["seat"] for s in table["live"]["seats"]] == [1, 2, 3]
    assert table["live"]["status"] == "playing"


async def test_computer_players_fill_the_table_when_the_wait_ends(quick_server: Server, api: httpx.AsyncClient) -> None:
    ann = await register(api)
    match = await play(api, ann.auth, maxPlayers=3, acceptComputers=True)
    with trio.fail_after(20):
        table = await eventually(
            lambda: api.get(f"/sessions/{match['sessionId']}"),
            lambda body: (
                body["live"]["status"] != "waiting" and sum(s["connected"] for s in body["live"]["seats"]) == 2
            ),  # the two bots connected; ann did not
        )
    seats = table["live"]["seats"]
    assert [s["name"] for s in seats] == [ann.username, "Bot 2", "Bot 3"]
    assert table["live"]["status"] == "playing"
    metrics = (await api.get(quick_server.url + "/metrics")).text
    assert 'checkgame_matchmaking_requests_total{result="opened"} 1.0' in metrics
    assert "checkgame_quick_play_wait_seconds_count 1.0" in metrics
    assert 'checkgame_timer_firings_total{kind="quick_play"} 1.0' in metrics


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "A", "maxPlayers": 1}, "$.maxPlayers"),
        ({"name": "A", "maxPlayers": 9}, "$.maxPlayers"),
        ({"name": "A", "acceptComputers": "yes"}, "$.acceptComputers"),
        ({"name": "A", "table": 1}, "table"),
        ({"name": ""}, "$.name"),
    ],
)
async def test_bad_requests_are_refused_by_field(api: httpx.AsyncClient, body: dict[str, Any], field: str) -> None:
    details = expect_error(await api.post("/matchmaking", json=body), 422, "VALIDATION_ERROR")
    assert field in details["error"]
    assert (await api.get("/sessions")).json()["total"] == 0  # no table was opened


async def test_a_guest_must_give_a_name(api: httpx.AsyncClient) -> None:
    assert expect_error(await api.post("/matchmaking", json={}), 422, "VALIDATION_ERROR") == {"field": "name"}


async def test_requests_beyond_the_hourly_budget_are_refused(nursery: trio.Nursery, tmp_path: Path) -> None:
    node = await start_server(nursery, tmp_path, sessions_per_hour=2)
    async with httpx.AsyncClient(base_url=node.url + "/api/v1", timeout=10) as http:
        await play(http, name="A", maxPlayers=4)
        await play(http, name="B", maxPlayers=4)
        expect_error(await http.post("/matchmaking", json={"name": "C"}), 429, "RATE_LIMITED")
        owner = await register(http)  # creating a session has a budget of its own
        created = await http.post("/sessions", json={"name": "t"}, headers=owner.auth)
        assert created.status_code == 201, created.text
    node.stop.set()
