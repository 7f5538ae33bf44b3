"""Rate limits: the sliding-window MemoryRateLimiter (with a fake clock) and the pure TokenBucket."""

from __future__ import annotations

import pytest

from checkgame.errors import RateLimitedError
from checkgame.ratelimit import (
    ACTION_BURST,
    ACTIONS_PER_S,
    MESSAGE_BURST,
    MESSAGES_PER_MIN,
    MemoryRateLimiter,
    RateLimiter,
    RateLimiterStatistics,
    TokenBucket,
    action_bucket,
    message_bucket,
)


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


@pytest.fixture
def limiter(clock: FakeClock) -> MemoryRateLimiter:
    return MemoryRateLimiter(clock)


async def refused(limiter: RateLimiter, key: str, limit: int, window_s: float) -> RateLimitedError:
    with pytest.raises(RateLimitedError) as info:
        await limiter.hit(key, limit, window_s)
    return info.value


# ---------------------------------------------------------------- MemoryRateLimiter


def test_memory_limiter_satisfies_the_protocol(clock: FakeClock) -> None:
    limiter: RateLimiter = MemoryRateLimiter(clock)  # checked by mypy
    assert isinstance(limiter, MemoryRateLimiter)


async def test_allows_limit_hits_then_refuses(limiter: MemoryRateLimiter, clock: FakeClock) -> None:
    for _ in range(5):
        await limiter.hit("login:ip:1", 5, 60)
        clock.advance(1)
    error = await refused(limiter, "login:ip:1", 5, 60)
    assert error.code == "RATE_LIMITED"
    assert error.status_hint == 429
    # The first hit (5 s ago) leaves the 60 s window in 55 s.
    assert error.retry_after_s == pytest.approx(55)
    assert error.details == {"retryAfter": 55}
    assert "5 per 60 s" in error.message


async def test_window_slides(limiter: MemoryRateLimiter, clock: FakeClock) -> None:
    start = clock.now
    for offset in (0, 10, 20):
        clock.now = start + offset
        await limiter.hit("k", 3, 60)
    clock.now = start + 30
    assert (await refused(limiter, "k", 3, 60)).retry_after_s == pytest.approx(30)
    clock.now = start + 59.999
    await refused(limiter, "k", 3, 60)
    clock.now = start + 60  # the hit at 0 has left the window exactly now
    await limiter.hit("k", 3, 60)
    clock.now = start + 61
    assert (await refused(limiter, "k", 3, 60)).retry_after_s == pytest.approx(9)  # the hit at 10 leaves at 70


async def test_resets_after_the_window(limiter: MemoryRateLimiter, clock: FakeClock) -> None:
    for _ in range(3):
        await limiter.hit("k", 3, 10)
    await refused(limiter, "k", 3, 10)
    clock.advance(10)
    for _ in range(3):
        await limiter.hit("k", 3, 10)
    await refused(limiter, "k", 3, 10)


async def test_sub_second_retry_after_rounds_up_to_one_in_details(limiter: MemoryRateLimiter, clock: FakeClock) -> None:
    await limiter.hit("k", 1, 1)
    clock.advance(0.75)
    error = await refused(limiter, "k", 1, 1)
    assert error.retry_after_s == pytest.approx(0.25)
    assert error.details == {"retryAfter": 1}


async def test_statistics(limiter: MemoryRateLimiter) -> None:
    await limiter.hit("a", 1, 60)
    await limiter.hit("b", 1, 60)
    await refused(limiter, "a", 1, 60)
    assert limiter.statistics() == RateLimiterStatistics(keys=2, accepted_total=2, refused_total=1, evicted_total=0)


async def test_stale_keys_are_swept(clock: FakeClock) -> None:
    limiter = MemoryRateLimiter(clock, sweep_interval_s=30)
    for i in range(50):
        await limiter.hit(f"short:{i}", 1, 10)
    await limiter.hit("long", 1, 3600)
    assert limiter.statistics().keys == 51
    clock.advance(29)
    await limiter.hit("fresh", 1, 10)
    assert limiter.statistics().keys == 52  # not yet time to sweep
    clock.advance(1)
    await limiter.hit("fresher", 1, 10)
    # The short keys are stale; "long" is still in its window; "fresh" (1 s old) is live.
    assert limiter.statistics().keys == 3
    await refused(limiter, "long", 1, 3600)


async def test_max_keys_drops_a_stale_key_without_counting_an_eviction(clock: FakeClock) -> None:
    limiter = MemoryRateLimiter(clock, max_keys=3, sweep_interval_s=1e9)
    await limiter.hit("a", 1, 5)
    await limiter.hit("b", 1, 100)
    await limiter.hit("c", 1, 100)
    clock.advance(5)  # "a", the least recently hit, is stale now
    await limiter.hit("d", 1, 100)
    stats = limiter.statistics()
    assert (stats.keys, stats.evicted_total) == (3, 0)
    await refused(limiter, "b", 1, 100)
    await refused(limiter, "c", 1, 100)


