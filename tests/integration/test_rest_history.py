"""A player's history and the replay of their games over REST, on SQLite and on PostgreSQL.

A real tournament is played over real sockets by three bots (two registered players and a guest); then its
games are listed for the profile and replayed by each of their players, every step checked against the
positions the server really held (RULES.md §16: nobody else's card, ever).
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio

from checkgame import rules
from checkgame.app import serve_checkgame
from checkgame.bots.table import BotPlayer
from checkgame.sessions.replay import action_from_record
from checkgame.store.base import GameResult
from tests.contract import pg_schemas
from tests.integration.conftest import (
    TEST_SETTINGS,
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
)

FAST: dict[str, Any] = {
    "actions_per_s": 1000.0,
    "action_burst": 1000,
    "messages_per_min": 1_000_000,
    "next_game_delay_s": 0.01,
}


@asynccontextmanager
async def node(backend: str, tmp_path: Path) -> AsyncIterator[Server]:
    """A server on the chosen store (a fresh PostgreSQL schema, dropped after the server stopped)."""
    url = f"sqlite:///{tmp_path / 'checkgame.db'}" if backend == "sqlite" else pg_schemas.schema_url(tmp_path)
    settings = dataclasses.replace(TEST_SETTINGS, database_url=url, **FAST)
    stop = trio.Event()
    try:
        async with trio.open_nursery() as nursery:
            services = await nursery.start(
                lambda task_status: serve_checkgame(settings, shutdown_trigger=stop.wait, task_status=task_status)
            )
            try:
                yield Server(services, stop)
            finally:
                stop.set()
    finally:
        await pg_schemas.drop_schema(tmp_path)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _join(http: httpx.AsyncClient, session_id: str, account: Account) -> Seat:
    response = await http.post(f"/sessions/{session_id}/join", json={}, headers=account.auth)
    assert response.status_code == 200, response.text
    joined = response.json()
    return Seat(joined["sessionId"], joined["playerId"], joined["sessionToken"])


async def _play_tournament(server: Server, http: httpx.AsyncClient, seats: list[Seat]) -> None:
    async with AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(connect(server, seat)) for seat in seats]
        for client in clients:
            await client.until("session_state")
        async with trio.open_nursery() as players:
            for i, client in enumerate(clients):
                players.start_soon(play_to_the_end, client, BotPlayer(f"p{i}", rng=random.Random(i)))
            response = await http.post(f"/sessions/{seats[0].session_id}/games/start", headers=_bearer(seats[0].token))
            assert response.status_code == 200, response.text
    await eventually(  # recorded: the live status is finished first, the row's finishedAt once the result is stored
        lambda: http.get(f"/sessions/{seats[0].session_id}"), lambda b: b["session"]["finishedAt"] is not None
    )


def _positions(game: GameResult) -> Iterator[rules.GameState]:
    state, _ = rules.new_game(game.players, game.seed, hand_size=game.hand_size, first_player=game.first_player)
    yield state
    for record in game.actions:
        state, _ = rules.apply(state, action_from_record(record))
        yield state


def _cards(value: Any) -> Iterator[rules.Card]:
    if isinstance(value, dict):
        if "rank" in value:
            yield rules.card_from_wire(value)
        else:
            for item in value.values():
                yield from _cards(item)
    elif isinstance(value, list):
        for item in value:
            yield from _cards(item)


def _check_replay(body: dict[str, Any], game: GameResult, viewer: str) -> None:
    """The replay is the game as ``viewer`` saw it, step by step: their hand, and no card of anybody else's."""
    assert body["viewer"] == viewer
    assert "seed" not in body["game"]
    assert (body["game"]["id"], body["game"]["loser"], body["game"]["placements"]) == (
        game.id,
        game.loser,
        list(game.placements),
    )
    steps = body["steps"]
    positions = list(_positions(game))
    assert [s["step"] for s in steps] == list(range(len(positions)))
    for step, truth in zip(steps, positions, strict=True):
        seen = set(_cards(step))
        for other, hand in zip(truth.players, truth.hands, strict=True):
            if other != viewer:
                assert not seen & set(hand), f"step {step['step']}: {viewer} is shown {other}'s cards"
        assert sorted(map(rules.card_from_wire, step["state"]["hand"]), key=str) == sorted(
            truth.hand_of(viewer), key=str
        )


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_players_list_their_games_and_replay_each_as_they_saw_it(backend: str, tmp_path: Path) -> None:
    async with node(backend, tmp_path) as server, httpx.AsyncClient(base_url=server.url + "/api/v1") as http:
        ann, bob, stranger = await register(http), await register(http), await register(http)
        table = await create_session(http, ann, max_players=3)
        bob_seat = await _join(http, table.session_id, bob)
        guest = await join_as_guest(http, table.code, "Cid")
        await _play_tournament(server, http, [table, bob_seat, guest])

        history = await eventually(
            lambda: http.get("/users/profile/history", headers=ann.auth),
            lambda b: b["items"] and len(b["items"][0]["games"]) == 2,
        )
        assert history["total"] == 1
        (item,) = history["items"]
        assert item["session"]["id"] == table.session_id
        assert item["playerId"] == ann.user_id
        assert item["names"] == {ann.user_id: ann.username, bob.user_id: bob.username, guest.player_id: "Cid"}
        ranking = [p.player_id for p in sorted(
            await server.services.store.list_session_players(table.session_id), key=lambda p: p.final_rank or 0
        )]  # fmt: skip
        assert item["finalRank"] == ranking.index(ann.user_id) + 1
        games = item["games"]
        assert [g["number"] for g in games] == [1, 2]
        for listed in games:
            assert "seed" not in listed
            assert listed["replayable"] == (ann.user_id in listed["players"])
            assert listed["place"] == (listed["placements"].index(ann.user_id) + 1 if listed["replayable"] else None)

        auth = {ann.user_id: ann.auth, bob.user_id: bob.auth, guest.player_id: _bearer(guest.token)}
        for listed in games:
            game = await server.services.store.get_game(listed["id"])
            assert game is not None
            for player, headers in auth.items():
                response = await http.get(f"/games/{game.id}/replay", headers=headers)
                if player in game.players:
                    assert response.status_code == 200, response.text
                    _check_replay(response.json(), game, player)
                else:  # eliminated in game 1: not a player of game 2
                    expect_error(response, 403, "NOT_A_PLAYER")

        first = games[0]["id"]
        expect_error(await http.get(f"/games/{first}/replay", headers=stranger.auth), 403, "NOT_A_PLAYER")
        expect_error(await http.get(f"/games/{first}/replay"), 401, "UNAUTHORIZED")
        other_table = await create_session(http, stranger)  # a session token of another session opens nothing here
        expect_error(await http.get(f"/games/{first}/replay", headers=_bearer(other_table.token)), 403, "NOT_A_PLAYER")
        unknown = f"{table.session_id}-9"
        expect_error(await http.get(f"/games/{unknown}/replay", headers=ann.auth), 404, "GAME_NOT_FOUND")

        assert (await http.get("/users/profile/history", headers=stranger.auth)).json() == {
            "items": [
                {
                    "session": {  # as the lobby lists it, without the live spectator count a history has no use for
                        **(await http.get(f"/sessions/{other_table.session_id}")).json()["session"],
                        "spectators": None,
                    },
                    "playerId": stranger.user_id,
                    "finalRank": None,
                    "names": {stranger.user_id: stranger.username},
                    "games": [],
                }
            ],
            "total": 1,
            "limit": 10,
            "offset": 0,
        }


