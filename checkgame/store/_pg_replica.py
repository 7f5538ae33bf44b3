"""Reads that tolerate lag go to a streaming replica while it answers and keeps up; else to the primary.

``DATABASE_READ_URL`` names the replica (a ``postgresql://`` URL with the pool options of the
primary's, plus ``max_lag``: seconds of replay lag above which the replica is not read, default
10, and ``lag_check_interval``: seconds between two looks at it, default 5). Only the store's
lag-tolerant reads use it (session listings, profiles, game history); what a player must read
back right after writing it is always read from the primary.
"""

# How the replica is judged: at most every lag_check_interval, on the read that finds the last
# look too old, one query on the replica gives its replay lag: 0 when it has replayed all the WAL
# it received, else the age of the last transaction it replayed (an upper bound: a replica idle
# for an hour then paused counts an hour). Above max_lag it is "lagging"; a query that finds it
# unreachable makes it "down", as does any read on it that fails for that reason (that read is
# then made on the primary). Either way reads go to the primary until a later look finds it back.

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import trio

from checkgame.errors import StoreError, StoreUnavailableError
from checkgame.store._pg_conn import Connection, TrioPostgres
from checkgame.store.base import ReplicaStatus

__all__ = ["ReadRoute", "split_read_url"]

_T = TypeVar("_T")

DEFAULT_MAX_LAG_S = 10.0
DEFAULT_CHECK_INTERVAL_S = 5.0

_LAG = (
    "SELECT CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0"
    " ELSE COALESCE(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END::float8"
)


@dataclass(frozen=True, slots=True)
class ReadUrl:
    """The replica's URL for :class:`~checkgame.store._pg_conn.PgOptions`, and the routing options taken out of it."""

    url: str
    max_lag_s: float = DEFAULT_MAX_LAG_S
    check_interval_s: float = DEFAULT_CHECK_INTERVAL_S


def split_read_url(url: str) -> ReadUrl:
    """Take ``max_lag`` and ``lag_check_interval`` out of ``url``; raises ValueError on a bad value."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    ours = {name: value for name, value in query if name in ("max_lag", "lag_check_interval")}
    values = {}
    for name, default in (("max_lag", DEFAULT_MAX_LAG_S), ("lag_check_interval", DEFAULT_CHECK_INTERVAL_S)):
        try:
            values[name] = float(ours.get(name, default))
        except ValueError:
            raise ValueError(f"{name} must be a number of seconds, not {ours[name]!r}") from None
        if not values[name] >= 0:
            raise ValueError(f"{name} must be at least 0, not {ours[name]!r}")
    rest = urlencode([(name, value) for name, value in query if name not in ours])
    return ReadUrl(urlunsplit(parts._replace(query=rest)), values["max_lag"], values["lag_check_interval"])


class ReadRoute:
    """Chooses, for each lag-tolerant read, the replica or the primary, and says which (``/health``)."""

    def __init__(self, primary: TrioPostgres, replica: TrioPostgres | None, read_url: ReadUrl | None) -> None:
        self._primary = primary
        self._replica = replica
        self._options = read_url or ReadUrl("")
        self._state = "streaming"
        self._lag_s: float | None = None
        self._error: str | None = None
        self._checked_at = float("-inf")

    async def run(self, operation: Callable[[Connection], Awaitable[_T]]) -> _T:
        """``operation`` on the replica when it is usable, else on the primary."""
        replica = self._replica
        if replica is None:
            return await self._primary.run(operation)
        if trio.current_time() - self._checked_at >= self._options.check_interval_s:
            await self._check(replica)
        if self._state == "streaming":
            try:
                return await replica.run(operation)
            except StoreUnavailableError as exc:
                self._judge("down", None, str(exc))
        return await self._primary.run(operation)

    async def status(self) -> ReplicaStatus | None:
        """A fresh look at the replica (None without one)."""
        if self._replica is None:
            return None
        await self._check(self._replica)
        reads_from = "replica" if self._state == "streaming" else "primary"
        return ReplicaStatus(self._state, reads_from, self._lag_s, self._options.max_lag_s, self._error)

    async def _check(self, replica: TrioPostgres) -> None:
        async def lag(conn: Connection) -> float:
            return float(await conn.fetchval(_LAG))

        try:
            lag_s = await replica.run(lag)
        except StoreError as exc:
            self._judge("down", None, str(exc))
            return
        state = "lagging" if lag_s > self._options.max_lag_s else "streaming"
        self._judge(state, lag_s, None)

    def _judge(self, state: str, lag_s: float | None, error: str | None) -> None:
        self._state, self._lag_s, self._error = state, lag_s, error
        self._checked_at = trio.current_time()

    async def aclose(self) -> None:
        if self._replica is not None:
            await self._replica.aclose()
