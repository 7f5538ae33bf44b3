"""An asyncpg pool driven from Trio through trio-asyncio, with errors translated at the edge.

The plumbing under :class:`~checkgame.store.postgres.PostgresStore`: the URL's options, the
asyncio loop, the pool, error translation and the migration runner. It knows nothing of users
or sessions.
"""

# Theory of operation
# -------------------
# * asyncpg is an asyncio library; Trio has no asyncio loop. trio-asyncio runs one on top of
#   Trio (open_loop), and aio_as_trio(f)(...) runs the asyncio coroutine f as an asyncio task on
#   it while the Trio caller waits. asyncio_loop() reuses the loop the caller already runs, or
#   opens one for the lifetime of the store.
# * The pool remembers its loop and every crossing names it (aio_as_trio(..., loop=...)), so a
#   store method may be called from any Trio task, even one started where trio-asyncio's
#   current_loop context variable is unset (a pytest-trio test using a fixture's store, a
#   nursery opened before the loop).
# * A store method is ONE crossing: an asyncio-flavoured `operation(conn)` runs all its
#   statements on one pooled connection, in a transaction when there are several, and returns
#   plain values. A crossing is the expensive part (DESIGN.md §2: ≈2.8k queries/s through
#   trio-asyncio against 8k on plain asyncio); round trips to the server inside it are cheap.
# * Cancellation: cancelling the Trio caller cancels the asyncio task, and the Trio side waits
#   until that task has ended, so a transaction is rolled back and its connection handed back
#   to the pool (asyncpg resets it: RESET ALL, pg_advisory_unlock_all) before Cancelled
#   propagates. aclose() is shielded: it finishes even in a cancelled scope.
# * Errors: run() is the one place where driver exceptions become StoreError (translate);
#   exceptions our own code raises inside an operation (NotFoundError, ValueError) pass
#   through untouched. open() and aclose() translate too. No asyncpg exception escapes.

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg  # type: ignore[import-untyped]
import trio
import trio_asyncio  # type: ignore[import-untyped]

from checkgame.errors import DuplicateError, StoreError, StoreUnavailableError
from checkgame.store.migrate import Migration

__all__ = ["PgOptions", "TrioPostgres", "apply_migrations", "asyncio_loop", "translate"]

log = logging.getLogger("checkgame.store.postgres")

_T = TypeVar("_T")

Connection = Any
"""An ``asyncpg.Connection`` (asyncpg ships no type information)."""

DEFAULT_MIN_SIZE = 2
DEFAULT_MAX_SIZE = 10
DEFAULT_CONNECT_TIMEOUT_S = 10.0
DEFAULT_COMMAND_TIMEOUT_S = 30.0

MIGRATION_TIMEOUT_S = 3600.0
"""Statements of a migration (and the wait for another node's migration) may take this long."""

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

# Named in migrations_pg/0001_initial.sql → the field a client can correct.
_UNIQUE_FIELDS = {
    "users_pkey": "id",
    "users_username_key_unique": "username",
    "users_email_key_unique": "email",
    "refresh_tokens_pkey": "jti",
    "sessions_pkey": "id",
    "sessions_code_key_unique": "code",
    "session_players_pkey": "player_id",
    "games_pkey": "id",
    "games_session_number_unique": "number",
}

# SQLSTATE classes and codes meaning "the database cannot be used right now", not "bad request":
# connection exception, invalid authorization, unknown database, insufficient resources,
# operator intervention (admin shutdown, crash, cannot connect now), query cancelled (statement
# timeout), lock not available (lock timeout), system error.
_UNAVAILABLE_SQLSTATE_CLASSES = ("08", "28", "3D", "53", "57", "58", "55P03")

_CREATE_SCHEMA_MIGRATIONS = (
    "CREATE TABLE IF NOT EXISTS schema_migrations"
    " (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
)