async def test_history_needs_a_login_and_a_valid_page(http: httpx.AsyncClient) -> None:
    expect_error(await http.get("/users/profile/history"), 401, "UNAUTHORIZED")
    ann = await register(http)
    await create_session(http, ann)
    await create_session(http, ann)
    page = (await http.get("/users/profile/history?limit=1&offset=1", headers=ann.auth)).json()
    assert (len(page["items"]), page["total"], page["limit"], page["offset"]) == (1, 2, 1, 1)
    for query in ("limit=0", "limit=51", "offset=-1", "color=red"):
        expect_error(await http.get(f"/users/profile/history?{query}", headers=ann.auth), 422, "VALIDATION_ERROR")


async def test_a_record_that_no_longer_replays_is_refused_in_words(server: Server, http: httpx.AsyncClient) -> None:
    ann = await register(http)
    table = await create_session(http, ann, max_players=2)
    moment = datetime.now(UTC)
    damaged = GameResult(
        f"{table.session_id}-1", table.session_id, 1, 42, 7, (ann.user_id, "guest-b"), ann.user_id, moment, moment,
        "guest-b", (ann.user_id, "guest-b"), "last_player", ({"type": "play", "player": "guest-b", "card": "7H"},),
    )  # fmt: skip
    await server.services.store.record_game(damaged)  # the first action is not the first player's: refused on replay
    expect_error(await http.get(f"/games/{damaged.id}/replay", headers=ann.auth), 409, "REPLAY_UNAVAILABLE")
