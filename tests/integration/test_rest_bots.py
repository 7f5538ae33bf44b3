"""``POST /sessions/{id}/bots``: the creator seats computer players that the server plays over its own protocol.

The server is started with limits that never refuse a bot and the runner's pauses removed; the ceilings
(``fail_after``) turn a hang into a failure, they do not measure speed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio

from checkgame.bots.client import BotResult, run_bot
from checkgame.bots.client import Seat as BotSeat
from checkgame.bots.levels import Level
from tests.integration.conftest import (
    Server,
    create_session,
    eventually,
    expect_error,
    join_as_guest,
    register,
    start_server,
)

FAST = {"actions_per_s": 10_000.0, "action_burst": 10_000, "messages_per_min": 1_000_000}


@pytest.fixture
async def fast_server(nursery: trio.Nursery, tmp_path: Path) -> AsyncIterator[Server]:
    node = await start_server(nursery, tmp_path, **FAST)
    node.services.bots.think_s = 0.0
    node.services.bots.actions_per_s = 10_000.0
    yield node
    node.stop.set()


@pytest.fixture
async def api(fast_server: Server) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=fast_server.url + "/api/v1", timeout=10) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def live(api: httpx.AsyncClient, session_id: str) -> Any:
    response = await api.get(f"/sessions/{session_id}")
    assert response.status_code == 200, response.text
    return response.json()["live"]


@pytest.mark.slow
@pytest.mark.parametrize("body", [{}, {"level": "hard"}])  # hard: its search runs in a worker thread
async def test_a_seated_bot_connects_and_plays_the_tournament_to_its_end(
    fast_server: Server, api: httpx.AsyncClient, body: dict[str, str]
) -> None:
    owner = await register(api)
    table = await create_session(api, owner, max_players=2)
    response = await api.post(f"/sessions/{table.session_id}/bots", json=body, headers=bearer(table.token))
    assert response.status_code == 201, response.text
    bot = response.json()
    assert bot["level"] == body.get("level", "normal")
    assert bot["sessionId"] == table.session_id
    assert bot["seat"] == 2
    assert bot["name"] == "Bot 2"
    assert bot["playerId"].startswith("bot-")

    seated = await eventually(
        lambda: api.get(f"/sessions/{table.session_id}"),
        lambda body: any(s["player"] == bot["playerId"] and s["connected"] for s in body["live"]["seats"]),
    )
    assert [s["name"] for s in seated["live"]["seats"]] == [owner.username, "Bot 2"]

    # The creator's seat is played by a test bot; the server's bot plays the other one, to the end.
    ws = fast_server.url.replace("http://", "ws://") + f"/api/v1/ws?token={table.token}"
    creator = BotSeat(table.session_id, table.player_id, table.token, ws)
    results: list[BotResult] = []

    async def play_creator() -> None:
        results.append(await run_bot(fast_server.url, name=owner.username, seat=creator, think_s=0.0,
                                     actions_per_s=10_000.0))  # fmt: skip

    with trio.fail_after(60):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(play_creator)
            started = await api.post(f"/sessions/{table.session_id}/games/start", headers=bearer(table.token))
            assert started.status_code == 200, started.text
    (result,) = results
    assert set(result.ranking) == {table.player_id, bot["playerId"]}
    final = await eventually(lambda: api.get(f"/sessions/{table.session_id}"), lambda b: b["live"]["ranking"])
    assert final["live"]["status"] == "finished"
    assert fast_server.services.bots.running == 0  # the bot saw tournament_finished and stopped by itself


async def test_the_creator_may_use_an_access_token_and_name_the_bot(api: httpx.AsyncClient) -> None:
    owner = await register(api)
    table = await create_session(api, owner, max_players=3)
    response = await api.post(f"/sessions/{table.session_id}/bots", json={"name": "Robo"}, headers=owner.auth)
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "Robo"
    assert [s["name"] for s in (await live(api, table.session_id))["seats"]] == [owner.username, "Robo"]


async def test_the_creator_chooses_the_level(fast_server: Server, api: httpx.AsyncClient) -> None:
    owner = await register(api)
    table = await create_session(api, owner, max_players=4)
    path = f"/sessions/{table.session_id}/bots"
    levels = []
    for body in ({"level": "hard"}, {"level": "easy"}, {}):
        response = await api.post(path, json=body, headers=owner.auth)
        assert response.status_code == 201, response.text
        levels.append(response.json()["level"])
    assert levels == ["hard", "easy", "normal"]  # normal unless asked
    runner = fast_server.services.bots
    assert dict(runner.running_by_level) == {Level.HARD: 1, Level.EASY: 1, Level.NORMAL: 1}


async def test_only_the_creator_may_add_a_bot(api: httpx.AsyncClient) -> None:
    owner = await register(api)
    table = await create_session(api, owner, max_players=4)
    guest = await join_as_guest(api, table.code, "Ann")
    other = await register(api)
    path = f"/sessions/{table.session_id}/bots"
    expect_error(await api.post(path, json={}, headers=bearer(guest.token)), 403, "NOT_CREATOR")
    expect_error(await api.post(path, json={}, headers=other.auth), 403, "NOT_CREATOR")
    expect_error(await api.post(path, json={}), 401, "UNAUTHORIZED")
    expect_error(await api.post(path, json={}, headers=bearer("not-a-token")), 401, "INVALID_TOKEN")
    elsewhere = await create_session(api, other)
    expect_error(await api.post(path, json={}, headers=bearer(elsewhere.token)), 403, "FORBIDDEN")
    assert len((await live(api, table.session_id))["seats"]) == 2  # nothing changed


async def test_a_full_or_started_session_refuses_a_bot(api: httpx.AsyncClient) -> None:
    owner = await register(api)
    table = await create_session(api, owner, max_players=2)
    path = f"/sessions/{table.session_id}/bots"
    assert (await api.post(path, json={}, headers=owner.auth)).status_code == 201
    expect_error(await api.post(path, json={}, headers=owner.auth), 409, "SESSION_FULL")
    assert len((await live(api, table.session_id))["seats"]) == 2

    other = await create_session(api, owner, max_players=3)
    await join_as_guest(api, other.code, "Ann")
    started = await api.post(f"/sessions/{other.session_id}/games/start", headers=owner.auth)
    assert started.status_code == 200, started.text
    expect_error(await api.post(f"/sessions/{other.session_id}/bots", json={}, headers=owner.auth), 409,
                 "SESSION_STARTED")  # fmt: skip
    assert len((await live(api, other.session_id))["seats"]) == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 33}, "name"),
        ({"name": 7}, "name"),
        ({"colour": "red"}, "colour"),
        ({"level": "expert"}, "level"),
        ({"level": 3}, "level"),
        ({"level": None}, "level"),
    ],
)
async def test_the_body_is_validated(api: httpx.AsyncClient, body: Any, field: str) -> None:
    owner = await register(api)
    table = await create_session(api, owner)
    response = await api.post(f"/sessions/{table.session_id}/bots", json=body, headers=owner.auth)
    details = expect_error(response, 422, "VALIDATION_ERROR")
    assert field in details["error"]
    assert len((await live(api, table.session_id))["seats"]) == 1


async def test_no_seat_is_taken_once_the_bots_have_stopped(fast_server: Server, api: httpx.AsyncClient) -> None:
    owner = await register(api)
    table = await create_session(api, owner)
    fast_server.services.bots.stop()  # what draining does
    response = await api.post(f"/sessions/{table.session_id}/bots", json={}, headers=owner.auth)
    expect_error(response, 503, "SERVICE_UNAVAILABLE")
    assert len((await live(api, table.session_id))["seats"]) == 1


async def test_an_unknown_session_is_404(api: httpx.AsyncClient) -> None:
    owner = await register(api)
    response = await api.post(f"/sessions/{'0' * 32}/bots", json={}, headers=owner.auth)
    expect_error(response, 404, "SESSION_NOT_FOUND")


async def test_bots_stop_when_the_server_stops(tmp_path: Path) -> None:
    with trio.fail_after(30):
        async with trio.open_nursery() as nursery:
            node = await start_server(nursery, tmp_path)
            async with httpx.AsyncClient(base_url=node.url + "/api/v1", timeout=10) as api:
                owner = await register(api)
                table = await create_session(api, owner, max_players=3)
                for _ in range(2):
                    assert (await api.post(f"/sessions/{table.session_id}/bots", json={},
                                           headers=owner.auth)).status_code == 201  # fmt: skip
                await eventually(
                    lambda: api.get(f"/sessions/{table.session_id}"),
                    lambda body: all(s["connected"] for s in body["live"]["seats"][1:]),
                )
            assert node.services.bots.running == 2
            node.stop.set()  # the nursery can only exit once every bot has stopped
        assert node.services.bots.running == 0
        with pytest.raises(RuntimeError):
            node.services.bots.start(table.session_id, "bot-x", "token", "Late")