@dataclass(frozen=True, slots=True)
class PgOptions:
    """What a ``postgresql://`` URL asks for: the server, the pool, the schema, the timeouts.

    Our own query parameters are removed from :attr:`dsn`; every other one (``sslmode``,
    ``application_name``, …) goes to asyncpg unchanged.
    """

    dsn: str
    """The URL asyncpg connects to."""
    min_size: int = DEFAULT_MIN_SIZE
    """``pool_min_size``: connections opened at start and kept."""
    max_size: int = DEFAULT_MAX_SIZE
    """``pool_max_size``: connections at most; further callers wait for one."""
    schema: str | None = None
    """``schema``: keep every table in this schema (created by :meth:`TrioPostgres.migrate`)."""
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S
    """``connect_timeout``: seconds to open one connection."""
    command_timeout_s: float = DEFAULT_COMMAND_TIMEOUT_S
    """``command_timeout``: seconds for one statement, or to wait for a free connection."""
    server_settings: dict[str, str] = field(default_factory=dict)
    """Sent when connecting: ``application_name`` and, with a schema, ``search_path``."""
    pooler: str | None = None
    """``pooler=pgbouncer``: the URL names a transaction-pooling PgBouncer, so no prepared statement is kept
    across transactions (asyncpg's statement cache is off) and nothing relies on session state."""

    @classmethod
    def from_url(cls, url: str) -> PgOptions:
        """Parse ``postgresql://user:password@host:port/database?pool_max_size=20&schema=x``.

        Raises:
            ValueError: not a postgresql URL, or a bad value of one of our parameters. The
                message never repeats the URL, which may hold a password.
        """
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("postgresql", "postgres"):
            raise ValueError(f"not a postgresql:// URL (scheme {parts.scheme!r})")
        ours = {"pool_min_size", "pool_max_size", "schema", "connect_timeout", "command_timeout", "pooler"}
        try:
            query = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
        except ValueError:
            raise ValueError("malformed query string in the postgresql URL") from None
        mine = {name: value for name, value in query if name in ours}
        rest = [(name, value) for name, value in query if name not in ours]
        min_size = int(_number(mine, "pool_min_size", DEFAULT_MIN_SIZE, minimum=0, integer=True))
        max_size = int(_number(mine, "pool_max_size", DEFAULT_MAX_SIZE, minimum=1, integer=True))
        if min_size > max_size:
            raise ValueError(f"pool_min_size ({min_size}) must not exceed pool_max_size ({max_size})")
        schema = mine.get("schema") or None
        if schema is not None and not _SCHEMA_NAME.match(schema):
            raise ValueError(f"schema {schema!r} must be a lower-case identifier: letters, digits, _")
        pooler = mine.get("pooler") or None
        if pooler not in (None, "pgbouncer"):
            raise ValueError(f"pooler must be pgbouncer (a transaction-pooling PgBouncer), not {pooler!r}")
        if pooler is not None and schema is not None:
            # PgBouncer refuses a search_path startup parameter, and a SET would leak to other clients' transactions.
            raise ValueError("schema cannot be used with pooler=pgbouncer: set search_path on the role instead")
        settings = {} if any(name == "application_name" for name, _ in rest) else {"application_name": "checkgame"}
        if schema is not None:
            settings["search_path"] = f'"{schema}"'
        return cls(
            dsn=urlunsplit(parts._replace(scheme="postgresql", query=urlencode(rest))),
            min_size=min_size,
            max_size=max_size,
            schema=schema,
            connect_timeout_s=_number(mine, "connect_timeout", DEFAULT_CONNECT_TIMEOUT_S, minimum=0.001),
            command_timeout_s=_number(mine, "command_timeout", DEFAULT_COMMAND_TIMEOUT_S, minimum=0.001),
            server_settings=settings,
            pooler=pooler,
        )

    @property
    def lock_key(self) -> int:
        """The advisory lock serialising migrations of this schema, across processes (signed 64-bit)."""
        digest = hashlib.blake2b(f"checkgame.migrate:{self.schema or ''}".encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big", signed=True)


def _number(params: dict[str, str], name: str, default: float, *, minimum: float, integer: bool = False) -> float:
    """The value of query parameter ``name``, or ``default``; NaN and values below ``minimum`` are refused."""
    if name not in params:
        return default
    try:
        value = int(params[name]) if integer else float(params[name])
    except ValueError:
        raise ValueError(f"{name} must be a number, not {params[name]!r}") from None
    if not value >= minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {params[name]!r}")
    return value


def translate(exc: BaseException) -> StoreError | DuplicateError:
    """The project error for a driver exception (STYLE.md §3: translate at the edge).

    A violated unique constraint that a client can fix becomes DuplicateError naming the
    field; connection failures, timeouts, a server shutting down or refusing us become
    StoreUnavailableError; anything else (a bug, bad SQL, a value out of range) is StoreError.
    """
    if isinstance(exc, asyncpg.UniqueViolationError):
        field_name = _UNIQUE_FIELDS.get(exc.constraint_name or "")
        return DuplicateError(field_name) if field_name else StoreError(f"postgresql unique violation: {exc}")
    if isinstance(exc, asyncpg.PostgresConnectionError):
        return StoreUnavailableError(f"postgresql connection lost: {exc}")
    if isinstance(exc, asyncpg.PostgresError):
        sqlstate = str(getattr(exc, "sqlstate", "") or "")
        if sqlstate.startswith(_UNAVAILABLE_SQLSTATE_CLASSES):
            return StoreUnavailableError(f"postgresql unavailable ({sqlstate}): {exc}")
        return StoreError(f"postgresql error ({sqlstate}): {exc}")
    if isinstance(exc, TimeoutError):  # asyncio.TimeoutError is TimeoutError since Python 3.11
        return StoreUnavailableError("postgresql did not answer in time")
    if isinstance(exc, OSError):
        return StoreUnavailableError(f"cannot reach postgresql: {exc}")
    if isinstance(exc, asyncio.CancelledError):  # the asyncio loop went away under us, not a Trio cancellation
        return StoreUnavailableError("the asyncio loop running the postgresql pool was shut down")
    if isinstance(exc, asyncpg.InterfaceError) and ("closed" in str(exc) or "closing" in str(exc)):
        return StoreUnavailableError(f"postgresql connection unusable: {exc}")
    return StoreError(f"postgresql client error: {exc}")


_DRIVER_ERRORS = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    OSError,
    asyncio.CancelledError,
)
"""Everything :func:`translate` handles; TimeoutError is an OSError."""