async def test_max_keys_evicts_the_least_recently_hit_key(clock: FakeClock) -> None:
    limiter = MemoryRateLimiter(clock, max_keys=3, sweep_interval_s=1e9)
    for key in ("a", "b", "c"):
        await limiter.hit(key, 5, 100)
    await limiter.hit("a", 5, 100)  # "b" is now the least recently hit
    await limiter.hit("d", 5, 100)
    stats = limiter.statistics()
    assert (stats.keys, stats.evicted_total) == (3, 1)
    # "b" was forgotten: its allowance starts afresh; memory stays at max_keys.
    for _ in range(5):
        await limiter.hit("b", 5, 100)
    assert limiter.statistics().keys == 3


async def test_memory_stays_bounded_under_a_flood_of_keys(clock: FakeClock) -> None:
    limiter = MemoryRateLimiter(clock, max_keys=100)
    for i in range(2_000):
        await limiter.hit(f"ip:{i}", 5, 60)
        clock.advance(0.001)
    stats = limiter.statistics()
    assert (stats.keys, stats.evicted_total) == (100, 1_900)


@pytest.mark.parametrize(("limit", "window_s"), [(0, 60), (-1, 60), (1, 0), (1, -5)])
async def test_invalid_rule_is_refused(limiter: MemoryRateLimiter, limit: int, window_s: float) -> None:
    with pytest.raises(ValueError, match="must be"):
        await limiter.hit("k", limit, window_s)


def test_invalid_max_keys_is_refused(clock: FakeClock) -> None:
    with pytest.raises(ValueError, match="max_keys"):
        MemoryRateLimiter(clock, max_keys=0)


# ---------------------------------------------------------------- TokenBucket


def test_bucket_starts_full_and_empties() -> None:
    bucket = TokenBucket(rate_per_s=2.0, burst=4)
    assert [bucket.try_take(0.0) for _ in range(5)] == [True, True, True, True, False]
    assert bucket.tokens(0.0) == 0.0


def test_bucket_refill_arithmetic() -> None:
    bucket = TokenBucket(rate_per_s=2.0, burst=4)
    for _ in range(4):
        assert bucket.try_take(10.0)
    assert bucket.retry_after_s(10.0) == 0.5
    assert bucket.tokens(10.25) == 0.5
    assert not bucket.try_take(10.25)
    assert bucket.tokens(10.25) == 0.5  # a refused take takes nothing
    assert bucket.retry_after_s(10.25) == 0.25
    assert bucket.try_take(10.5)
    assert bucket.tokens(10.5) == 0.0
    assert bucket.tokens(11.5) == 2.0
    assert bucket.tokens(100.0) == 4.0  # capped at burst
    assert bucket.retry_after_s(100.0) == 0.0


def test_bucket_sustained_rate() -> None:
    """Trying every 0.125 s for 10 s after draining the burst, exactly rate × 10 s get through."""
    bucket = TokenBucket(rate_per_s=2.0, burst=4)
    while bucket.try_take(0.0):
        pass
    accepted = sum(bucket.try_take(step * 0.125) for step in range(1, 81))
    assert accepted == 20


def test_bucket_ignores_a_clock_going_backwards() -> None:
    bucket = TokenBucket(rate_per_s=1.0, burst=1)
    assert bucket.try_take(50.0)
    assert not bucket.try_take(40.0)
    assert bucket.tokens(50.5) == 0.5  # refilled from 50, not from 40
    assert bucket.try_take(51.0)


def test_bucket_properties() -> None:
    bucket = TokenBucket(rate_per_s=0.5, burst=3)
    assert (bucket.rate_per_s, bucket.burst) == (0.5, 3.0)


@pytest.mark.parametrize(("rate", "burst"), [(0, 1), (-1, 1), (1, 0), (1, 0.5)])
def test_bucket_invalid_parameters(rate: float, burst: float) -> None:
    with pytest.raises(ValueError, match="must be"):
        TokenBucket(rate, burst)


def test_action_bucket_allows_about_two_actions_per_second() -> None:
    bucket = action_bucket()
    assert (bucket.rate_per_s, bucket.burst) == (ACTIONS_PER_S, ACTION_BURST)
    accepted = sum(bucket.try_take(step * 0.01) for step in range(1000))  # 100 tries/s for 10 s
    # The burst, then one token per 0.5 s over the 9.99 s of tries (float steps may lose the last one).
    assert ACTION_BURST + 18 <= accepted <= ACTION_BURST + 19


def test_message_bucket_allows_about_100_messages_per_minute() -> None:
    bucket = message_bucket()
    assert bucket.rate_per_s == pytest.approx(MESSAGES_PER_MIN / 60)
    assert bucket.burst == MESSAGE_BURST
    accepted = sum(bucket.try_take(step * 0.1) for step in range(6000))  # 10 tries/s for 10 minutes
    assert MESSAGE_BURST + 10 * MESSAGES_PER_MIN - 2 <= accepted <= MESSAGE_BURST + 10 * MESSAGES_PER_MIN
