"""Rate limits: per-key sliding windows for REST, token buckets for WebSocket connections.

# Theory of operation

**Keyed limits** (:class:`RateLimiter`) guard REST endpoints across a whole
node, or a whole cluster once a Redis backend implements the same Protocol:
``await limiter.hit("login:ip:203.0.113.9", limit=5, window_s=60)`` either
records the hit or raises :class:`~checkgame.errors.RateLimitedError`. The key
names the rule and the subject, so one limiter serves every rule.

:class:`MemoryRateLimiter` keeps a *sliding log*: the times of the accepted
hits of each key in the last ``window_s`` seconds. A hit is accepted while fewer
than ``limit`` remain, so at most ``limit`` hits are accepted in *any* window of
``window_s`` seconds, with no double burst across a fixed-window edge. The log
of a key never grows past the largest ``limit`` used with it, and the
``retry_after_s`` it reports is exact: the moment the oldest counted hit leaves
the window. Refused hits are not recorded, so a client that backs off for
``retry_after_s`` is served again; hammering gains nothing either, since the
window only slides with time.

Memory stays bounded two ways. Every ``sweep_interval_s`` of clock time, a hit
sweeps out every key whose newest hit has left its window (amortised O(1) per
hit). And no more than ``max_keys`` keys are tracked: when a new key would
exceed that (a flood of distinct keys inside one window, e.g. spoofed
addresses), the least recently hit key is forgotten, in O(1). That key is
usually stale already; if it is not, forgetting it resets its allowance, a
deliberate trade of precision for bounded memory under attack. (With windows
of different lengths a live long-window key can be forgotten while a stale
short-window key further on waits for the next sweep: the weak spot.)

The clock is injected (``trio.current_time`` in the server, a fake in tests);
it must not go backwards by more than a window.

**Per-connection limits** (:class:`TokenBucket`) are pure values owned by one
WebSocket handler, so they need no key, no lock and no backend: the
``now`` of each message is passed in.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Protocol

from checkgame.errors import RateLimitedError

__all__ = [
    "ACTIONS_PER_S",
    "ACTION_BURST",
    "MESSAGES_PER_MIN",
    "MESSAGE_BURST",
    "MemoryRateLimiter",
    "RateLimiter",
    "RateLimiterStatistics",
    "TokenBucket",
    "action_bucket",
    "message_bucket",
]

ACTIONS_PER_S: Final = 2.0
"""Sustained game actions (play, draw, choose suit) per WebSocket connection."""
ACTION_BURST: Final = 4
"""Actions allowed back to back, e.g. a Jack then its suit, or a quick retry."""
MESSAGES_PER_MIN: Final = 100
"""Sustained WebSocket messages of any kind per connection."""
MESSAGE_BURST: Final = 20
"""Messages allowed back to back, e.g. a resume plus queued actions after a reconnect."""


class RateLimiter(Protocol):
    """Counts hits per key; backends: memory (one node) now, Redis (a cluster) later."""

    async def hit(self, key: str, limit: int, window_s: float) -> None:
        """Record one hit on ``key``, or refuse it.

        Args:
            key: the rule and subject, e.g. ``"register:ip:198.51.100.7"``.
            limit: hits allowed per window; at least 1.
            window_s: the window length in seconds; positive.

        Raises:
            RateLimitedError: ``limit`` hits were already accepted within the
                last ``window_s`` seconds; ``retry_after_s`` says when the next
                one will be.
        """
        ...

    async def reset(self, key: str) -> None:
        """Forget every hit on ``key`` (e.g. clear a failed-login count after a success)."""
        ...


@dataclass(frozen=True, slots=True)
class RateLimiterStatistics:
    """A snapshot of a :class:`MemoryRateLimiter`, for metrics."""

    keys: int
    """Keys currently tracked."""
    accepted_total: int
    """Hits accepted since creation."""
    refused_total: int
    """Hits refused since creation."""
    evicted_total: int
    """Live keys forgotten before they went stale, because ``max_keys`` was reached."""


class _Log:
    __slots__ = ("hits", "window_s")

    def __init__(self, window_s: float) -> None:
        self.hits: deque[float] = deque()
        self.window_s = window_s

    def stale(self, now: float) -> bool:
        return not self.hits or self.hits[-1] + self.window_s <= now


class MemoryRateLimiter:
    """A :class:`RateLimiter` holding sliding logs in this process's memory.

    Args:
        clock: returns the current time in seconds; any monotonic origin.
        max_keys: the most keys tracked at once (see the module docstring).
        sweep_interval_s: how often, in clock time, stale keys are swept out.
    """

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        max_keys: int = 100_000,
        sweep_interval_s: float = 60.0,
    ) -> None:
        if max_keys < 1:
            raise ValueError(f"max_keys must be at least 1, not {max_keys}")
        self._clock = clock
        self._max_keys = max_keys
        self._sweep_interval_s = sweep_interval_s
        self._logs: OrderedDict[str, _Log] = OrderedDict()  # least recently hit first
        self._last_sweep = clock()
        self._accepted = 0
        self._refused = 0
        self._evicted = 0

    async def hit(self, key: str, limit: int, window_s: float) -> None:
        """Record one hit on ``key``, or raise :class:`RateLimitedError`; see :meth:`RateLimiter.hit`."""
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        if window_s <= 0:
            raise ValueError(f"window_s must be positive, not {window_s}")
        now = self._clock()
        if now - self._last_sweep >= self._sweep_interval_s:
            self._sweep(now)

        log = self._logs.get(key)
        if log is None:
            if len(self._logs) >= self._max_keys:
                self._make_room(now)
            log = self._logs[key] = _Log(window_s)
        else:
            self._logs.move_to_end(key)
            log.window_s = window_s

        hits = log.hits
        while hits and hits[0] + window_s <= now:
            hits.popleft()
        if len(hits) >= limit:
            self._refused += 1
            # The hit at this index must leave the window for the count to drop below limit.
            retry_after_s = hits[len(hits) - limit] + window_s - now
            raise RateLimitedError(
                f"too many requests: at most {limit} per {window_s:g} s",
                retry_after_s=retry_after_s,
            )
        hits.append(now)
        self._accepted += 1

    async def reset(self, key: str) -> None:
        """Forget every hit on ``key``."""
        self._logs.pop(key, None)

    def statistics(self) -> RateLimiterStatistics:
        """Return counts for metrics; cheap."""
        return RateLimiterStatistics(
            keys=len(self._logs),
            accepted_total=self._accepted,
            refused_total=self._refused,
            evicted_total=self._evicted,
        )

    def _sweep(self, now: float) -> None:
        self._last_sweep = now
        for key in [key for key, log in self._logs.items() if log.stale(now)]:
            del self._logs[key]

    def _make_room(self, now: float) -> None:
        # Drop the least recently hit key, usually a stale one anyway. No full sweep here: under a
        # flood of new keys that would cost O(max_keys) per hit.
        _, log = self._logs.popitem(last=False)
        if not log.stale(now):
            self._evicted += 1


class TokenBucket:
    """A per-connection rate limit: ``burst`` tokens, refilled at ``rate_per_s``.

    Pure: it reads no clock, the caller passes ``now`` (any monotonic origin).
    The bucket starts full, so a fresh connection may send ``burst`` messages at
    once, then ``rate_per_s`` per second on average.

    Args:
        rate_per_s: tokens added per second; positive.
        burst: the bucket's capacity; at least 1.
    """

    __slots__ = ("_burst", "_last", "_rate", "_tokens")

    def __init__(self, rate_per_s: float, burst: float) -> None:
        if rate_per_s <= 0:
            raise ValueError(f"rate_per_s must be positive, not {rate_per_s}")
        if burst < 1:
            raise ValueError(f"burst must be at least 1, not {burst}")
        self._rate = rate_per_s
        self._burst = float(burst)
        self._tokens = float(burst)
        self._last: float | None = None

    @property
    def rate_per_s(self) -> float:
        """Tokens added per second."""
        return self._rate

    @property
    def burst(self) -> float:
        """The bucket's capacity."""
        return self._burst

    def tokens(self, now: float) -> float:
        """Return the tokens available at ``now`` (fractional while refilling)."""
        self._refill(now)
        return self._tokens

    def try_take(self, now: float) -> bool:
        """Take one token if there is one.

        Returns:
            ``True`` if the message may proceed; ``False`` if it is over the
            limit, in which case nothing was taken.
        """
        self._refill(now)
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False

    def retry_after_s(self, now: float) -> float:
        """Return the seconds until :meth:`try_take` would succeed; 0 if it would now."""
        self._refill(now)
        return max(0.0, (1.0 - self._tokens) / self._rate)

    def _refill(self, now: float) -> None:
        if self._last is None:
            self._last = now
        elif now > self._last:
            self._tokens = min(self._burst, self._tokens + (now - self._last) * self._rate)
            self._last = now
        # A ``now`` earlier than the last one refills nothing, so time is never counted twice.


def action_bucket() -> TokenBucket:
    """Return a bucket for one connection's game actions (:data:`ACTIONS_PER_S`, :data:`ACTION_BURST`)."""
    return TokenBucket(ACTIONS_PER_S, ACTION_BURST)


def message_bucket() -> TokenBucket:
    """Return a bucket for all of one connection's messages (:data:`MESSAGES_PER_MIN`, :data:`MESSAGE_BURST`)."""
    return TokenBucket(MESSAGES_PER_MIN / 60.0, MESSAGE_BURST)
