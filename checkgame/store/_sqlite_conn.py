"""One stdlib sqlite3 connection driven from Trio, with errors translated at the edge.

The plumbing under :class:`~checkgame.store.sqlite.SqliteStore`: threads, locking,
transactions, error translation and the migration runner. It knows nothing of users or
sessions.
"""

# Theory of operation
# -------------------
# * One sqlite3 connection, opened with check_same_thread=False and used only from worker
#   threads (trio.to_thread.run_sync), never from the Trio thread: any statement may block
#   on disk or on another process's lock. A trio.Lock lets one thread at a time touch it,
#   because a sqlite3 connection is not safe for concurrent use.
# * A store method is one hop into a thread: a sync function that receives the connection,
#   runs all its statements (in a transaction when there is more than one) and returns plain
#   values. Worker threads are never abandoned on cancellation (Trio's default), so a
#   transaction always ends, committed or rolled back, before the lock is released; the
#   cancelled caller sees Cancelled at its next checkpoint.
# * Autocommit mode (isolation_level=None): transactions are explicit. Writes use
#   BEGIN IMMEDIATE, so when several processes share the file (WAL) a writer waits up to
#   busy_timeout at the start instead of failing halfway when upgrading a read lock.
# * Errors: run() is the one place where sqlite3 exceptions become StoreError or
#   DuplicateError (translate); exceptions our own code raises inside a thread
#   (NotFoundError, ValueError) pass through untouched. open() and aclose() translate too.
# * Weak spot: SQLite is single-writer. Fine for the embedded default; PostgreSQL is the
#   answer for several nodes (DESIGN.md §3).

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import trio

from checkgame.errors import DuplicateError, StoreError, StoreUnavailableError
from checkgame.store._codec import encode_time
from checkgame.store.migrate import Migration

MEMORY = ":memory:"
"""The path of a private in-memory database (gone when the connection closes)."""

_T = TypeVar("_T")

_CREATE_SCHEMA_MIGRATIONS = (
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
)

# "UNIQUE constraint failed: <columns>" → the field a client can correct.
_UNIQUE_FIELDS = {
    "users.id": "id",
    "users.username_key": "username",
    "users.email_key": "email",
    "refresh_tokens.jti": "jti",
    "sessions.id": "id",
    "sessions.code_key": "code",
    "session_players.session_id, session_players.player_id": "player_id",
    "games.session_id, games.number": "number",
}

# Result-code families meaning "the database cannot be used right now", not "bad request".
_UNAVAILABLE = (
    "SQLITE_CANTOPEN",
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_IOERR",
    "SQLITE_FULL",
    "SQLITE_READONLY",
    "SQLITE_NOTADB",
    "SQLITE_CORRUPT",
    "SQLITE_PROTOCOL",
    "SQLITE_PERM",
)


def translate(exc: sqlite3.Error) -> StoreError | DuplicateError:
    """The project error for a driver exception (STYLE.md §3: translate at the edge).

    A violated unique constraint that a client can fix becomes DuplicateError naming the
    field; "cannot open / busy / I/O / not a database" becomes StoreUnavailableError;
    anything else (a bug, a foreign key the caller should have checked) is StoreError.
    """
    if isinstance(exc, sqlite3.IntegrityError):
        message = str(exc)
        prefix = "UNIQUE constraint failed: "
        field = _UNIQUE_FIELDS.get(message.removeprefix(prefix)) if message.startswith(prefix) else None
        return DuplicateError(field) if field else StoreError(f"sqlite integrity error: {exc}")
    if (getattr(exc, "sqlite_errorname", None) or "").startswith(_UNAVAILABLE):
        return StoreUnavailableError(f"sqlite database unavailable: {exc}")
    return StoreError(f"sqlite error: {exc}")


@contextmanager
def transaction(conn: sqlite3.Connection, *, write: bool = True) -> Iterator[sqlite3.Connection]:
    """BEGIN (IMMEDIATE for writes) … COMMIT, or ROLLBACK on any exception."""
    conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # SQLite has already rolled back after some errors (SQLITE_FULL…)
            conn.execute("ROLLBACK")
        raise


