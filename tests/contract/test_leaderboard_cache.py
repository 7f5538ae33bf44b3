"""The :class:`~checkgame.leaderboard.LeaderboardCache` contract, run against the memory and the Redis cache.

Redis caches get a key prefix of their own per test; the memory cache a clock that never moves (its
expiry is tested in tests/unit/test_leaderboard.py with a fake clock).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import coredis
import pytest

from checkgame.leaderboard import LeaderboardCache, MemoryLeaderboardCache
from checkgame.leaderboard_redis import RedisLeaderboardCache
from checkgame.live._connect import open_client
from checkgame.store.base import LeaderboardEntry
from tests.support.services import require

BOARD = [
    LeaderboardEntry(1, "u7", "Zoë ♥", 12.345678, 31.2, 6.285107, 14),
    LeaderboardEntry(2, "u3", "bob", 3.5, 24.1, 6.866666, 2),
    LeaderboardEntry(3, "u2", "carol", 3.5, 23.9, 6.8, 9),  # tied with bob: the higher user id first
    LeaderboardEntry(4, "u9", "dave", -4.25, 20.0, 8.083333, 1),
]


@pytest.fixture(
    params=[
        "memory",
        pytest.param("redis", marks=pytest.mark.redis),
        pytest.param("redis-cluster", marks=[pytest.mark.redis, pytest.mark.slow]),
    ]
)
async def cache(request: pytest.FixtureRequest) -> AsyncIterator[LeaderboardCache]:
    if request.param == "memory":
        yield MemoryLeaderboardCache(lambda: 1000.0)
        return
    prefix = f"cgtest:{uuid.uuid4().hex[:12]}"
    if request.param == "redis-cluster":  # a throwaway cluster: no clean-up
        async with open_client(str(request.getfixturevalue("redis_cluster_url"))) as opened:
            yield RedisLeaderboardCache(opened.client, prefix=prefix)
        return
    async with coredis.Redis.from_url(require("redis")) as client:
        try:
            yield RedisLeaderboardCache(client, prefix=prefix)
        finally:
            keys = [key async for key in client.scan_iter(match=f"{{{prefix}:*")]
            if keys:
                await client.delete(keys)


async def test_a_board_is_missing_until_put_then_read_best_first(cache: LeaderboardCache) -> None:
    assert await cache.get("all", 10) is None
    await cache.put("all", BOARD, 60)
    assert await cache.get("all", 10) == BOARD
    assert await cache.get("all", 2) == BOARD[:2]
    assert await cache.get("month:2026-12", 10) is None


async def test_an_empty_board_is_cached_as_empty(cache: LeaderboardCache) -> None:
    await cache.put("month:2026-12", [], 60)
    assert await cache.get("month:2026-12", 10) == []


async def test_a_put_replaces_the_whole_board(cache: LeaderboardCache) -> None:
    await cache.put("all", BOARD, 60)
    await cache.put("all", [LeaderboardEntry(1, "u3", "bob", 9.0, 30.0, 7.0, 3)], 60)
    assert await cache.get("all", 10) == [LeaderboardEntry(1, "u3", "bob", 9.0, 30.0, 7.0, 3)]


async def test_invalidate_forgets_the_named_boards_only(cache: LeaderboardCache) -> None:
    await cache.put("all", BOARD, 60)
    await cache.put("month:2026-11", BOARD[:1], 60)
    await cache.put("month:2026-12", BOARD[:2], 60)
    await cache.invalidate(["all", "month:2026-12"])
    assert await cache.get("all", 10) is None
    assert await cache.get("month:2026-12", 10) is None
    assert await cache.get("month:2026-11", 10) == BOARD[:1]