@asynccontextmanager
async def asyncio_loop() -> AsyncIterator[Any]:
    """The trio-asyncio loop of the caller, or a new one for the duration of the block.

    trio-asyncio runs its loop in two nurseries, so with Trio's strict exception groups an
    error raised by the block would come out wrapped twice. Those two wrappers are removed
    here, so ``async with open_store(...)`` raises what its body raised, as it does for SQLite.
    """
    running = trio_asyncio.current_loop.get()
    if running is not None and not running.is_closed():
        yield running
        return
    error: BaseException
    try:
        async with trio_asyncio.open_loop() as loop:
            loop.set_exception_handler(_log_asyncio_error)
            yield loop
        return
    except BaseExceptionGroup as group:
        error = group
        for _ in range(2):  # open_loop's own nurseries, and only those
            if isinstance(error, BaseExceptionGroup) and len(error.exceptions) == 1:
                error = error.exceptions[0]
        if error is group:
            raise
    raise error


def _log_asyncio_error(loop: Any, context: dict[str, Any]) -> None:
    """An error asyncio could not hand to anyone (asyncpg's "Future exception was never retrieved" when the
    database drops connections): logged in one line. trio-asyncio's own handler raises it in the loop's nursery,
    which ended the whole node while PostgreSQL was refusing connections."""
    exception = context.get("exception")
    log.warning("asyncio: %s%s", context.get("message", "unhandled error"), f" ({exception!r})" if exception else "")


async def apply_migrations(
    conn: Connection,
    migrations: Sequence[Migration],
    *,
    schema: str | None,
    lock_key: int,
    per_transaction: bool = False,
) -> list[int]:
    """Apply the missing migrations, each in its own transaction (asyncio-flavoured).

    A session-level advisory lock is held around the whole run, so two processes migrating
    one database at once apply each version exactly once: the second waits, then finds every
    version recorded. Should this coroutine die halfway, the pool's reset of the connection
    (``pg_advisory_unlock_all``) or its closing releases the lock.

    ``per_transaction`` (behind a transaction-pooling PgBouncer, where the next transaction may
    run on another server connection and a session lock would stay behind on the first): each
    transaction takes a transaction-level lock instead, so each version is still applied once,
    in order, though two processes may share the versions between them.

    Returns:
        The versions applied by this call, ascending.
    """
    timeout = MIGRATION_TIMEOUT_S
    step_lock = "SELECT pg_advisory_xact_lock($1)" if per_transaction else None
    if step_lock is None:
        await conn.execute("SELECT pg_advisory_lock($1)", lock_key, timeout=timeout)
    try:
        async with conn.transaction():
            if step_lock is not None:
                await conn.execute(step_lock, lock_key, timeout=timeout)
            if schema is not None:
                await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"', timeout=timeout)
            await conn.execute(_CREATE_SCHEMA_MIGRATIONS, timeout=timeout)
        applied: list[int] = []
        for migration in migrations:
            async with conn.transaction():
                if step_lock is not None:
                    await conn.execute(step_lock, lock_key, timeout=timeout)
                seen = await conn.fetchval("SELECT 1 FROM schema_migrations WHERE version = $1", migration.version)
                if seen is not None:
                    continue
                await conn.execute(migration.sql, timeout=timeout)  # no arguments: several statements allowed
                await conn.execute("INSERT INTO schema_migrations (version) VALUES ($1)", migration.version)
            applied.append(migration.version)
        return applied
    finally:
        if step_lock is None and not conn.is_closed() and not conn.is_in_transaction():
            await conn.execute("SELECT pg_advisory_unlock($1)", lock_key)


