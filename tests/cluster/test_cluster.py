"""Several nodes behind nginx, sharing PostgreSQL and Redis: no stickiness, and any node may die.

Players of one session are spread over the nodes by nginx's round-robin.
The tests check what players see: the same entries in the same order, exact
resumption after a node is killed or drained, timers that outlive their node,
and moves that never apply twice.
"""

from __future__ import annotations

import json
import random
from contextlib import AsyncExitStack
from functools import partial
from typing import Any

import httpx
import pytest
import trio
from trio_websocket import ConnectionClosed

from checkgame.bots.table import BotPlayer
from tests.cluster.harness import Cluster
from tests.integration.conftest import (
    Seat,
    TableClient,
    connect_url,
    create_session,
    eventually,
    join_as_guest,
    register,
)

pytestmark = [pytest.mark.cluster, pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


def api(cluster: Cluster) -> httpx.AsyncClient:
    """A REST client of the cluster, through nginx."""
    return httpx.AsyncClient(base_url=cluster.url + "/api/v1", timeout=10)


async def seat_players(http: httpx.AsyncClient, count: int) -> list[Seat]:
    owner = await register(http)
    table = await create_session(http, owner, max_players=count)
    return [table] + [await join_as_guest(http, table.code, f"P{i}") for i in range(2, count + 1)]


async def start(http: httpx.AsyncClient, creator: Seat) -> None:
    response = await http.post(
        f"/sessions/{creator.session_id}/games/start", headers={"Authorization": f"Bearer {creator.token}"}
    )
    assert response.status_code == 200, response.text


class ResilientPlayer:
    """A computer player that reconnects through the load balancer and checks it misses nothing."""

    def __init__(self, cluster: Cluster, seat: Seat, number: int) -> None:
        self.cluster, self.seat = cluster, seat
        self.bot = BotPlayer(f"p{number}", rng=random.Random(number))
        self.entries: list[tuple[int, str]] = []
        """Every log entry processed, once, in order (snapshots excluded)."""
        self.nodes: list[str] = []
        """The node of each connection, in order."""
        self.reconnects = 0
        self.resumed_exactly = 0
        self.client: TableClient | None = None
        self.paused = False
        """While set, the player decides but does not send its moves (a test wants it idle)."""
        self.released = trio.Event()

    async def run(self, *, ready: trio.Event | None = None) -> None:
        with trio.fail_after(120):  # a ceiling against a hang, not a speed requirement
            while not self.bot.done:
                last = self.bot.last_seq if self.bot.last_seq >= 0 else None
                try:
                    async with connect_url(self.cluster.url, self.seat, last) as client:
                        self.client = client
                        await self._converse(client, resumed_from=last, ready=ready)
                except ConnectionClosed:
                    self.reconnects += 1
                    await trio.sleep(0.05)
                self.client = None

    async def _converse(self, client: TableClient, *, resumed_from: int | None, ready: trio.Event | None) -> None:
        first_entry = True
        while not self.bot.done:
            frame = await client.receive()
            kind, seq = frame["type"], frame.get("seq")
            assert kind not in ("invalid_action", "error"), frame
            if kind == "connection_established":
                self.nodes.append(frame["data"]["node"])
            if seq is not None and kind != "session_state":
                if first_entry and resumed_from is not None:
                    assert seq == resumed_from + 1, f"resumed after {resumed_from} but got {seq} first"
                    self.resumed_exactly += 1
                first_entry = False
                if seq > self.bot.last_seq:
                    self.entries.append((seq, kind))
            elif kind == "session_state":
                first_entry = False
                if ready is not None:
                    ready.set()
            reply = self.bot.handle(frame)
            if reply is not None:
                if self.paused:
                    await self.released.wait()
                await client.ws.send_message(json.dumps(reply))


async def start_playing(
    cluster: Cluster, nursery: trio.Nursery, http: httpx.AsyncClient, count: int, *, paused: bool = False
) -> list[ResilientPlayer]:
    """Seat ``count`` players (spread over the nodes by nginx), connect them all, start the tournament."""
    seats = await seat_players(http, count)
    players = [ResilientPlayer(cluster, seat, i) for i, seat in enumerate(seats)]
    readies = [trio.Event() for _ in players]
    for player, ready in zip(players, readies, strict=True):
        player.paused = paused
        nursery.start_soon(partial(player.run, ready=ready))
    for ready in readies:
        await ready.wait()
    await start(http, seats[0])
    return players


def same_order(players: list[ResilientPlayer]) -> None:
    """Every player processed the same entries in the same order, without gaps, from the first they all saw."""
    common = max(p.entries[0][0] for p in players)
    logs = [[e for e in p.entries if e[0] >= common] for p in players]
    for player, log in zip(players, logs, strict=True):
        assert log == logs[0], (player.seat.player_id, player.nodes, [e for e in log if e not in logs[0]][:5])
    assert [seq for seq, _ in logs[0]] == list(range(common, common + len(logs[0])))


async def test_a_tournament_across_nodes_reaches_its_end_in_one_order(cluster: Cluster) -> None:
    async with api(cluster) as http, trio.open_nursery() as nursery:
        players = await start_playing(cluster, nursery, http, 4)
    seats = [p.seat for p in players]
    assert len({p.nodes[0] for p in players}) == 2  # round-robin spread the table over both nodes
    same_order(players)
    ranking = list(players[0].bot.table.ranking or [])
    assert sorted(ranking) == sorted(s.player_id for s in seats)
    async with httpx.AsyncClient(base_url=cluster.url + "/api/v1") as http:
        detail = await eventually(
            lambda: http.get(f"/sessions/{seats[0].session_id}"), lambda b: b["session"]["status"] == "finished"
        )
        assert detail["session"]["winnerId"] == ranking[0]
        games = (await http.get(f"/sessions/{seats[0].session_id}/games")).json()["items"]
        assert len(games) == 3


async def test_kill_9_of_a_node_mid_game_players_resume_elsewhere_exactly(cluster: Cluster) -> None:
    async with api(cluster) as http, trio.open_nursery() as nursery:
        players = await start_playing(cluster, nursery, http, 3, paused=True)
        await trio.sleep(0.3)  # the game is dealt and waiting for its first move
        victim_name = players[0].nodes[-1]
        victim = next(n for n in cluster.nodes if n.name == victim_name)
        await trio.to_thread.run_sync(cluster.kill, victim)
        for player in players:  # now play on: the killed node's players must come back through nginx
            player.released.set()
    same_order(players)
    moved = [p for p in players if p.nodes[0] == victim_name]
    assert moved
    for player in moved:
        assert player.reconnects >= 1
        assert player.resumed_exactly >= 1  # the first entry after reconnecting was exactly lastSeq + 1
        assert victim_name not in player.nodes[1:]
    assert all(p.bot.done for p in players)


@pytest.mark.parametrize("cluster", [{"CHECKGAME_TURN_TIMEOUT_S": "1.0"}], indirect=True)
async def test_turn_timers_outlive_the_node_of_the_last_move(cluster: Cluster) -> None:
    async with api(cluster) as http:
        seats = await seat_players(http, 2)
    async with api(cluster) as http, AsyncExitStack() as stack:
        ann = await stack.enter_async_context(connect_url(cluster.url, seats[0]))
        bob = await stack.enter_async_context(connect_url(cluster.url, seats[1]))
        nodes = [(await c.until("connection_established"))["data"]["node"] for c in (ann, bob)]
        assert nodes[0] != nodes[1]
        await ann.until("session_state")
        await bob.until("session_state")
        await start(http, seats[0])
        await ann.until("game_started")
        await ann.send("draw_card", actionId="a1")  # ann's move, made on ann's node
        await bob.until("turn_changed")
        cluster.kill(next(n for n in cluster.nodes if n.name == nodes[0]))
        timeout = await bob.until("turn_timeout", timeout=15)  # bob idles: the surviving node's timer acts
        assert timeout["data"]["player"] == seats[1].player_id


async def test_concurrent_moves_from_two_nodes_never_both_apply(cluster: Cluster) -> None:
    async with api(cluster) as http:
        seats = await seat_players(http, 2)
    async with api(cluster) as http, AsyncExitStack() as stack:
        first = await stack.enter_async_context(connect_url(cluster.url, seats[0]))
        second = await stack.enter_async_context(connect_url(cluster.url, seats[0]))  # the same player, 2nd node
        watcher = await stack.enter_async_context(connect_url(cluster.url, seats[1]))
        nodes = {(await c.until("connection_established"))["data"]["node"] for c in (first, second)}
        assert len(nodes) == 2
        for client in (first, second, watcher):
            await client.until("session_state")
        await start(http, seats[0])
        await watcher.until("game_started")
        answers: dict[str, dict[str, Any]] = {}

        async def draw(client: TableClient, action_id: str) -> None:
            await client.send("draw_card", actionId=action_id)
            answers[action_id] = await client.until("card_drawn", "invalid_action")

        async with trio.open_nursery() as nursery:
            nursery.start_soon(draw, first, "x1")
            nursery.start_soon(draw, second, "x2")
        drawn_by_ann = [f for f in watcher.frames if f["type"] == "card_drawn"]
        with trio.move_on_after(0.5):
            while True:
                frame = await watcher.receive()
                if frame["type"] == "card_drawn":
                    drawn_by_ann.append(frame)
        assert len(drawn_by_ann) == 1  # exactly one of the two draws applied
        refused = [a for a in answers.values() if a["type"] == "invalid_action"]
        assert len(refused) <= 1
        assert all(r["data"]["code"] == "NOT_YOUR_TURN" for r in refused)


async def test_sigterm_of_a_node_aborts_no_game(cluster: Cluster) -> None:
    async with api(cluster) as http, trio.open_nursery() as nursery:
        players = await start_playing(cluster, nursery, http, 4, paused=True)
        await trio.sleep(0.3)
        draining = cluster.nodes[0]
        status = await trio.to_thread.run_sync(cluster.terminate, draining)
        assert status == 0
        for player in players:
            player.released.set()
    same_order(players)
    assert all(p.bot.done for p in players)
    finished = [e for e in players[0].entries if e[1] == "game_finished"]
    assert len(finished) == 3
    async with httpx.AsyncClient(base_url=cluster.url + "/api/v1") as http:
        games_url = f"/sessions/{players[0].seat.session_id}/games"
        games = await eventually(lambda: http.get(games_url), lambda body: len(body["items"]) == 3)
        assert all(g["reason"] == "last_player" for g in games["items"])  # nobody lost by being dropped
