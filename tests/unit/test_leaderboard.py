"""Leaderboards through their cache: what is read from the store, when, and what a rated game changes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Literal, cast

import pytest
import trio
import trio.testing

from checkgame.errors import LiveStateError
from checkgame.leaderboard import Leaderboards, MemoryLeaderboardCache, month_start
from checkgame.observability.metrics import Metrics
from checkgame.store.base import LeaderboardEntry, PlayerRating, Store

DEC_6 = datetime(2026, 12, 6, 21, 0, tzinfo=UTC).timestamp()
ALICE = LeaderboardEntry(1, "u1", "alice", 5.0, 30.0, 8.0, 3)


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class BoardStore:
    """Answers leaderboard reads with a fixed board and remembers each read's ``since``."""

    def __init__(self) -> None:
        self.board = [ALICE]
        self.reads: list[datetime | None] = []

    async def leaderboard(self, *, since: datetime | None, limit: int) -> list[LeaderboardEntry]:
        self.reads.append(since)
        await trio.sleep(self.delay_s)
        return self.board[:limit]

    delay_s = 0.0


class DownCache:
    """A shared cache that cannot be reached."""

    async def get(self, key: str, limit: int) -> list[LeaderboardEntry] | None:
        raise LiveStateError("redis: connection refused")

    async def put(self, key: str, entries: Sequence[LeaderboardEntry], ttl_s: float) -> None:
        raise LiveStateError("redis: connection refused")

    async def invalidate(self, keys: Sequence[str]) -> None:
        raise LiveStateError("redis: connection refused")


def boards(store: BoardStore, clock: Clock, metrics: Metrics | None = None) -> Leaderboards:
    return Leaderboards(cast("Store", store), MemoryLeaderboardCache(clock), clock, ttl_s=30, metrics=metrics)


def test_month_start_is_the_first_instant_of_the_utc_month() -> None:
    assert month_start(DEC_6) == datetime(2026, 12, 1, tzinfo=UTC)
    assert month_start(datetime(2027, 1, 1, tzinfo=UTC).timestamp() - 0.5) == datetime(2026, 12, 1, tzinfo=UTC)


async def test_reads_come_from_the_cache_until_the_ttl_passes() -> None:
    store, clock, metrics = BoardStore(), Clock(DEC_6), Metrics()
    leaderboards = boards(store, clock, metrics)
    assert await leaderboards.top("all", 10) == [ALICE]
    store.board = []
    assert await leaderboards.top("all", 10) == [ALICE]  # cached
    assert store.reads == [None]
    clock.now += 30
    assert await leaderboards.top("all", 10) == []
    assert store.reads == [None, None]
    assert metrics.leaderboard_reads.labels("all", "store")._value.get() == 2
    assert metrics.leaderboard_reads.labels("all", "cache")._value.get() == 1


async def test_the_month_board_reads_since_the_first_of_the_month_and_moves_with_it() -> None:
    store, clock = BoardStore(), Clock(DEC_6)
    leaderboards = boards(store, clock)
    await leaderboards.top("month", 5)
    await leaderboards.top("month", 5)
    clock.now = datetime(2027, 1, 1, 0, 0, 1, tzinfo=UTC).timestamp()  # a new month: a new board, not the cached one
    await leaderboards.top("month", 5)
    assert store.reads == [datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)]
    assert leaderboards.key("month") == "month:2027-01"


async def test_a_rated_game_empties_both_boards_and_is_counted() -> None:
    store, clock, metrics = BoardStore(), Clock(DEC_6), Metrics()
    leaderboards = boards(store, clock, metrics)
    await leaderboards.top("all", 10)
    await leaderboards.top("month", 10)
    await leaderboards.rated([])
    await leaderboards.top("all", 10)
    assert len(store.reads) == 2  # nothing changed: still cached
    rating = PlayerRating("u1", 27.0, 8.0, 3.0, 1, datetime(2026, 12, 6, tzinfo=UTC))
    await leaderboards.rated([rating, rating])
    await leaderboards.top("all", 10)
    await leaderboards.top("month", 10)
    assert len(store.reads) == 4
    assert metrics.rating_updates._value.get() == 2


async def test_an_unreachable_cache_falls_back_to_the_store(caplog: pytest.LogCaptureFixture) -> None:
    store, clock = BoardStore(), Clock(DEC_6)
    leaderboards = Leaderboards(cast("Store", store), DownCache(), clock)
    assert await leaderboards.top("all", 1) == [ALICE]
    assert await leaderboards.top("all", 1) == [ALICE]
    assert store.reads == [None, None]
    await leaderboards.rated([PlayerRating("u1", 27.0, 8.0, 3.0, 1, None)])  # logged, not raised
    assert "leaderboard cache unreachable" in caplog.text


async def test_bad_arguments_are_refused() -> None:
    leaderboards = boards(BoardStore(), Clock(DEC_6))
    with pytest.raises(ValueError, match="limit"):
        await leaderboards.top("all", 0)
    with pytest.raises(ValueError, match="limit"):
        await leaderboards.top("all", 101)
    with pytest.raises(ValueError, match="period"):
        await leaderboards.top(cast("Literal['all']", "week"), 5)
    with pytest.raises(ValueError, match="ttl_s"):
        Leaderboards(cast("Store", BoardStore()), MemoryLeaderboardCache(Clock(0)), Clock(0), ttl_s=0)


async def test_readers_missing_at_once_wait_for_one_rebuild(autojump_clock: trio.testing.MockClock) -> None:
    store, clock, metrics = BoardStore(), Clock(DEC_6), Metrics()
    store.delay_s = 0.5  # a slow database: every reader arrives while the first is still reading
    leaderboards = boards(store, clock, metrics)
    answers: list[list[LeaderboardEntry]] = []

    async def read() -> None:
        answers.append(await leaderboards.top("all", 10))

    async with trio.open_nursery() as nursery:
        for _ in range(8):
            nursery.start_soon(read)
    assert answers == [[ALICE]] * 8
    assert store.reads == [None]
    assert metrics.leaderboard_reads.labels("all", "cache")._value.get() == 7
