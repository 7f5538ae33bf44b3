"""The :class:`~checkgame.ratelimit.RateLimiter` contract, run against the memory and the Redis limiter.

Each test gets two limiters on one shared count and one fake clock: two
Redis limiters (two clients, as on two nodes) under a key prefix of its own,
or the one memory limiter twice. ``retry_after_s`` must be the same exact
number from both backends, so it is compared with ``==``.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import coredis
import pytest
import trio

from checkgame.errors import RateLimitedError
from checkgame.live._connect import open_client
from checkgame.ratelimit import MemoryRateLimiter, RateLimiter
from checkgame.ratelimit_redis import RedisRateLimiter
from tests.support.services import require

Pair = tuple[RateLimiter, RateLimiter]


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(
    params=[
        "memory",
        pytest.param("redis", marks=pytest.mark.redis),
        pytest.param("redis-cluster", marks=[pytest.mark.redis, pytest.mark.slow]),
    ]
)
async def limiters(request: pytest.FixtureRequest, clock: FakeClock) -> AsyncIterator[Pair]:
    if request.param == "memory":
        limiter = MemoryRateLimiter(clock)
        yield limiter, limiter
        return
    prefix = f"cgtest:{uuid.uuid4().hex[:12]}"
    if request.param == "redis-cluster":  # a throwaway cluster: no clean-up
        url = str(request.getfixturevalue("redis_cluster_url"))
        async with open_client(url) as one, open_client(url) as two:
            yield RedisRateLimiter(one.client, clock, prefix=prefix), RedisRateLimiter(two.client, clock, prefix=prefix)
        return
    url = require("redis")
    async with coredis.Redis.from_url(url) as one, coredis.Redis.from_url(url) as two:
        try:
            yield RedisRateLimiter(one, clock, prefix=prefix), RedisRateLimiter(two, clock, prefix=prefix)
        finally:
            keys = [key async for key in one.scan_iter(match=f"{prefix}:*")]
            if keys:
                await one.delete(keys)


@pytest.fixture
def limiter(limiters: Pair) -> RateLimiter:
    return limiters[0]


async def refused(limiter: RateLimiter, key: str, limit: int, window_s: float) -> RateLimitedError:
    with pytest.raises(RateLimitedError) as info:
        await limiter.hit(key, limit, window_s)
    return info.value


async def test_allows_limit_hits_then_refuses_with_the_exact_wait(limiter: RateLimiter, clock: FakeClock) -> None:
    for _ in range(5):
        await limiter.hit("login:ip:1", 5, 60)
        clock.advance(1)
    error = await refused(limiter, "login:ip:1", 5, 60)
    assert error.retry_after_s == 55.0  # the first hit, 5 s ago, leaves the 60 s window in 55 s
    assert error.details == {"retryAfter": 55}
    assert "5 per 60 s" in error.message


async def test_the_window_slides(limiter: RateLimiter, clock: FakeClock) -> None:
    for offset in (0, 10, 20):
        clock.now = 1000.0 + offset
        await limiter.hit("k", 3, 60)
    clock.now = 1030.0
    assert (await refused(limiter, "k", 3, 60)).retry_after_s == 30.0
    clock.now = 1059.999
    await refused(limiter, "k", 3, 60)
    clock.now = 1060.0  # the hit at 0 leaves the window exactly now
    await limiter.hit("k", 3, 60)
    clock.now = 1061.0
    assert (await refused(limiter, "k", 3, 60)).retry_after_s == 9.0


async def test_fractional_times_give_the_same_wait_as_the_memory_arithmetic(
    limiter: RateLimiter, clock: FakeClock
) -> None:
    clock.now = 1000.1
    await limiter.hit("k", 1, 0.3)
    clock.now = 1000.2
    error = await refused(limiter, "k", 1, 0.3)
    assert error.retry_after_s == 1000.1 + 0.3 - 1000.2
    clock.now = 1000.1 + 0.3
    await limiter.hit("k", 1, 0.3)


async def test_no_double_burst_across_a_window_edge(limiter: RateLimiter, clock: FakeClock) -> None:
    """Unlike a fixed window, 'limit' hits at the end of one window block the start of the next."""
    clock.advance(59)
    for _ in range(3):
        await limiter.hit("k", 3, 60)
    clock.advance(2)
    await refused(limiter, "k", 3, 60)


async def test_refused_hits_are_not_counted(limiter: RateLimiter, clock: FakeClock) -> None:
    await limiter.hit("k", 1, 10)
    for _ in range(20):
        clock.advance(0.25)
        await refused(limiter, "k", 1, 10)
    clock.now = 1010.0
    await limiter.hit("k", 1, 10)


async def test_keys_are_independent(limiter: RateLimiter) -> None:
    await limiter.hit("login:ip:1", 1, 60)
    await refused(limiter, "login:ip:1", 1, 60)
    await limiter.hit("login:ip:2", 1, 60)
    await limiter.hit("register:ip:1", 1, 60)


async def test_reset_forgets_a_key(limiter: RateLimiter) -> None:
    await limiter.hit("k", 1, 60)
    await limiter.reset("k")
    await limiter.hit("k", 1, 60)
    await limiter.reset("never-seen")


async def test_lowering_the_limit_reports_when_enough_hits_leave(limiter: RateLimiter, clock: FakeClock) -> None:
    for _ in range(4):
        await limiter.hit("k", 10, 60)
        clock.advance(1)
    # Four hits at 0,1,2,3; with limit 2, only one may remain, so the hits at 0, 1 and 2 must leave:
    # the last of them leaves at 62, i.e. 58 s from now (4).
    assert (await refused(limiter, "k", 2, 60)).retry_after_s == 58.0


async def test_several_hits_at_the_same_instant_all_count(limiter: RateLimiter) -> None:
    for _ in range(3):
        await limiter.hit("k", 3, 60)
    await refused(limiter, "k", 3, 60)


async def test_bad_arguments_are_refused(limiter: RateLimiter) -> None:
    with pytest.raises(ValueError, match="limit"):
        await limiter.hit("k", 0, 60)
    with pytest.raises(ValueError, match="window_s"):
        await limiter.hit("k", 1, 0)


async def test_two_nodes_share_one_count(limiters: Pair, clock: FakeClock) -> None:
    a, b = limiters
    await a.hit("k", 2, 60)
    clock.advance(1)
    await b.hit("k", 2, 60)
    assert (await refused(a, "k", 2, 60)).retry_after_s == 59.0
    await refused(b, "k", 2, 60)
    await b.reset("k")
    await a.hit("k", 2, 60)


async def test_concurrent_hits_from_two_nodes_never_exceed_the_limit(limiters: Pair) -> None:
    accepted = 0

    async def hammer(limiter: RateLimiter) -> None:
        nonlocal accepted
        for _ in range(20):
            try:
                await limiter.hit("k", 7, 60)
            except RateLimitedError:
                continue
            accepted += 1

    async with trio.open_nursery() as nursery:
        for limiter in limiters:
            nursery.start_soon(hammer, limiter)
    assert accepted == 7


@pytest.mark.redis
async def test_redis_keys_expire_with_their_window(clock: FakeClock) -> None:
    url = require("redis")
    prefix = f"cgtest:{uuid.uuid4().hex[:12]}"
    async with coredis.Redis.from_url(url) as client:
        limiter = RedisRateLimiter(client, clock, prefix=prefix)
        await limiter.hit("k", 5, 30)
        assert 0 < await client.pttl(f"{prefix}:rl:k") <= 30_000
        await limiter.reset("k")
        assert await client.exists([f"{prefix}:rl:k"]) == 0
