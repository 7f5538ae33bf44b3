"""Leaderboards served from a cache: all time, and this month.

Theory of operation
-------------------
The ranking itself is the store's (:meth:`Store.leaderboard <checkgame.store.base.Store.leaderboard>`,
read from the replica when ``DATABASE_READ_URL`` names one): the best :data:`CACHED_ROWS`
players by their current rating. *All time* ranks every rated player; *this month* ranks the
players with a rated game finished since the first of the current month (UTC), by their current
rating, with the games they played this month.

A read is served from a :class:`LeaderboardCache` when it holds the board, and otherwise reads
the store once and fills the cache for ``ttl_s`` seconds. The cache is in this process
(:class:`MemoryLeaderboardCache`) for a single node, or in Redis sorted sets shared by every
node (:class:`checkgame.leaderboard_redis.RedisLeaderboardCache`). Recording a game that
changes ratings empties the cache (:meth:`Leaderboards.rated`), so the next read sees it; the
TTL bounds how stale a board can be when that invalidation is lost (a node stopped between the
database's commit and it, or a read that filled the cache with rows read just before the
commit). A month's board has a key of its own, so a new month starts with a new board. Readers
of one board that miss at once on one node wait for one of them to rebuild it (one database read
per node, not one per request, after each rated game).

When the shared cache is unreachable, reads fall back to the store and nothing is cached: a
leaderboard is never worth failing a request over.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Literal, Protocol

import trio

from checkgame.errors import LiveStateError
from checkgame.observability.metrics import Metrics
from checkgame.store.base import LeaderboardEntry, PlayerRating, Store

__all__ = [
    "CACHED_ROWS",
    "DEFAULT_TTL_S",
    "LeaderboardCache",
    "Leaderboards",
    "MemoryLeaderboardCache",
    "Period",
    "month_start",
]

log = logging.getLogger(__name__)

Period = Literal["all", "month"]

CACHED_ROWS = 100
"""Rows kept per board: the most one request may ask for."""
DEFAULT_TTL_S = 30.0


class LeaderboardCache(Protocol):
    """Boards by key (``all``, ``month:2026-12``), each a best-first list of at most :data:`CACHED_ROWS` rows.

    Methods of a shared cache raise :class:`~checkgame.errors.LiveStateError` when it is unreachable.
    """

    async def get(self, key: str, limit: int) -> list[LeaderboardEntry] | None:
        """The first ``limit`` rows of the board, or None when it is not cached (an empty board is cached too)."""
        ...

    async def put(self, key: str, entries: Sequence[LeaderboardEntry], ttl_s: float) -> None:
        """Replace the board, to be forgotten after ``ttl_s`` seconds."""
        ...

    async def invalidate(self, keys: Sequence[str]) -> None:
        """Forget these boards."""
        ...


class MemoryLeaderboardCache:
    """The boards in this process, for a node that runs alone.

    Args:
        clock: seconds, for the TTL (injected so tests can move time).
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._boards: dict[str, tuple[float, tuple[LeaderboardEntry, ...]]] = {}

    async def get(self, key: str, limit: int) -> list[LeaderboardEntry] | None:
        """The cached rows, or None when absent or expired."""
        found = self._boards.get(key)
        if found is None or found[0] <= self._clock():
            self._boards.pop(key, None)
            return None
        return list(found[1][:limit])

    async def put(self, key: str, entries: Sequence[LeaderboardEntry], ttl_s: float) -> None:
        """Keep ``entries`` until ``ttl_s`` has passed; boards of past months are dropped then too."""
        now = self._clock()
        self._boards = {k: board for k, board in self._boards.items() if board[0] > now}
        self._boards[key] = (now + ttl_s, tuple(entries))

    async def invalidate(self, keys: Sequence[str]) -> None:
        """Drop the boards."""
        for key in keys:
            self._boards.pop(key, None)


def month_start(now: float) -> datetime:
    """The first instant of the UTC calendar month that contains epoch time ``now``."""
    moment = datetime.fromtimestamp(now, UTC)
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


class Leaderboards:
    """Reads boards through the cache; told when ratings change.

    Args:
        store: where boards are computed.
        cache: where they are kept between reads.
        clock: wall-clock epoch seconds (which month it is).
        ttl_s: the longest a cached board is served.
        metrics: counts reads by period and source, and ratings changed.
    """

    def __init__(
        self,
        store: Store,
        cache: LeaderboardCache,
        clock: Callable[[], float],
        *,
        ttl_s: float = DEFAULT_TTL_S,
        metrics: Metrics | None = None,
    ) -> None:
        if ttl_s <= 0:
            raise ValueError(f"ttl_s must be positive, not {ttl_s}")
        self.store = store
        self.cache = cache
        self.clock = clock
        self.ttl_s = ttl_s
        self.metrics = metrics
        self._rebuilding: defaultdict[str, trio.Lock] = defaultdict(trio.Lock)

    def key(self, period: Period) -> str:
        """The cache key of ``period``'s current board."""
        if period == "all":
            return "all"
        return f"month:{month_start(self.clock()):%Y-%m}"

    async def top(self, period: Period, limit: int) -> list[LeaderboardEntry]:
        """The best ``limit`` players of ``period``, best first.

        Raises:
            ValueError: ``limit`` is not within 1..:data:`CACHED_ROWS`, or ``period`` is unknown.
        """
        if period not in ("all", "month"):
            raise ValueError(f"unknown leaderboard period {period!r}: all or month")
        if not 1 <= limit <= CACHED_ROWS:
            raise ValueError(f"limit must be within 1..{CACHED_ROWS}, not {limit}")
        key = self.key(period)
        cached, shared = await self._cached(key, limit)
        if cached is not None:
            self._count(period, "cache")
            return cached
        if not shared:
            return await self._rebuild(period, key, limit, shared=False)
        async with self._rebuilding[key]:
            cached, shared = await self._cached(key, limit)  # another reader may have rebuilt it meanwhile
            if cached is not None:
                self._count(period, "cache")
                return cached
            return await self._rebuild(period, key, limit, shared=shared)

    async def _cached(self, key: str, limit: int) -> tuple[list[LeaderboardEntry] | None, bool]:
        """The cached board, and whether the cache answered."""
        try:
            return await self.cache.get(key, limit), True
        except LiveStateError as exc:
            log.warning("leaderboard cache unreachable, reading the database: %s", exc)
            return None, False

    async def _rebuild(self, period: Period, key: str, limit: int, *, shared: bool) -> list[LeaderboardEntry]:
        since = None if period == "all" else month_start(self.clock())
        entries = await self.store.leaderboard(since=since, limit=CACHED_ROWS)
        self._count(period, "store")
        if shared:
            try:
                await self.cache.put(key, entries, self.ttl_s)
            except LiveStateError as exc:
                log.warning("leaderboard cache unreachable, not cached: %s", exc)
        return entries[:limit]

    async def rated(self, ratings: Sequence[PlayerRating]) -> None:
        """Ratings changed (a game was recorded): count them and let the next read rebuild the boards."""
        if self.metrics is not None:
            self.metrics.rating_updates.inc(len(ratings))
        if not ratings:
            return
        try:
            await self.cache.invalidate([self.key("all"), self.key("month")])
        except LiveStateError as exc:  # the boards catch up within the TTL
            log.warning("leaderboard cache unreachable, boards may lag up to %g s: %s", self.ttl_s, exc)

    def _count(self, period: Period, source: str) -> None:
        if self.metrics is not None:
            self.metrics.leaderboard_reads.labels(period, source).inc()
