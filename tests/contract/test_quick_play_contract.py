"""Quick play across two nodes: many requests at once, half on each node, on the memory backend (one process)
and on a real Redis (two clients, each node with its own live store, session service and pool).

What must hold whatever the interleaving: no table is overfilled, every player is seated exactly once, every
full table has started, and a registered player asking on both nodes at once holds one seat.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import trio

from checkgame.live import LiveStore, MemoryLiveStore
from checkgame.live.base import QuickPlayPool
from checkgame.live.memory import MemoryQuickPlayPool
from checkgame.live.redis import RedisLiveStore, RedisQuickPlayPool
from checkgame.rooms import SessionService
from checkgame.rooms.creation import new_join_code
from checkgame.rooms.matchmaking import Match, Matchmaker
from checkgame.sessions import Seat, SessionSettings, Status
from checkgame.store import open_store
from checkgame.store.base import Store, User
from tests.contract.test_live_contract import REDIS_KINDS, _redis_pair, _redis_url

WAIT_S = 600.0
"""Long enough never to end during a test: tables here start only by filling."""


@pytest.fixture
def prefix() -> str:
    return f"cgtest:{time.monotonic_ns()}"


@pytest.fixture
async def store() -> AsyncIterator[Store]:
    async with open_store("sqlite:///:memory:") as opened:
        await opened.migrate()
        yield opened


@pytest.fixture(params=["memory", *REDIS_KINDS])
async def matchmakers(
    request: pytest.FixtureRequest, prefix: str, store: Store
) -> AsyncIterator[tuple[Matchmaker, Matchmaker]]:
    """Two nodes' matchmakers over one shared live state and pool, and one database."""

    def node(live: LiveStore, pool: QuickPlayPool) -> Matchmaker:
        service = SessionService(live, lambda effect: None, time.time)
        settings = lambda size: SessionSettings(max_players=size)  # noqa: E731
        return Matchmaker(service, pool, store, time.time, settings=settings, wait_s=WAIT_S, new_code=new_join_code)

    if request.param == "memory":
        live, pool = MemoryLiveStore(), MemoryQuickPlayPool(time.time)
        yield node(live, pool), node(live, pool)
        return
    async with _redis_pair(_redis_url(request), prefix) as (a, b):
        yield node(a, _pool(a, prefix)), node(b, _pool(b, prefix))


def _pool(live: RedisLiveStore, prefix: str) -> RedisQuickPlayPool:
    return RedisQuickPlayPool(live.client, prefix=prefix)


async def _ask_all(
    nodes: tuple[Matchmaker, Matchmaker], players: list[Seat], size: int, *, twice: bool = False
) -> list[Match]:
    """Every player asks at once, alternately on each node (``twice``: each also on the other node)."""
    matches: list[Match] = []

    async def ask(matchmaker: Matchmaker, player: Seat) -> None:
        matches.append(await matchmaker.play(player, size, accepts_computers=False))

    async with trio.open_nursery() as nursery:
        for n, player in enumerate(players):
            nursery.start_soon(ask, nodes[n % 2], player)
            if twice:
                nursery.start_soon(ask, nodes[(n + 1) % 2], player)
    return matches


async def test_concurrent_requests_on_two_nodes_fill_whole_tables_and_seat_everyone_once(
    matchmakers: tuple[Matchmaker, Matchmaker],
) -> None:
    size, count = 4, 48
    players = [Seat(f"guest-{n}", f"Guest {n}") for n in range(count)]
    matches = await _ask_all(matchmakers, players, size)
    assert len(matches) == count
    service = matchmakers[0]._service
    seated: list[str] = []
    for session_id in {m.state.id for m in matches}:
        state = await service.load(session_id, fresh=True)
        assert len(state.seats) <= size
        seated.extend(state.seated)
        if len(state.seated) == size:
            assert state.status is Status.PLAYING
    assert sorted(seated) == sorted(p.player_id for p in players)
    assert sum(m.result == "opened" for m in matches) == count // size  # no table opened beside an open one


async def test_registered_players_asking_on_both_nodes_at_once_hold_one_seat_each(
    matchmakers: tuple[Matchmaker, Matchmaker], store: Store
) -> None:
    size, count = 3, 9
    players = [Seat(f"u{n}", f"user{n}", f"u{n}") for n in range(count)]
    for player in players:
        at = datetime(2026, 1, 1, tzinfo=UTC)
        await store.create_user(User(player.player_id, player.name, f"{player.name}@example.org", "-", "player", at))
    matches = await _ask_all(matchmakers, players, size, twice=True)
    by_player: dict[str, set[str]] = {}
    for match in matches:
        by_player.setdefault(match.player.player_id, set()).add(match.state.id)
    assert all(len(tables) == 1 for tables in by_player.values())  # both answers name the same table
    assert sorted(m.result for m in matches).count("returned") == count
    service = matchmakers[1]._service
    seated: list[str] = []
    for session_id in {m.state.id for m in matches}:
        state = await service.load(session_id, fresh=True)
        assert len(state.seats) <= size
        seated.extend(state.seated)
    assert sorted(seated) == sorted(p.player_id for p in players)


async def test_the_pool_reserves_each_seat_once(matchmakers: tuple[Matchmaker, Matchmaker]) -> None:
    pools = (matchmakers[0]._pool, matchmakers[1]._pool)
    reserved: list[tuple[str, bool]] = []

    async def reserve(n: int) -> None:
        reserved.append(await pools[n % 2].reserve(3, f"t{n}"))

    async with trio.open_nursery() as nursery:
        for n in range(30):
            nursery.start_soon(reserve, n)
    opened = [table for table, new in reserved if new]
    assert len(opened) == 10
    assert sorted(table for table, _ in reserved) == sorted(opened * 3)
    await pools[0].unreserve(3, opened[0])
    assert await pools[1].reserve(3, "next") == (opened[0], False)
    await pools[0].withdraw(3, opened[1])
    assert await pools[1].reserve(3, "last") == ("last", True)
    assert await pools[0].claim("k", "one", 5.0) is None
    assert await pools[1].claim("k", "two", 5.0) == "one"
    assert await pools[1].handover("k", "one", "three", 5.0)
    await pools[0].release("k", "one")
    assert await pools[0].claim("k", "two", 5.0) == "three"
    await pools[1].release("k", "three")
    assert await pools[0].claim("k", "two", 5.0) is None
