"""Spectators and chat across two nodes behind nginx: a table played on node 1, watched on node 2.

A spectator on node 2 receives every entry of a whole tournament played by bots on node 1 and never a hidden
card; a player's chat on node 1 reaches the other player on node 2; a spectator who comes through nginx is
counted on whichever node takes it.
"""

from __future__ import annotations

import random
from contextlib import AsyncExitStack

import httpx
import pytest
import trio

from checkgame.bots.table import BotPlayer
from tests.cluster.harness import Cluster
from tests.cluster.test_cluster import api, seat_players
from tests.integration.conftest import connect_url, eventually, open_ws, play_to_the_end, register
from tests.integration.test_spectators import Watcher

pytestmark = [pytest.mark.cluster, pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


async def test_a_spectator_on_node_2_watches_a_table_played_on_node_1_and_sees_no_hidden_card(
    cluster: Cluster,
) -> None:
    first, second = cluster.nodes[0], cluster.nodes[1]
    async with api(cluster) as http, AsyncExitStack() as stack:
        seats = await seat_players(http, 3)
        fan = await register(http)
        sid = seats[0].session_id
        watch = f"/api/v1/ws/watch?session={sid}"
        direct = await stack.enter_async_context(open_ws(second.url.replace("http://", "ws://") + watch))
        balanced = await stack.enter_async_context(
            open_ws(cluster.url.replace("http://", "ws://") + f"{watch}&token={fan.access}")
        )
        spectators = [Watcher(direct), Watcher(balanced)]
        for watcher in spectators:
            await watcher.until("session_state")
        await eventually(lambda: http.get(f"/sessions/{sid}"), lambda body: body["session"]["spectators"] == 2)
        clients = [
            await stack.enter_async_context(connect_url(first.url, seats[0])),
            await stack.enter_async_context(connect_url(second.url, seats[1])),
            await stack.enter_async_context(connect_url(first.url, seats[2])),
        ]
        nodes = [(await c.until("connection_established"))["data"]["node"] for c in clients]
        assert nodes[0] != nodes[1]
        for client in clients:
            await client.until("session_state")

        await clients[0].send("chat", text="hello from node 1")
        heard = await clients[1].until("chat_message")  # on node 2
        assert heard["data"]["text"] == "hello from node 1"
        await spectators[1].send("chat", text="hello from the stands")
        assert (await spectators[0].until("chat_message"))["data"]["text"] == "hello from the stands"

        async with trio.open_nursery() as players:
            for n, client in enumerate(clients):
                players.start_soon(play_to_the_end, client, BotPlayer(f"p{n}", rng=random.Random(n)))
            await start_game(http, seats[0].token, sid)
        for watcher in spectators:
            finished = await watcher.until("tournament_finished", timeout=120)
            assert sorted(finished["data"]["ranking"]) == sorted(s.player_id for s in seats)
    seen = [frame["type"] for frame in spectators[0].frames]
    assert seen.count("game_started") == 2  # three players: two games, every frame checked by Watcher
    assert "card_drawn" in seen
    for client in clients:
        texts = [f["data"]["text"] for f in client.frames if f["type"] == "chat_message"]
        assert "hello from the stands" not in texts


async def start_game(http: httpx.AsyncClient, token: str, session_id: str) -> None:
    response = await http.post(f"/sessions/{session_id}/games/start", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
