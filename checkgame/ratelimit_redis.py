"""A :class:`~checkgame.ratelimit.RateLimiter` shared by every node, in Redis.

Theory of operation
-------------------
The same sliding log as :class:`~checkgame.ratelimit.MemoryRateLimiter`, kept
in one sorted set per key (``{prefix}:rl:{key}``, members = accepted hits,
scores = their times), and checked and updated by one Lua script
(:data:`checkgame.live._lua.RATE_LIMIT_HIT`), so concurrent hits from several
nodes are counted exactly and each costs one round trip. The script drops the
hits that left the window, refuses when ``limit`` remain, and otherwise adds
the hit and sets the key to expire with its window, so Redis forgets idle keys
by itself (no sweep, no ``max_keys``). A refusal returns the time of the hit
that must leave the window, exactly as Redis stored it, and ``retry_after_s``
is computed from it in Python with the memory backend's arithmetic.

The clock is injected, as for the memory limiter; in a cluster each node uses
its own wall clock, so the nodes' clocks should agree (NTP) to well within a
window. Redis failures raise :class:`~checkgame.errors.LiveStateError`: the
limiter fails closed, like the rest of a node whose Redis is gone.
"""

from __future__ import annotations

import itertools
import math
import secrets
from collections.abc import Callable

from checkgame.errors import LiveStateError, RateLimitedError
from checkgame.live import _lua
from checkgame.live._connect import Client
from checkgame.live.redis import DRIVER_ERRORS

__all__ = ["RedisRateLimiter"]


class RedisRateLimiter:
    """Sliding-log rate limits in Redis, for a cluster of nodes.

    Args:
        client: an open coredis client (e.g. :attr:`RedisLiveStore.client
            <checkgame.live.redis.RedisLiveStore.client>`), used from the tasks it was opened around.
        clock: returns the current epoch time in seconds (shared meaning across nodes).
        prefix: the key prefix, like the live store's.
    """

    def __init__(self, client: Client, clock: Callable[[], float], *, prefix: str = "cg") -> None:
        self._client = client
        self._clock = clock
        self._prefix = f"{prefix}:rl:"
        self._script = client.register_script(_lua.RATE_LIMIT_HIT)
        self._node = secrets.token_hex(4)
        self._counter = itertools.count()
        self.accepted_total = 0
        self.refused_total = 0

    async def hit(self, key: str, limit: int, window_s: float) -> None:
        """Record one hit on ``key``, or raise :class:`RateLimitedError`; see :meth:`RateLimiter.hit`."""
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        if window_s <= 0:
            raise ValueError(f"window_s must be positive, not {window_s}")
        now = self._clock()
        member = f"{self._node}:{next(self._counter)}"  # unique even for hits at the same instant
        try:
            oldest: bytes | None = await self._script(
                keys=[self._prefix + key],
                args=[repr(now), repr(window_s), limit, member, math.ceil(window_s * 1000)],
            )
        except DRIVER_ERRORS as exc:
            raise LiveStateError(f"redis rate limit check failed: {exc!r}") from exc
        if oldest is None:
            self.accepted_total += 1
            return
        self.refused_total += 1
        retry_after_s = float(oldest) + window_s - now
        raise RateLimitedError(f"too many requests: at most {limit} per {window_s:g} s", retry_after_s=retry_after_s)

    async def reset(self, key: str) -> None:
        """Forget every hit on ``key``."""
        try:
            await self._client.delete([self._prefix + key])
        except DRIVER_ERRORS as exc:
            raise LiveStateError(f"redis rate limit reset failed: {exc!r}") from exc
