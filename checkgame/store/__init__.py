"""Durable storage: the :class:`Store` interface and :func:`open_store`, which picks a backend by URL.

Code that only *uses* a store (rooms, transport) imports the interface from
:mod:`checkgame.store.base`; only the composition root (``app.py``, ``cli``) calls
:func:`open_store`. Backends are imported lazily, so importing this package loads no driver.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from checkgame.store.base import AuditEntry as AuditEntry
from checkgame.store.base import GameResult as GameResult
from checkgame.store.base import LeaderboardEntry as LeaderboardEntry
from checkgame.store.base import PlayedSession as PlayedSession
from checkgame.store.base import PlayerRating as PlayerRating
from checkgame.store.base import PlayerStats as PlayerStats
from checkgame.store.base import RatingChange as RatingChange
from checkgame.store.base import RefreshToken as RefreshToken
from checkgame.store.base import ReplicaStatus as ReplicaStatus
from checkgame.store.base import SessionPlayer as SessionPlayer
from checkgame.store.base import SessionRecord as SessionRecord
from checkgame.store.base import Store as Store
from checkgame.store.base import TournamentResult as TournamentResult
from checkgame.store.base import User as User

__all__ = [
    "AuditEntry",
    "GameResult",
    "LeaderboardEntry",
    "PlayedSession",
    "PlayerRating",
    "PlayerStats",
    "RatingChange",
    "RefreshToken",
    "ReplicaStatus",
    "SessionPlayer",
    "SessionRecord",
    "Store",
    "TournamentResult",
    "User",
    "open_store",
]


@asynccontextmanager
async def open_store(url: str, *, migrate: bool = False, read_url: str = "") -> AsyncIterator[Store]:
    """Connect to the store named by ``url`` for the duration of the block, then close it.

    ``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db`` (parent directories are
    created), ``sqlite:///:memory:`` or ``sqlite://`` (memory, private to this store);
    ``postgresql://user:password@host:5432/database?pool_max_size=10&schema=name`` (see
    :mod:`checkgame.store.postgres` for the options). A PostgreSQL store runs on the caller's
    trio-asyncio loop, or opens one for its own lifetime.

    Args:
        url: the store URL; its scheme chooses the backend (STYLE.md §4).
        migrate: apply pending schema migrations before yielding; meant for the embedded
            default, where nobody runs ``checkgame migrate`` first.
        read_url: ``DATABASE_READ_URL``, a streaming replica of a PostgreSQL ``url`` for the reads that
            tolerate lag (see :mod:`checkgame.store._pg_replica`); empty: every read on ``url``.

    Raises:
        ValueError: unknown or unsupported scheme, or a malformed URL. The message names the
            scheme only, never the whole URL, which may hold a password.
        StoreUnavailableError: the database cannot be reached or opened.
        StoreError: migrating failed.
    """
    scheme, sep, _ = url.partition("://")
    scheme = scheme.lower()
    if not sep:
        raise ValueError("a store URL looks like sqlite:///path.db or postgresql://host/db")
    if read_url and scheme not in ("postgresql", "postgres"):
        raise ValueError("a read replica (DATABASE_READ_URL) needs a postgresql:// DATABASE_URL")
    if scheme == "sqlite":
        # Imported here so that a PostgreSQL deployment never loads sqlite3 and friends.
        from checkgame.store.sqlite import open_sqlite_store, sqlite_path_from_url

        async with open_sqlite_store(sqlite_path_from_url(url)) as store:
            if migrate:
                await store.migrate()
            yield store
    elif scheme in ("postgresql", "postgres"):
        # asyncpg through trio-asyncio (DESIGN.md §2); opens an asyncio loop when the caller runs none.
        from checkgame.store.postgres import open_postgres_store

        async with open_postgres_store(url, read_url) as store:
            if migrate:
                await store.migrate()
            yield store
    else:
        raise ValueError(f"unsupported store URL scheme {scheme!r}: use sqlite:// or postgresql://")
