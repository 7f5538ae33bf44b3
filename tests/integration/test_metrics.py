"""/metrics after real play over a real server: every counter moves by what happened, and no label holds an id."""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.parser import text_string_to_metric_families
from trio_websocket import ConnectionClosed

from checkgame import __version__
from checkgame.bots.table import BotPlayer
from tests.integration.conftest import (
    PASSWORD,
    Seat,
    Server,
    TableClient,
    connect,
    create_session,
    join_as_guest,
    play_to_the_end,
    register,
    serving,
    start_server,
)
from tests.support.services import require

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(server: Server) -> Samples:
    """Every sample of /metrics, parsed by prometheus_client's own parser."""
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(server.url + "/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == CONTENT_TYPE_LATEST
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def label_values(samples: Samples) -> set[str]:
    return {v for _, labels in samples for _, v in labels}


async def scrape_until(server: Server, done: Callable[[Samples], bool]) -> Samples:
    """Scrape until ``done`` holds: some counters move when the server notices a close, after the client's."""
    with trio.fail_after(10):  # a ceiling, not a speed requirement
        while True:
            samples = await scrape(server)
            if done(samples):
                return samples
            await trio.sleep(0.02)


async def two_seats(http: httpx.AsyncClient) -> tuple[Seat, Seat, str]:
    owner = await register(http)
    table = await create_session(http, owner, max_players=2)
    return table, await join_as_guest(http, table.code, "Guest"), owner.user_id


async def start(ann: TableClient, bob: TableClient) -> None:
    await ann.until("session_state")
    await bob.until("session_state")
    await ann.send("start_game")
    await ann.until("game_started")
    await bob.until("game_started")


async def mover_and_other(server: Server, ann: TableClient, bob: TableClient) -> tuple[TableClient, TableClient]:
    state = await server.services.sessions.live.load(ann.seat.session_id)
    assert state is not None
    assert state.game is not None
    assert state.game.current is not None
    current = state.game.players[state.game.current]
    return (ann, bob) if current == ann.seat.player_id else (bob, ann)


async def test_play_moves_the_counters_by_what_happened(server: Server, http: httpx.AsyncClient) -> None:
    table, guest, user_id = await two_seats(http)
    assert (await http.get(f"/sessions/{table.session_id}")).status_code == 200
    assert (await http.get(f"/no-such-thing/{table.session_id}")).status_code == 404
    async with connect(server, table) as ann, connect(server, guest) as bob:
        await start(ann, bob)
        mover, other = await mover_and_other(server, ann, bob)
        await other.send("draw_card", actionId="o1")
        assert (await other.until("invalid_action"))["data"]["code"] == "NOT_YOUR_TURN"
        await mover.send("draw_card", actionId="m1")
        await mover.until("turn_changed")
        await other.until("turn_changed")
        await mover.send("draw_card", actionId="m1")  # a retry of the same action
        assert (await mover.until("action_ack"))["data"]["duplicate"] is True
        await ann.send("ping", nonce=1)
        await ann.until("pong")

        samples = await scrape_until(server, lambda s: value(s, "checkgame_move_broadcast_seconds_count") == 1)
        assert value(samples, "websocket_connections_total") == 2
        assert value(samples, "active_games_total") == 1

    draw = {"type": "draw"}
    assert value(samples, "checkgame_actions_total", **draw, result="accepted") == 1
    assert value(samples, "checkgame_actions_total", **draw, result="refused") == 1
    assert value(samples, "checkgame_actions_total", **draw, result="duplicate") == 1
    assert value(samples, "checkgame_action_refusals_total", code="NOT_YOUR_TURN") == 1
    assert value(samples, "checkgame_ws_messages_received_total", type="draw_card") == 3
    assert value(samples, "checkgame_ws_messages_received_total", type="start_game") == 1
    assert value(samples, "checkgame_ws_messages_received_total", type="ping") == 1
    assert value(samples, "checkgame_ws_messages_sent_total", type="connection_established") == 2
    assert value(samples, "checkgame_ws_messages_sent_total", type="game_started") == 2
    assert value(samples, "checkgame_ws_messages_sent_total", type="invalid_action") == 1
    assert value(samples, "checkgame_ws_messages_sent_total", type="action_ack") == 1
    assert value(samples, "checkgame_ws_messages_sent_total", type="pong") == 1
    assert value(samples, "checkgame_sessions_created_total") == 1
    assert value(samples, "checkgame_live_commit_conflicts_total") == 0
    assert value(samples, "checkgame_build_info", version=__version__, node="test-node", database="sqlite",
                 live="memory", role="all") == 1  # fmt: skip

    # HTTP: by route template, and unmatched paths under one label
    http_count = "http_request_duration_seconds_count"
    assert value(samples, http_count, method="POST", route="/api/v1/auth/register", status_code="201") == 1
    assert value(samples, http_count, method="GET", route="/api/v1/sessions/<id:session_id>", status_code="200") == 1
    assert value(samples, http_count, method="GET", route="unmatched", status_code="404") == 1
    assert value(samples, "checkgame_db_query_duration_seconds_count", operation="create_user") == 1
    assert value(samples, "checkgame_db_errors_total", operation="create_user") == 0

    # no label anywhere names a session, a player, a user or a join code
    ids = {table.session_id, table.player_id, guest.player_id, user_id, table.code}
    assert not {v for v in label_values(samples) if any(i in v for i in ids)}

    # both sockets closed by the client: the server counts them once it notices
    closed = await scrape_until(server, lambda s: value(s, "checkgame_ws_disconnects_total", code="client") == 2)
    assert value(closed, "websocket_connections_total") == 0
    assert value(closed, "active_games_total") == 0


async def test_resumes_leaves_and_close_codes_are_counted(server: Server, http: httpx.AsyncClient) -> None:
    table, guest, _ = await two_seats(http)
    async with connect(server, table) as ann:
        async with connect(server, guest) as bob:
            await start(ann, bob)
            last_seen = bob.last_seq
        await ann.until("player_disconnected")  # what bob misses while away
        async with connect(server, guest, last_seq=last_seen) as bob:
            await bob.until("connection_established")
            await bob.send("resume", lastSeq=-5)  # further back than anything kept: a snapshot
            await bob.until("session_state")
            await bob.send("leave_game")
            with pytest.raises(ConnectionClosed):
                await bob.until("never")
    samples = await scrape_until(server, lambda s: value(s, "checkgame_ws_disconnects_total", code="client") == 2)
    assert value(samples, "checkgame_ws_resumes_total", mode="replay") == 1
    assert value(samples, "checkgame_ws_resumes_total", mode="snapshot") == 1
    assert value(samples, "checkgame_actions_total", type="leave", result="accepted") == 1
    assert value(samples, "checkgame_ws_disconnects_total", code="1000") == 1
    # bob left mid-game: he lost it, and with two players that ends the tournament
    assert value(samples, "checkgame_games_finished_total", reason="left") == 1


async def test_a_slow_client_cut_off_is_counted_with_its_dropped_frame_and_its_snapshot_resume(
    tmp_path: Path,
) -> None:
    async with serving(tmp_path, outbox_size=2) as server, httpx.AsyncClient(base_url=server.url + "/api/v1") as http:
        table, guest, _ = await two_seats(http)
        async with connect(server, table) as ann:
            async with connect(server, guest) as bob:
                await start(ann, bob)
                last = ann.last_seq
                # bob leaving ends the game and the tournament: more entries at once than an outbox holds
                leave = await http.delete(
                    f"/sessions/{guest.session_id}/leave", headers={"Authorization": f"Bearer {guest.token}"}
                )
                assert leave.status_code == 204
            with pytest.raises(ConnectionClosed), trio.fail_after(10):
                while True:
                    await ann.receive()
        async with connect(server, table, last_seq=last) as ann:  # too much to replay into 2 slots
            await ann.until("session_state")
        samples = await scrape_until(server, lambda s: value(s, "checkgame_ws_disconnects_total", code="client") == 1)
    # both of the first sockets were sent more entries at once than their outboxes hold
    assert value(samples, "checkgame_ws_outbox_dropped_total") == 2
    assert value(samples, "checkgame_ws_slow_client_disconnects_total") == 2
    assert value(samples, "checkgame_ws_disconnects_total", code="1013") == 2
    assert value(samples, "checkgame_ws_resumes_total", mode="snapshot") == 1
    assert value(samples, "checkgame_games_finished_total", reason="left") == 1
    assert value(samples, "http_request_duration_seconds_count", method="DELETE",
                 route="/api/v1/sessions/<id:session_id>/leave", status_code="204") == 1  # fmt: skip


async def test_rate_limit_rejections_are_counted_by_limit(nursery: trio.Nursery, tmp_path: Path) -> None:
    server = await start_server(nursery, tmp_path, auth_per_min=1, actions_per_s=0.001, action_burst=1)
    async with httpx.AsyncClient(base_url=server.url + "/api/v1") as http:
        table, guest, _ = await two_seats(http)  # register: the one auth request allowed this minute
        login = {"login": "whoever", "password": PASSWORD}
        assert (await http.post("/auth/login", json=login)).status_code == 429
        async with connect(server, table) as ann, connect(server, guest) as bob:
            await start(ann, bob)
            for n in range(3):
                await ann.send("draw_card", actionId=f"a{n}")
                await ann.until("invalid_action", "action_ack", "turn_changed")
    samples = await scrape(server)
    assert value(samples, "checkgame_rate_limited_total", limit="auth") == 1
    assert value(samples, "checkgame_rate_limited_total", limit="ws_actions") >= 2
    assert value(samples, "checkgame_action_refusals_total", code="RATE_LIMITED") >= 2
    assert value(samples, "http_request_duration_seconds_count", method="POST", route="/api/v1/auth/login",
                 status_code="429") == 1  # fmt: skip


async def test_the_turn_timer_firing_is_counted(nursery: trio.Nursery, tmp_path: Path) -> None:
    server = await start_server(nursery, tmp_path, turn_timeout_s=0.2)
    async with httpx.AsyncClient(base_url=server.url + "/api/v1") as http:
        table, guest, _ = await two_seats(http)
    async with connect(server, table) as ann, connect(server, guest) as bob:
        await start(ann, bob)
        await ann.until("turn_timeout")  # nobody moved: the server moved for the player
        samples = await scrape_until(server, lambda s: value(s, "checkgame_timer_firings_total", kind="turn") >= 1)
    assert value(samples, "checkgame_actions_total", type="draw", result="accepted") == 0  # not a player's action


@pytest.mark.slow
async def test_a_whole_tournament_is_counted_and_every_move_timed(tmp_path: Path) -> None:
    fast: dict[str, Any] = {"actions_per_s": 1000.0, "action_burst": 1000, "messages_per_min": 1_000_000}
    async with serving(tmp_path, **fast) as server, httpx.AsyncClient(base_url=server.url + "/api/v1") as http:
        owner = await register(http)
        table = await create_session(http, owner, max_players=3)
        seats = [table, await join_as_guest(http, table.code, "B"), await join_as_guest(http, table.code, "C")]
        async with AsyncExitStack() as stack:
            clients = [await stack.enter_async_context(connect(server, seat)) for seat in seats]
            for client in clients:
                await client.until("session_state")
            async with trio.open_nursery() as players:
                for n, client in enumerate(clients):
                    players.start_soon(play_to_the_end, client, BotPlayer(f"p{n}", rng=random.Random(n)))
                await clients[0].send("start_game")
            samples = await scrape(server)

    kinds = ("play", "draw", "choose_suit")
    accepted = sum(value(samples, "checkgame_actions_total", type=kind, result="accepted") for kind in kinds)
    assert accepted > 0
    # every accepted move was timed to the last of the three sockets
    assert value(samples, "checkgame_move_broadcast_seconds_count") == accepted
    # three players: two games, each ended by the last player holding cards
    assert value(samples, "checkgame_games_finished_total", reason="last_player") == 2
    assert value(samples, "checkgame_actions_total", type="draw", result="refused") == 0
    assert value(samples, "checkgame_ws_outbox_dropped_total") == 0
    assert value(samples, "checkgame_timer_firings_total", kind="next_game") >= 1


@pytest.mark.redis
async def test_on_redis_each_node_times_its_redis_calls_and_counts_what_it_holds(tmp_path: Path) -> None:
    redis, run = require("redis"), secrets.token_hex(3)
    async with (  # two nodes on one database file and one Redis, stopped gracefully
        serving(tmp_path, redis_url=redis, node_id=f"met-a-{run}") as a,
        serving(tmp_path, redis_url=redis, node_id=f"met-b-{run}") as b,
        httpx.AsyncClient(base_url=a.url + "/api/v1") as http,
    ):
        table, guest, _ = await two_seats(http)
        timed, watched, acting = await _move_across_nodes(a, b, table, guest)

    for samples, node in ((timed, acting), (watched, b if acting is a else a)):
        assert value(samples, "websocket_connections_total") == 1  # each node counts its own socket
        assert value(samples, "active_games_total") == 1
        assert value(samples, "checkgame_redis_command_duration_seconds_count", operation="claim_due") >= 1
        assert value(samples, "checkgame_redis_errors_total", operation="commit") == 0
        node_id = node.services.settings.node_id
        assert value(samples, "checkgame_build_info", version=__version__, node=node_id, database="sqlite",
                     live="redis", role="all") == 1  # fmt: skip
    assert value(timed, "checkgame_redis_command_duration_seconds_count", operation="commit") >= 1
    assert value(watched, "checkgame_move_broadcast_seconds_count") == 0  # the move arrived on the other node
    rest_node = timed if acting is a else watched  # the REST calls went to node a, through the Redis limiter
    assert value(rest_node, "checkgame_redis_command_duration_seconds_count", operation="hit") >= 4
    assert value(rest_node, "checkgame_sessions_created_total") == 1


async def _move_across_nodes(a: Server, b: Server, table: Seat, guest: Seat) -> tuple[Samples, Samples, Server]:
    """Ann on node a, Bob on node b; whoever's turn it is draws. The acting node's and the other's metrics."""
    async with connect(a, table) as ann, connect(b, guest) as bob:
        await start(ann, bob)
        mover, _ = await mover_and_other(a, ann, bob)
        await mover.send("draw_card", actionId="m1")
        await ann.until("turn_changed")
        await bob.until("turn_changed")
        acting, watching = (a, b) if mover is ann else (b, a)
        timed = await scrape_until(acting, lambda s: value(s, "checkgame_move_broadcast_seconds_count") == 1)
        return timed, await scrape(watching), acting
