"""Ratings over real HTTP and WebSockets: a played tournament rates its registered players by placement, the
guest is left out, and the leaderboards (all time, this month) show them, with the cache in memory or in Redis."""

from __future__ import annotations

import random
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest
import trio

from checkgame.bots.table import BotPlayer
from tests.integration.conftest import (
    Account,
    Seat,
    Server,
    connect,
    create_session,
    eventually,
    expect_error,
    join_as_guest,
    play_to_the_end,
    register,
    serving,
    start_server,
)
from tests.support.services import require

FAST = {"actions_per_s": 1000.0, "action_burst": 1000, "messages_per_min": 1_000_000, "next_game_delay_s": 0.01}


async def _play_tournament(server: Server, http: httpx.AsyncClient) -> tuple[str, dict[str, Account]]:
    """Two registered players and a guest play a tournament out; returns the session and player id -> account."""
    alice, bob = await register(http), await register(http)
    table = await create_session(http, alice, max_players=3)
    joined = await http.post("/sessions/join-by-code", json={"code": table.code}, headers=bob.auth)
    assert joined.status_code == 200, joined.text
    body = joined.json()
    bob_seat = Seat(body["sessionId"], body["playerId"], body["sessionToken"])
    seats = [table, bob_seat, await join_as_guest(http, table.code, "Guest")]
    async with AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(connect(server, seat)) for seat in seats]
        for client in clients:
            await client.until("session_state")
        async with trio.open_nursery() as players:
            for i, client in enumerate(clients):
                players.start_soon(play_to_the_end, client, BotPlayer(f"p{i}", rng=random.Random(i)))
            started = await http.post(f"/sessions/{table.session_id}/games/start",
                                      headers={"Authorization": f"Bearer {table.token}"})  # fmt: skip
            assert started.status_code == 200, started.text
    await eventually(lambda: http.get(f"/sessions/{table.session_id}"), lambda b: b["session"]["status"] == "finished")
    return table.session_id, {table.player_id: alice, bob_seat.player_id: bob}


@pytest.mark.slow
@pytest.mark.parametrize("cache", ["memory", "redis"])
async def test_a_tournament_rates_its_registered_players_and_fills_the_leaderboards(tmp_path: Path, cache: str) -> None:
    redis = {"redis_url": require("redis"), "node_id": f"ratings-{random.randrange(10**9)}"} if cache == "redis" else {}
    async with (
        serving(tmp_path, **FAST, **redis) as server,
        httpx.AsyncClient(base_url=server.url + "/api/v1", timeout=10) as http,
    ):
        session_id, accounts = await _play_tournament(server, http)
        games = (await http.get(f"/sessions/{session_id}/games")).json()["items"]
        # Games with both registered players are rated, between them only (the guest is skipped).
        rated = [[p for p in g["placements"] if p in accounts] for g in games]
        rated = [order for order in rated if len(order) == 2]
        assert rated  # the first game seats everybody
        profiles = {}
        for player_id, account in accounts.items():
            profile = (await http.get("/users/profile", headers=account.auth)).json()
            profiles[player_id] = profile
            assert profile["rating"]["games"] == len(profile["ratingHistory"]) == len(rated)
            for line, order in zip(profile["ratingHistory"], reversed(rated), strict=True):
                assert line["sessionId"] == session_id
                assert line["place"] == order.index(player_id) + 1
                assert line["ratedPlayers"] == 2
                assert (line["delta"] > 0) == (line["place"] == 1)  # the winner rises, the loser falls
            assert profile["ratingHistory"][0]["rating"] == profile["rating"]["rating"]

        board = await eventually(lambda: http.get("/leaderboard"), lambda b: len(b["items"]) == 2)
        assert (board["period"], board["since"]) == ("all", None)
        best_first = sorted(accounts, key=lambda p: -profiles[p]["rating"]["rating"])
        assert [(r["rank"], r["userId"], r["username"]) for r in board["items"]] == [
            (rank, accounts[p].user_id, accounts[p].username) for rank, p in enumerate(best_first, start=1)
        ]
        assert [r["rating"] for r in board["items"]] == [profiles[p]["rating"]["rating"] for p in best_first]
        assert [r["games"] for r in board["items"]] == [len(rated)] * 2

        month = (await http.get("/leaderboard", params={"period": "month", "limit": 1})).json()
        assert month["period"] == "month"
        assert month["since"].endswith("-01T00:00:00Z")
        assert month["items"] == board["items"][:1]

        metrics = server.services.metrics
        assert metrics.rating_updates._value.get() == 2 * len(rated)
        cached_before = metrics.leaderboard_reads.labels("all", "cache")._value.get()
        assert (await http.get("/leaderboard")).json() == board
        assert metrics.leaderboard_reads.labels("all", "cache")._value.get() == cached_before + 1


async def test_the_leaderboard_query_is_validated(tmp_path: Path) -> None:
    async with serving(tmp_path) as server, httpx.AsyncClient(base_url=server.url + "/api/v1") as http:
        empty = await http.get("/leaderboard", params={"period": "month"})
        assert empty.status_code == 200, empty.text
        assert empty.json()["items"] == []
        expect_error(await http.get("/leaderboard", params={"period": "week"}), 422, "VALIDATION_ERROR")
        expect_error(await http.get("/leaderboard", params={"limit": 0}), 422, "VALIDATION_ERROR")
        expect_error(await http.get("/leaderboard", params={"limit": 101}), 422, "VALIDATION_ERROR")
        account = await register(http)
        profile = (await http.get("/users/profile", headers=account.auth)).json()
        assert profile["rating"] == {"rating": 0.0, "mu": 25.0, "sigma": 8.3333, "games": 0, "updatedAt": None}
        assert profile["ratingHistory"] == []


@pytest.mark.slow
@pytest.mark.redis
async def test_a_game_on_one_node_empties_the_board_another_node_cached(nursery: trio.Nursery, tmp_path: Path) -> None:
    """Two nodes on one database and one Redis: node B's cached board is emptied by the game node A records, so B
    shows it long before the board's TTL."""
    redis, run = require("redis"), random.randrange(10**9)
    a = await start_server(nursery, tmp_path, redis_url=redis, node_id=f"lb-a-{run}", **FAST)
    b = await start_server(nursery, tmp_path, redis_url=redis, node_id=f"lb-b-{run}", **FAST)
    try:
        async with (
            httpx.AsyncClient(base_url=a.url + "/api/v1", timeout=10) as http_a,
            httpx.AsyncClient(base_url=b.url + "/api/v1", timeout=10) as http_b,
        ):
            await http_b.get("/leaderboard")  # B fills the shared cache
            await http_b.get("/leaderboard")
            assert b.services.metrics.leaderboard_reads.labels("all", "cache")._value.get() >= 1
            _, accounts = await _play_tournament(a, http_a)
            assert a.services.metrics.rating_updates._value.get() >= 2  # A recorded the games
            expected = {account.user_id for account in accounts.values()}
            ttl_s = b.services.leaderboards.ttl_s
            board = await eventually(
                lambda: http_b.get("/leaderboard"),
                lambda body: {row["userId"] for row in body["items"]} == expected,
                timeout=ttl_s / 3,
            )
            assert [row["rank"] for row in board["items"]] == [1, 2]
    finally:
        a.stop.set()
        b.stop.set()
