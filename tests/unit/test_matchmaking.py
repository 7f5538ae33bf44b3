"""Quick play on one node (memory live state, SQLite), with Trio's fake clock for the wait and the timers.

The same guarantees across nodes, on Redis, are in tests/contract/test_quick_play_contract.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

import pytest
import trio
import trio.testing

from checkgame import sessions
from checkgame.errors import ConflictError
from checkgame.live.memory import MemoryLiveStore, MemoryQuickPlayPool
from checkgame.observability.metrics import Metrics
from checkgame.rooms import SessionService, run_timers
from checkgame.rooms.creation import new_join_code
from checkgame.rooms.matchmaking import OPENING_GRACE_S, SAME_PLAYER_WAIT_S, Match, Matchmaker
from checkgame.sessions import Seat, SessionSettings, Status
from checkgame.sessions.machine import ComputersSeated, Effect
from checkgame.store import open_store
from checkgame.store.base import Store, User

WAIT_S = 30.0


@dataclass
class Node:
    service: SessionService
    matchmaker: Matchmaker
    pool: MemoryQuickPlayPool
    metrics: Metrics
    effects: list[Effect] = field(default_factory=list)


REGISTERED = ("ann", "bob", "cat", "dan")


@pytest.fixture
async def store() -> AsyncIterator[Store]:
    async with open_store("sqlite:///:memory:") as opened:
        await opened.migrate()
        for name in REGISTERED:
            at = datetime(2026, 1, 1, tzinfo=UTC)
            await opened.create_user(User(f"u-{name}", name.title(), f"{name}@example.org", "-", "player", at))
        yield opened


@pytest.fixture
def node(store: Store) -> Node:
    clock = trio.current_time
    effects: list[Effect] = []
    service = SessionService(MemoryLiveStore(), effects.append, clock)
    pool = MemoryQuickPlayPool(clock)
    metrics = Metrics()
    matchmaker = Matchmaker(
        service,
        pool,
        store,
        clock,
        settings=lambda size: SessionSettings(max_players=size),
        wait_s=WAIT_S,
        new_code=new_join_code,
        metrics=metrics,
    )
    return Node(service, matchmaker, pool, metrics, effects)


def registered(name: str) -> Seat:
    return Seat(f"u-{name}", name.title(), f"u-{name}")


def guest(n: int) -> Seat:
    return Seat(f"guest-{n}", f"Guest {n}")


def count(node: Node, result: str) -> float:
    value = node.metrics.registry.get_sample_value("checkgame_matchmaking_requests_total", {"result": result})
    return value or 0.0


async def test_a_lone_player_opens_a_table_that_computer_players_fill_when_the_wait_ends(
    node: Node, store: Store, autojump_clock: trio.testing.MockClock
) -> None:
    match = await node.matchmaker.play(registered("ann"), 4, accepts_computers=True)
    assert match.result == "opened"
    assert match.seat == 1
    record = await store.get_session(match.state.id)
    assert record is not None
    assert not record.is_private
    assert record.max_players == 4
    async with trio.open_nursery() as nursery:
        await nursery.start(partial(run_timers, node.service, trio.current_time, node="n1"))
        await trio.sleep(WAIT_S - 1)
        assert (await node.service.load(match.state.id)).status is Status.WAITING
        await trio.sleep(2)
        state = await node.service.load(match.state.id)
        nursery.cancel_scope.cancel()
    assert state.status is Status.PLAYING
    assert state.seated[0] == "u-ann"
    assert len(state.seated) == 4
    seated_computers = [e for e in node.effects if isinstance(e, ComputersSeated)]
    assert [len(e.players) for e in seated_computers] == [3]


async def test_a_table_waits_past_its_wait_when_its_player_refused_computers(
    node: Node, autojump_clock: trio.testing.MockClock
) -> None:
    match = await node.matchmaker.play(registered("ann"), 3, accepts_computers=False)
    async with trio.open_nursery() as nursery:
        await nursery.start(partial(run_timers, node.service, trio.current_time, node="n1"))
        await trio.sleep(WAIT_S + 1)
        assert (await node.service.load(match.state.id)).status is Status.WAITING
        joined = await node.matchmaker.play(registered("bob"), 3, accepts_computers=False)
        assert joined.result == "joined"
        await trio.sleep(WAIT_S)  # the next round of the wait: two people start without a third
        state = await node.service.load(match.state.id)
        nursery.cancel_scope.cancel()
    assert state.status is Status.PLAYING
    assert state.seated == ("u-ann", "u-bob")


async def test_players_join_the_open_table_and_the_one_that_fills_it_starts_it(node: Node) -> None:
    first = await node.matchmaker.play(registered("ann"), 3, accepts_computers=False)
    second = await node.matchmaker.play(guest(1), 3, accepts_computers=False)
    third = await node.matchmaker.play(registered("cat"), 3, accepts_computers=False)
    assert [m.result for m in (first, second, third)] == ["opened", "joined", "joined"]
    assert {m.state.id for m in (first, second, third)} == {first.state.id}
    assert [m.seat for m in (first, second, third)] == [1, 2, 3]
    assert third.state.status is Status.PLAYING
    fourth = await node.matchmaker.play(registered("dan"), 3, accepts_computers=False)
    assert fourth.result == "opened"  # the full table left the pool
    assert fourth.state.id != first.state.id
    assert await node.pool.reserve(3, "next") == (fourth.state.id, False)  # the full table left the pool
    assert (count(node, "opened"), count(node, "joined")) == (2.0, 2.0)


async def test_tables_of_other_sizes_are_not_offered(node: Node) -> None:
    two = await node.matchmaker.play(registered("ann"), 2, accepts_computers=True)
    four = await node.matchmaker.play(registered("bob"), 4, accepts_computers=True)
    assert four.result == "opened"
    assert four.state.id != two.state.id


async def test_the_same_player_asking_again_gets_their_seat_back(node: Node) -> None:
    first = await node.matchmaker.play(registered("ann"), 4, accepts_computers=True)
    again = await node.matchmaker.play(registered("ann"), 4, accepts_computers=True)
    assert again.result == "returned"
    assert again.state.id == first.state.id
    assert again.seat == 1
    assert (await node.service.load(first.state.id)).seated == ("u-ann",)
    assert count(node, "returned") == 1.0


async def test_the_same_player_asking_twice_at_once_is_seated_once(node: Node) -> None:
    matches: list[Match] = []

    async def ask() -> None:
        matches.append(await node.matchmaker.play(registered("ann"), 4, accepts_computers=True))

    async with trio.open_nursery() as nursery:
        for _ in range(5):
            nursery.start_soon(ask)
    assert sorted(m.result for m in matches) == ["opened", "returned", "returned", "returned", "returned"]
    assert len({m.state.id for m in matches}) == 1
    assert (await node.service.load(matches[0].state.id)).seated == ("u-ann",)


async def test_a_player_who_left_their_table_gets_a_new_one(node: Node) -> None:
    first = await node.matchmaker.play(registered("ann"), 4, accepts_computers=True)
    await node.service.execute(first.state.id, sessions.LeaveSession("u-ann"))  # the table is abandoned
    again = await node.matchmaker.play(registered("ann"), 4, accepts_computers=True)
    assert again.result == "opened"
    assert again.state.id != first.state.id


async def test_a_table_that_ended_is_withdrawn_and_the_next_one_tried(node: Node) -> None:
    ended = await node.matchmaker.play(registered("ann"), 4, accepts_computers=True)
    await node.service.execute(ended.state.id, sessions.EndSession("closed by an operator"))
    match = await node.matchmaker.play(registered("bob"), 4, accepts_computers=True)
    assert match.result == "opened"
    assert await node.pool.reserve(4, "next") == (match.state.id, False)  # the ended table was withdrawn


async def test_many_requests_at_once_fill_whole_tables(node: Node) -> None:
    matches: list[Match] = []

    async def ask(n: int) -> None:
        matches.append(await node.matchmaker.play(guest(n), 4, accepts_computers=False))

    async with trio.open_nursery() as nursery:
        for n in range(40):
            nursery.start_soon(ask, n)
    tables = {m.state.id for m in matches}
    assert len(tables) == 10
    seated: list[str] = []
    for session_id in tables:
        state = await node.service.load(session_id)
        assert len(state.seats) == 4
        assert state.status is Status.PLAYING
        seated.extend(state.seated)
    assert sorted(seated) == sorted(f"guest-{n}" for n in range(40))


async def test_a_table_whose_opener_died_is_given_up_for_a_new_one(
    node: Node, autojump_clock: trio.testing.MockClock
) -> None:
    ghost, opened = await node.pool.reserve(4, "ghost")  # filed by a node that died before opening it
    assert opened
    match = await node.matchmaker.play(registered("ann"), 4, accepts_computers=True)
    assert match.result == "opened"
    assert match.state.id != ghost
    assert trio.current_time() >= OPENING_GRACE_S  # the seat at the ghost table was waited for, then given up
    assert (await node.pool.reserve(4, "next")) == (match.state.id, False)


async def test_the_pool_reserves_seats_at_the_fullest_table_and_forgets_expired_claims(
    autojump_clock: trio.testing.MockClock,
) -> None:
    pool = MemoryQuickPlayPool(trio.current_time)
    assert await pool.reserve(3, "a") == ("a", True)
    assert await pool.reserve(3, "b") == ("a", False)
    assert await pool.reserve(3, "c") == ("a", False)  # a's last seat
    assert await pool.reserve(3, "d") == ("d", True)  # a is full: a new table
    await pool.unreserve(3, "a")  # a seat at a was not taken after all
    assert await pool.reserve(3, "e") == ("a", False)
    await pool.withdraw(3, "d")
    assert await pool.reserve(3, "f") == ("f", True)
    assert await pool.reserve(2, "g") == ("g", True)  # each size apart
    assert await pool.claim("x", "one", 5.0) is None
    assert await pool.claim("x", "two", 5.0) == "one"
    assert not await pool.handover("x", "two", "three", 5.0)
    assert await pool.handover("x", "one", "three", 5.0)
    await pool.release("x", "one")  # not the holder any more: nothing happens
    assert await pool.claim("x", "two", 5.0) == "three"
    await trio.sleep(5.0)
    assert await pool.claim("x", "two", 5.0) is None


class EndedTablesOnly(MemoryQuickPlayPool):
    """A pool that only ever offers one table, which has ended (as if withdrawing it never took)."""

    def __init__(self, table: str) -> None:
        super().__init__(trio.current_time)
        self.table = table

    async def reserve(self, size: int, new_table: str) -> tuple[str, bool]:
        return self.table, False


async def test_a_request_gives_up_after_enough_tables_refused_it(node: Node) -> None:
    ended = await node.matchmaker.play(registered("bob"), 4, accepts_computers=True)
    await node.service.execute(ended.state.id, sessions.EndSession("closed"))
    pool = EndedTablesOnly(ended.state.id)
    node.matchmaker._pool = pool
    with pytest.raises(ConflictError) as info:
        await node.matchmaker.play(registered("ann"), 4, accepts_computers=True)
    assert info.value.code == "MATCHMAKING_BUSY"
    assert count(node, "matchmaking_busy") == 1.0
    assert await pool.claim("player:u-ann", "x", 1.0) is None  # the player's pending claim was let go


async def test_a_request_waits_for_the_same_players_request_in_flight_then_gives_up(
    node: Node, autojump_clock: trio.testing.MockClock
) -> None:
    assert await node.pool.claim("player:u-ann", "pending:elsewhere", 3600.0) is None  # stuck on another node
    with pytest.raises(ConflictError) as info:
        await node.matchmaker.play(registered("ann"), 4, accepts_computers=True)
    assert info.value.code == "MATCHMAKING_IN_PROGRESS"
    assert trio.current_time() >= SAME_PLAYER_WAIT_S
    assert await node.pool.reserve(4, "first") == ("first", True)  # no seat was taken meanwhile
