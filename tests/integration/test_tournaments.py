"""Whole tournaments over real sockets: 2, 4 and 8 players, every frame checked (RULES.md §14, §16)."""

from __future__ import annotations

import json
import random
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest
import trio

from checkgame.bots.table import BotPlayer
from tests.integration.conftest import (
    connect,
    create_session,
    eventually,
    join_as_guest,
    play_to_the_end,
    register,
    start_server,
)

FAST = {"actions_per_s": 1000.0, "action_burst": 1000, "messages_per_min": 1_000_000, "next_game_delay_s": 0.01}


@pytest.mark.slow
@pytest.mark.parametrize("players", [2, 4, 8])
async def test_a_full_tournament_reaches_its_winner(nursery: trio.Nursery, tmp_path: Path, players: int) -> None:
    server = await start_server(nursery, tmp_path, **FAST)
    async with httpx.AsyncClient(base_url=server.url + "/api/v1") as http:
        owner = await register(http)
        table = await create_session(http, owner, max_players=players)
        seats = [table] + [await join_as_guest(http, table.code, f"P{i}") for i in range(2, players + 1)]
        async with AsyncExitStack() as stack:
            clients = [await stack.enter_async_context(connect(server, seat)) for seat in seats]
            bots = [BotPlayer(f"p{i}", rng=random.Random(i)) for i in range(players)]
            for client in clients:
                await client.until("session_state")
            dones = [trio.Event() for _ in clients]
            async with trio.open_nursery() as players_nursery:
                for client, bot, done in zip(clients, bots, dones, strict=True):
                    players_nursery.start_soon(play_to_the_end, client, bot, done)
                response = await http.post(
                    f"/sessions/{table.session_id}/games/start", headers={"Authorization": f"Bearer {table.token}"}
                )
                assert response.status_code == 200, response.text

        # every player saw the same entries in the same order (from the first one all of them saw)
        logs = [[(f["seq"], f["type"]) for f in c.frames if f.get("seq") is not None and f["type"] != "session_state"]
                for c in clients]  # fmt: skip
        common = max(log[0][0] for log in logs)
        trimmed = [[e for e in log if e[0] >= common] for log in logs]
        assert all(t == trimmed[0] for t in trimmed)
        assert [s for s, _ in trimmed[0]] == list(range(common, common + len(trimmed[0])))

        # one elimination per game; the ranking is the winner then the eliminated, last first
        finished = [f for f in clients[0].frames if f["type"] == "tournament_finished"]
        assert len(finished) == 1
        ranking = finished[0]["data"]["ranking"]
        eliminated = [f["data"]["player"] for f in clients[0].frames if f["type"] == "player_eliminated"]
        assert len(eliminated) == players - 1
        assert ranking == [p for p in (s.player_id for s in seats) if p not in eliminated] + eliminated[::-1]
        assert all(bot.rank == ranking.index(seat.player_id) + 1 for bot, seat in zip(bots, seats, strict=True))

        # dealt hands are private: in each game no two players were shown the same card
        for number in range(1, players):
            shown = [c for client in clients for f in client.frames
                     if f["type"] == "game_started" and f["gameId"].endswith(f"-{number}")
                     for c in map(json.dumps, f["data"].get("hand", []))]  # fmt: skip
            in_game = players - number + 1
            assert len(shown) == len(set(shown)) == in_game * min(7, 48 // in_game)

        # the results reach the database (written in the background, so wait for them)
        await eventually(
            lambda: http.get(f"/sessions/{table.session_id}"), lambda b: b["session"]["status"] == "finished"
        )
        games = (await http.get(f"/sessions/{table.session_id}/games")).json()["items"]  # recorded before the end
        assert [g["loser"] for g in games] == eliminated
    server.stop.set()
