"""Proxies around the backends, applied by the composition root so that store/ and live/ know nothing of metrics.

:class:`_Timed` times every coroutine method of the object it wraps under the
method's name (the ``operation`` label) and counts the calls that fail with
the backend's failure type (a refusal, such as a username already taken, is an
answer, not an error). Other attributes pass through (``subscribe``,
``client``). The live-store proxy also reads what goes through ``create`` and
``commit``, the one door every state change takes: sessions created,
compare-and-set conflicts, and games finished by reason.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Sequence
from functools import wraps
from typing import Any, cast

from prometheus_client import Counter, Histogram

from checkgame import protocol
from checkgame.errors import CheckgameError, LiveStateError, RateLimitedError, StoreError
from checkgame.live.base import LiveStore
from checkgame.observability.metrics import LabelCache, Metrics
from checkgame.ratelimit import RateLimiter
from checkgame.sessions import Entry, SessionState
from checkgame.store.base import Store

__all__ = ["instrument_live", "instrument_rate_limiter", "instrument_store"]


class _Timed:
    """Delegates to ``target``, timing its public coroutine methods (each wrapped once, on first use)."""

    def __init__(self, target: object, duration: Histogram, errors: Counter, failure: type[CheckgameError]) -> None:
        self._target = target
        self._duration = LabelCache(duration)
        self._errors = LabelCache(errors)
        self._failure = failure

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._target, name)
        if name.startswith("_") or not inspect.iscoroutinefunction(attribute):
            return attribute
        duration, errors, failure = self._duration(name), self._errors(name), self._failure

        @wraps(attribute)
        async def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return await attribute(*args, **kwargs)
            except failure:
                errors.inc()
                raise
            finally:
                duration.observe(time.perf_counter() - start)

        setattr(self, name, timed)  # later lookups find it without __getattr__
        return timed


class _LiveEvents:
    """Counts what the commits of a live store say; everything else passes through."""

    def __init__(self, live: LiveStore, metrics: Metrics) -> None:
        self._live = live
        self._metrics = metrics
        self._finished = LabelCache(metrics.games_finished)

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._live, name)
        if inspect.ismethod(attribute):
            setattr(self, name, attribute)  # later lookups find it without __getattr__
        return attribute

    async def create(self, state: SessionState) -> None:
        await self._live.create(state)
        self._metrics.sessions_created.inc()

    async def commit(self, expected_version: int, state: SessionState, entries: Sequence[Entry]) -> bool:
        if not await self._live.commit(expected_version, state, entries):
            self._metrics.commit_conflicts.inc()
            return False
        for entry in entries:
            if isinstance(entry.data, protocol.GameFinished):
                self._finished(entry.data.reason).inc()
            elif isinstance(entry.data, protocol.SessionEnded) and state.game is not None and not state.game.is_over:
                self._finished("ended_by_admin").inc()  # the running game was abandoned, not scored
        return True


class _CountingLimiter:
    """Counts refusals by limit: the first part of the key (``general:<user>`` → ``general``)."""

    def __init__(self, limiter: RateLimiter, metrics: Metrics) -> None:
        self._limiter = limiter
        self._refused = LabelCache(metrics.rate_limited)

    async def hit(self, key: str, limit: int, window_s: float) -> None:
        try:
            await self._limiter.hit(key, limit, window_s)
        except RateLimitedError:
            self._refused(key.partition(":")[0]).inc()
            raise

    async def reset(self, key: str) -> None:
        await self._limiter.reset(key)


def instrument_store(store: Store, metrics: Metrics) -> Store:
    """``store``, timed into ``checkgame_db_query_duration_seconds`` and ``checkgame_db_errors_total``."""
    return cast("Store", _Timed(store, metrics.db_duration, metrics.db_errors, StoreError))


def instrument_live(live: LiveStore, metrics: Metrics, *, redis: bool) -> LiveStore:
    """``live``, counting sessions, conflicts and finished games; timed into ``checkgame_redis_*`` when it is
    Redis (timing the in-memory backend's dict lookups would only add noise)."""
    if redis:
        live = cast("LiveStore", _Timed(live, metrics.redis_duration, metrics.redis_errors, LiveStateError))
    return cast("LiveStore", _LiveEvents(live, metrics))


def instrument_rate_limiter(limiter: RateLimiter, metrics: Metrics, *, redis: bool) -> RateLimiter:
    """``limiter``, counting refusals into ``checkgame_rate_limited_total``; timed as Redis calls when it is."""
    if redis:
        limiter = cast("RateLimiter", _Timed(limiter, metrics.redis_duration, metrics.redis_errors, LiveStateError))
    return _CountingLimiter(limiter, metrics)
