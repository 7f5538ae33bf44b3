"""A :class:`~checkgame.leaderboard.LeaderboardCache` shared by every node, in Redis sorted sets.

Each board is a sorted set ``{prefix:lb:<key>}`` (members user ids, scores ratings), which
ranks it, beside a hash ``{prefix:lb:<key>}:rows`` of each member's row as JSON (name, games,
mu, sigma), both in one hash slot so a Redis Cluster runs the scripts that touch them. A board
is written whole and read in one round trip by Lua scripts (:data:`checkgame.live._lua.LEADERBOARD_PUT`
and ``LEADERBOARD_GET``), so no reader sees half of a rebuild; both keys expire with the TTL.
Redis failures raise :class:`~checkgame.errors.LiveStateError`, which
:class:`~checkgame.leaderboard.Leaderboards` answers by reading the database instead.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import msgspec

from checkgame.errors import LiveStateError
from checkgame.live import _lua
from checkgame.live._connect import Client
from checkgame.live.redis import DRIVER_ERRORS
from checkgame.store.base import LeaderboardEntry

__all__ = ["RedisLeaderboardCache"]


class _Row(msgspec.Struct, array_like=True):
    """What the rows hash holds of one entry (the rank is its place in the sorted set)."""

    user_id: str
    username: str
    rating: float
    mu: float
    sigma: float
    games: int


class RedisLeaderboardCache:
    """Boards in Redis, for a cluster of nodes.

    Args:
        client: an open coredis client (the live store's :attr:`~checkgame.live.redis.RedisLiveStore.client`).
        prefix: the key prefix, like the live store's.
    """

    def __init__(self, client: Client, *, prefix: str = "cg") -> None:
        if "{" in prefix or "}" in prefix:
            raise ValueError(f"the key prefix may not contain braces (they make hash tags): {prefix!r}")
        self._client = client
        self._prefix = prefix
        self._put = client.register_script(_lua.LEADERBOARD_PUT)
        self._get = client.register_script(_lua.LEADERBOARD_GET)
        self._decoder = msgspec.json.Decoder(_Row)

    def keys(self, key: str) -> list[str]:
        """The sorted set and the rows hash of board ``key``."""
        board = f"{{{self._prefix}:lb:{key}}}"
        return [board, f"{board}:rows"]

    async def get(self, key: str, limit: int) -> list[LeaderboardEntry] | None:
        """The first ``limit`` rows, or None when the board is not cached."""
        try:
            found: list[bytes | None] | None = await self._get(keys=self.keys(key), args=[limit])
        except DRIVER_ERRORS as exc:
            raise LiveStateError(f"redis leaderboard read failed: {exc!r}") from exc
        if found is None:
            return None
        rows = [self._decoder.decode(raw) for raw in found if raw is not None]
        return [
            LeaderboardEntry(rank, r.user_id, r.username, r.rating, r.mu, r.sigma, r.games)
            for rank, r in enumerate(rows, start=1)
        ]

    async def put(self, key: str, entries: Sequence[LeaderboardEntry], ttl_s: float) -> None:
        """Replace the board whole; it expires after ``ttl_s``."""
        args: list[str | bytes | int] = [max(1, math.ceil(ttl_s * 1000))]
        for e in entries:
            row = _Row(e.user_id, e.username, e.rating, e.mu, e.sigma, e.games)
            args += [e.user_id, repr(e.rating), msgspec.json.encode(row)]
        try:
            await self._put(keys=self.keys(key), args=args)
        except DRIVER_ERRORS as exc:
            raise LiveStateError(f"redis leaderboard write failed: {exc!r}") from exc

    async def invalidate(self, keys: Sequence[str]) -> None:
        """Delete the boards (one key pair at a time: they may live in different slots of a cluster)."""
        try:
            for key in keys:
                await self._client.delete(self.keys(key))
        except DRIVER_ERRORS as exc:
            raise LiveStateError(f"redis leaderboard invalidation failed: {exc!r}") from exc