def split_statements(sql: str) -> Iterator[str]:
    """Split a migration file into statements; each must end with ``;`` at the end of a line.

    ``executescript`` would be simpler but it COMMITs any open transaction first, which
    would break "one file, one transaction".

    Raises:
        StoreError: the file ends inside a statement.
    """
    buffer = ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer
            buffer = ""
    leftover = "\n".join(line for line in buffer.splitlines() if not line.strip().startswith("--")).strip()
    if leftover:
        raise StoreError(f"migration ends with an incomplete statement: {leftover[:60]!r}")


def apply_migrations(conn: sqlite3.Connection, migrations: Sequence[Migration]) -> list[int]:
    """Apply the missing migrations, each in its own write transaction (runs in a thread).

    The "already applied?" check runs inside the transaction, under SQLite's write lock,
    so two processes migrating one file at once apply each version exactly once.

    Returns:
        The versions applied by this call, ascending.
    """
    applied: list[int] = []
    for migration in migrations:
        with transaction(conn):
            seen = conn.execute("SELECT 1 FROM schema_migrations WHERE version = ?", (migration.version,))
            if seen.fetchone() is not None:
                continue
            for statement in split_statements(migration.sql):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                (migration.version, encode_time(datetime.now(UTC))),
            )
        applied.append(migration.version)
    return applied


def _connect(path: str, busy_timeout_s: float) -> sqlite3.Connection:
    """Open and configure the connection (runs in a worker thread).

    A new file is created readable by its owner only (0600, in a new directory of 0700) before SQLite opens
    it: the accounts' emails and password hashes are in it, and SQLite gives its WAL and shared-memory files
    the database file's permissions. An existing file keeps the permissions its owner gave it.
    """
    if path != MEMORY:
        Path(path).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):  # an existing file (or whatever is there) is SQLite's to judge
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    conn = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        # Switching a new file to WAL takes an exclusive lock and SQLite may answer "locked" at once,
        # without waiting, when another process is configuring the same file: retry within the timeout.
        deadline = time.monotonic() + busy_timeout_s
        while True:
            try:
                if path != MEMORY:
                    conn.execute("PRAGMA journal_mode = WAL")  # readers never block the writer
                    conn.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL survives a process crash
                conn.execute(_CREATE_SCHEMA_MIGRATIONS)
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
    except BaseException:
        conn.close()
        raise
    return conn


class TrioSqlite:
    """The connection, its lock, and the one place sqlite3 exceptions are caught."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        """Wrap a connection made by :meth:`open`."""
        self._conn: sqlite3.Connection | None = conn
        self._lock = trio.Lock()

    @classmethod
    async def open(cls, path: str, *, busy_timeout_s: float) -> TrioSqlite:
        """Open ``path`` (or :data:`MEMORY`), creating the file and its parent directories.

        Also sets WAL mode, foreign keys and the busy timeout, and creates
        ``schema_migrations`` so that :func:`apply_migrations` can always read it.

        Raises:
            StoreUnavailableError: the file cannot be created or opened, or is not a database.
            StoreError: any other failure while configuring the connection.
        """
        try:
            return cls(await trio.to_thread.run_sync(_connect, path, busy_timeout_s))
        except sqlite3.Error as exc:
            raise translate(exc) from exc
        except OSError as exc:
            raise StoreUnavailableError(f"cannot create the database file or its directory: {exc}") from exc

    async def run(self, operation: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``operation(conn)`` in a worker thread, alone, translating sqlite3 errors.

        Raises:
            StoreUnavailableError: the connection is closed or the database unusable.
            StoreError, DuplicateError: see :func:`translate`.
        """
        async with self._lock:
            if self._conn is None:
                raise StoreUnavailableError("the store is closed")
            try:
                return await trio.to_thread.run_sync(operation, self._conn)
            except sqlite3.Error as exc:
                raise translate(exc) from exc

    async def aclose(self) -> None:
        """Close the connection once; shielded, so a cancelled caller still releases it."""
        with trio.CancelScope(shield=True):
            async with self._lock:
                conn, self._conn = self._conn, None
                if conn is None:
                    return
                try:
                    await trio.to_thread.run_sync(conn.close)
                except sqlite3.Error as exc:
                    raise translate(exc) from exc