async def applied_versions(conn: Connection) -> list[int]:
    """Versions recorded in ``schema_migrations``; none before the first :func:`apply_migrations`."""
    if await conn.fetchval("SELECT to_regclass('schema_migrations')") is None:
        return []
    return [row[0] for row in await conn.fetch("SELECT version FROM schema_migrations")]


class TrioPostgres:
    """The pool, its loop, and the one place asyncpg exceptions are caught."""

    def __init__(self, pool: Any, loop: Any, options: PgOptions) -> None:
        """Wrap a pool made by :meth:`open` on ``loop``."""
        self._pool: Any | None = pool
        self._loop = loop
        self.options = options

    @classmethod
    async def open(cls, options: PgOptions, loop: Any) -> TrioPostgres:
        """Create the pool on ``loop`` and open its first ``min_size`` connections.

        Raises:
            StoreUnavailableError: the server cannot be reached, refuses us, or is too slow.
            StoreError: any other failure (a bad server setting in the URL, say).
        """
        create = trio_asyncio.aio_as_trio(asyncpg.create_pool, loop=loop)
        try:
            pool = await create(
                options.dsn,
                min_size=options.min_size,
                max_size=options.max_size,
                timeout=options.connect_timeout_s,
                command_timeout=options.command_timeout_s,
                server_settings=options.server_settings,
                # Behind PgBouncer a named statement may be missing on the next transaction's server connection;
                # without a cache asyncpg uses the unnamed statement and parses it again in each transaction.
                statement_cache_size=0 if options.pooler else 100,
            )
        except _DRIVER_ERRORS as exc:
            raise translate(exc) from exc
        return cls(pool, loop, options)

    async def run(self, operation: Callable[[Connection], Awaitable[_T]]) -> _T:
        """Run ``operation(conn)`` on the asyncio loop with a pooled connection, translating errors.

        Raises:
            StoreUnavailableError: the store is closed, or the database unusable (whatever refused the
                connection: the statement never ran, so a later attempt may succeed).
            StoreError, DuplicateError: see :func:`translate`.
        """
        pool = self._pool
        if pool is None or self._loop.is_closed():
            raise StoreUnavailableError("the store is closed")
        timeout = self.options.command_timeout_s
        connected = False

        async def with_connection() -> _T:
            nonlocal connected
            async with pool.acquire(timeout=timeout) as conn:
                connected = True
                return await operation(conn)

        try:
            result: _T = await trio_asyncio.aio_as_trio(with_connection, loop=self._loop)()
        except _DRIVER_ERRORS as exc:
            if not connected and isinstance(exc, asyncpg.PostgresError):  # e.g. 55000: not accepting connections
                raise StoreUnavailableError(f"postgresql refused a connection: {exc}") from exc
            raise translate(exc) from exc
        return result

    async def aclose(self) -> None:
        """Close the pool once; shielded, so a cancelled caller still releases the connections.

        Connections still in use get ``command_timeout`` to come back, then are cut.
        """
        pool, self._pool = self._pool, None
        if pool is None or self._loop.is_closed():
            return
        timeout = self.options.command_timeout_s

        async def close() -> None:
            try:
                await asyncio.wait_for(pool.close(), timeout)
            except TimeoutError:
                pool.terminate()

        with trio.CancelScope(shield=True):
            try:
                await trio_asyncio.aio_as_trio(close, loop=self._loop)()
            except _DRIVER_ERRORS as exc:
                raise translate(exc) from exc
