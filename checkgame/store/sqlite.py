"""SQLite backend of :class:`~checkgame.store.base.Store`: the embedded default (DESIGN.md §2).

``checkgame serve`` must work on a fresh machine with no services, so accounts, sessions
and results go to one SQLite file (or to memory, for tests).
"""

# Layout: _sqlite_conn.TrioSqlite runs each method's sync body in a worker thread under a
# lock and translates sqlite3 errors; _codec turns records into column values and back.
# Everything here is SQL. Existence checks that yield NotFoundError run inside the same
# write transaction as the insert they guard, so they cannot race another writer.

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any

from checkgame.errors import NotFoundError, StoreError, StoreUnavailableError
from checkgame.store import _codec as rows
from checkgame.store._sqlite_conn import MEMORY, TrioSqlite, apply_migrations, transaction
from checkgame.store.base import (
    AuditEntry,
    GameResult,
    LeaderboardEntry,
    PlayedSession,
    PlayerRating,
    PlayerStats,
    RatingChange,
    RefreshToken,
    ReplicaStatus,
    SessionPlayer,
    SessionRecord,
    User,
)
from checkgame.store.migrate import Migration, load_migrations, pending_versions
from checkgame.store.rating import new_player, rate_game

__all__ = ["MEMORY", "SqliteStore", "open_sqlite_store", "sqlite_path_from_url"]

_SEATS = "SELECT player_id, user_id FROM session_players WHERE session_id = ?"
_ALREADY_RANKED = "SELECT 1 FROM session_players WHERE session_id = ? AND final_rank IS NOT NULL LIMIT 1"
# Adds deltas to a user's counters, creating the row at zero first (SQLite >= 3.24, PostgreSQL >= 9.5).
_STATS_UPSERT = (
    "INSERT INTO player_stats (user_id, total_games, wins, losses, tournaments_played, tournaments_won)"
    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET"
    " total_games = player_stats.total_games + excluded.total_games,"
    " wins = player_stats.wins + excluded.wins,"
    " losses = player_stats.losses + excluded.losses,"
    " tournaments_played = player_stats.tournaments_played + excluded.tournaments_played,"
    " tournaments_won = player_stats.tournaments_won + excluded.tournaments_won"
)


def sqlite_path_from_url(url: str) -> str:
    """The database path named by a ``sqlite://`` URL (SQLAlchemy's convention).

    ``sqlite://`` and ``sqlite:///:memory:`` mean memory; ``sqlite:///data/x.db`` is the
    relative path ``data/x.db``; ``sqlite:////var/lib/x.db`` (four slashes) is absolute.

    Raises:
        ValueError: not a sqlite URL, a host part, or query parameters.
    """
    scheme, sep, rest = url.partition("://")
    if scheme.lower() != "sqlite" or not sep:
        raise ValueError(f"not a sqlite:// URL (scheme {scheme!r})")
    if rest in ("", "/", "/" + MEMORY):
        return MEMORY
    if not rest.startswith("/"):
        raise ValueError("a sqlite URL has no host: write sqlite:///relative.db or sqlite:////absolute.db")
    if "?" in rest or "#" in rest:
        raise ValueError("sqlite URLs take no query parameters here")
    return rest[1:]


def _check_page(limit: int, offset: int) -> None:
    if limit < 0 or offset < 0:
        raise ValueError(f"limit and offset must be >= 0 (got {limit}, {offset})")


def _require(conn: sqlite3.Connection, table: str, key: str, code: str) -> None:
    """Raise NotFoundError unless ``table`` (a fixed name, never input) has a row with id ``key``."""
    if conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (key,)).fetchone() is None:
        raise NotFoundError(f"{table[:-1]} {key!r} not found", code=code)


class SqliteStore:
    """The SQLite :class:`~checkgame.store.base.Store`; open it with :func:`open_sqlite_store`."""

    def __init__(self, db: TrioSqlite, migrations: Sequence[Migration]) -> None:
        """Wrap an open connection; :meth:`connect` is the usual way in."""
        self._db = db
        self._migrations = tuple(migrations)

    @classmethod
    async def connect(
        cls, path: str, *, busy_timeout_s: float = 5.0, migrations: Sequence[Migration] | None = None
    ) -> SqliteStore:
        """Open ``path`` (or :data:`MEMORY`), creating the file and its directories.

        Args:
            path: a file path, or ``":memory:"``.
            busy_timeout_s: how long a statement waits for another process's lock.
            migrations: the schema steps; the shipped ones by default (tests pass others).

        Raises:
            StoreUnavailableError: the file cannot be created or opened, or is not a database.
            StoreError: any other failure while configuring the connection.
        """
        steps = load_migrations() if migrations is None else migrations
        return cls(await TrioSqlite.open(path, busy_timeout_s=busy_timeout_s), steps)

    async def _execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """One write statement; returns the number of rows it changed."""
        return await self._db.run(lambda conn: conn.execute(sql, params).rowcount)

    async def _fetchone(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return await self._db.run(lambda conn: conn.execute(sql, params).fetchone())

    async def _page(
        self, select: str, count: str, params: Sequence[Any], limit: int, offset: int
    ) -> tuple[list[Any], int]:
        """Rows of one page and the total, read in one transaction so they agree."""
        _check_page(limit, offset)

        def op(conn: sqlite3.Connection) -> tuple[list[Any], int]:
            with transaction(conn, write=False):
                page = conn.execute(select + " LIMIT ? OFFSET ?", (*params, limit, offset)).fetchall()
                return page, int(conn.execute(count, params).fetchone()[0])

        return await self._db.run(op)

    # -- lifecycle

    async def migrate(self) -> list[int]:
        """Apply pending schema migrations; return the versions applied now."""
        return await self._db.run(lambda conn: apply_migrations(conn, self._migrations))

    async def pending_migrations(self) -> list[int]:
        """Versions not yet applied (empty when the schema is current)."""
        done = await self._db.run(lambda conn: [r[0] for r in conn.execute("SELECT version FROM schema_migrations")])
        return pending_versions(self._migrations, done)

    async def ping(self) -> None:
        """Read the schema page, so a missing or broken file fails here, not only ``SELECT 1``."""
        try:
            await self._fetchone("SELECT count(*) FROM sqlite_master")
        except StoreUnavailableError:
            raise
        except StoreError as exc:
            raise StoreUnavailableError(str(exc)) from exc

    async def aclose(self) -> None:
        """Close the connection; idempotent, and completes even when the caller is cancelled."""
        await self._db.aclose()

    async def read_replica(self) -> ReplicaStatus | None:
        """None: an embedded database has no replica."""
        return None

    # -- users

    async def create_user(self, user: User) -> None:
        """Insert ``user``; raises DuplicateError (``id``, ``username`` or ``email``)."""
        await self._execute(
            f"INSERT INTO users ({rows.USER_INSERT}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows.user_params(user)
        )

    async def get_user(self, user_id: str) -> User | None:
        """The user with this id, or None."""
        row = await self._fetchone(f"SELECT {rows.USER_COLUMNS} FROM users WHERE id = ?", (user_id,))
        return None if row is None else rows.user(row)

    async def find_user(self, login: str) -> User | None:
        """The user whose username or email is ``login``, ignoring case; a username match wins."""
        sql = (
            f"SELECT {rows.USER_COLUMNS} FROM users WHERE username_key = ? OR email_key = ?"
            " ORDER BY username_key = ? DESC LIMIT 1"
        )
        login_key = rows.key(login)
        row = await self._fetchone(sql, (login_key, login_key, login_key))
        return None if row is None else rows.user(row)

    async def update_user(self, user_id: str, *, username: str | None = None, email: str | None = None) -> User:
        """Change profile fields; raises NotFoundError or DuplicateError and then changes nothing."""

        def op(conn: sqlite3.Connection) -> User:
            with transaction(conn):
                row = conn.execute(f"SELECT {rows.USER_COLUMNS} FROM users WHERE id = ?", (user_id,)).fetchone()
                if row is None:
                    raise NotFoundError(f"user {user_id!r} not found", code="USER_NOT_FOUND")
                current = rows.user(row)
                updated = replace(
                    current,
                    username=current.username if username is None else username,
                    email=current.email if email is None else email,
                )
                conn.execute(
                    "UPDATE users SET username = ?, username_key = ?, email = ?, email_key = ? WHERE id = ?",
                    (updated.username, rows.key(updated.username), updated.email, rows.key(updated.email), user_id),
                )
                return updated

        return await self._db.run(op)

    async def set_role(self, user_id: str, role: str) -> None:
        """Change a user's role; raises NotFoundError for an unknown user."""
        if not await self._execute("UPDATE users SET role = ? WHERE id = ?", (role, user_id)):
            raise NotFoundError(f"user {user_id!r} not found", code="USER_NOT_FOUND")

    async def set_disabled(self, user_id: str, disabled: bool) -> None:
        """Disable or enable an account; raises NotFoundError for an unknown user."""
        if not await self._execute("UPDATE users SET disabled = ? WHERE id = ?", (int(disabled), user_id)):
            raise NotFoundError(f"user {user_id!r} not found", code="USER_NOT_FOUND")

    async def list_users(self, *, limit: int, offset: int) -> tuple[list[User], int]:
        """A page of users by creation time (then id), and the total count."""
        page, total = await self._page(
            f"SELECT {rows.USER_COLUMNS} FROM users ORDER BY created_at, id",
            "SELECT count(*) FROM users",
            (),
            limit,
            offset,
        )
        return [rows.user(r) for r in page], total

    # -- refresh tokens

    async def add_refresh_token(self, token: RefreshToken) -> None:
        """Store a new token; raises NotFoundError (unknown user) or DuplicateError (``jti``)."""

        def op(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                _require(conn, "users", token.user_id, "USER_NOT_FOUND")
                conn.execute(
                    f"INSERT INTO refresh_tokens ({rows.TOKEN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                    rows.token_params(token),
                )

        await self._db.run(op)

    async def use_refresh_token(self, jti: str) -> RefreshToken | None:
        """Mark ``jti`` used and return it as it was before (None when unknown)."""

        def op(conn: sqlite3.Connection) -> RefreshToken | None:
            with transaction(conn):
                row = conn.execute(f"SELECT {rows.TOKEN_COLUMNS} FROM refresh_tokens WHERE jti = ?", (jti,)).fetchone()
                if row is not None:
                    conn.execute("UPDATE refresh_tokens SET used = 1 WHERE jti = ?", (jti,))
                return None if row is None else rows.token(row)

        return await self._db.run(op)

    async def revoke_family(self, family: str) -> None:
        """Revoke every token of ``family`` (nothing happens for an unknown family)."""
        await self._execute("UPDATE refresh_tokens SET revoked = 1 WHERE family = ?", (family,))

    async def revoke_user_tokens(self, user_id: str) -> int:
        """Revoke every refresh token of the user; return how many were still valid."""
        sql = "UPDATE refresh_tokens SET revoked = 1 WHERE user_id = ? AND revoked = 0 AND used = 0"
        return await self._execute(sql, (user_id,))

    # -- sessions

    async def create_session(self, session: SessionRecord) -> None:
        """Insert ``session``; raises DuplicateError (``code`` or ``id``)."""
        await self._execute(
            f"INSERT INTO sessions ({rows.SESSION_INSERT}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows.session_params(session),
        )

    async def get_session(self, session_id: str) -> SessionRecord | None:
        """The session with this id (with ``player_count``), or None."""
        row = await self._fetchone(f"SELECT {rows.SESSION_COLUMNS} FROM sessions s WHERE s.id = ?", (session_id,))
        return None if row is None else rows.session(row)

    async def get_session_by_code(self, code: str) -> SessionRecord | None:
        """The session whose join code is ``code``, ignoring case, or None."""
        sql = f"SELECT {rows.SESSION_COLUMNS} FROM sessions s WHERE s.code_key = ?"
        row = await self._fetchone(sql, (rows.key(code),))
        return None if row is None else rows.session(row)

    async def list_sessions(
        self, *, status: str | None, public_only: bool, limit: int, offset: int
    ) -> tuple[list[SessionRecord], int]:
        """A page of sessions, newest first (then by id), and the total matching the filter."""
        where, params = ["1 = 1"], []
        if status is not None:
            where.append("s.status = ?")
            params.append(status)
        if public_only:
            where.append("s.is_private = 0")
        condition = " AND ".join(where)
        page, total = await self._page(
            f"SELECT {rows.SESSION_COLUMNS} FROM sessions s WHERE {condition} ORDER BY s.created_at DESC, s.id DESC",
            f"SELECT count(*) FROM sessions s WHERE {condition}",
            params,
            limit,
            offset,
        )
        return [rows.session(r) for r in page], total

    async def set_session_status(
        self, session_id: str, status: str, *, finished_at: datetime | None = None, winner_id: str | None = None
    ) -> None:
        """Set status, finished_at and winner_id exactly as given; raises NotFoundError."""
        changed = await self._execute(
            "UPDATE sessions SET status = ?, finished_at = ?, winner_id = ? WHERE id = ?",
            (status, rows.encode_optional_time(finished_at), winner_id, session_id),
        )
        if not changed:
            raise NotFoundError(f"session {session_id!r} not found", code="SESSION_NOT_FOUND")

    async def end_session(self, session_id: str, reason: str, finished_at: datetime) -> bool:
        changed = await self._execute(
            "UPDATE sessions SET status = 'finished', finished_at = ?, winner_id = NULL, end_reason = ?"
            " WHERE id = ? AND status <> 'finished'",
            (rows.encode_time(finished_at), reason, session_id),
        )
        return bool(changed)

    async def add_session_player(self, player: SessionPlayer) -> None:
        """Seat a player; raises NotFoundError (session or user) or DuplicateError (``player_id``)."""

        def op(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                _require(conn, "sessions", player.session_id, "SESSION_NOT_FOUND")
                if player.user_id is not None:
                    _require(conn, "users", player.user_id, "USER_NOT_FOUND")
                conn.execute(
                    f"INSERT INTO session_players ({rows.PLAYER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    rows.player_params(player),
                )

        await self._db.run(op)

    async def remove_session_player(self, session_id: str, player_id: str) -> None:
        """Free a seat taken before the start; a no-op when there is none."""
        sql = "DELETE FROM session_players WHERE session_id = ? AND player_id = ?"

        def op(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                conn.execute(sql, (session_id, player_id))

        await self._db.run(op)

    async def list_session_players(self, session_id: str) -> list[SessionPlayer]:
        """Seats in seat order (empty for an unknown session)."""
        sql = f"SELECT {rows.PLAYER_COLUMNS} FROM session_players WHERE session_id = ? ORDER BY seat, player_id"
        found = await self._db.run(lambda conn: conn.execute(sql, (session_id,)).fetchall())
        return [rows.player(r) for r in found]

    async def record_tournament(self, session_id: str, ranking: tuple[str, ...], finished_at: datetime) -> None:
        """Store the final ranking, finish the session and count the tournament for registered players.

        Idempotent: once a ranking is stored, later calls change nothing.

        Raises:
            ValueError: an empty ranking, or a player ranked twice.
            NotFoundError: unknown session, or a ranked player not seated in it.
        """
        if not ranking or len(set(ranking)) != len(ranking):
            raise ValueError(f"a ranking names each player once and is not empty: {ranking!r}")
        finished = rows.encode_time(finished_at)

        def op(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                _require(conn, "sessions", session_id, "SESSION_NOT_FOUND")
                seats = dict(conn.execute(_SEATS, (session_id,)).fetchall())
                if any(conn.execute(_ALREADY_RANKED, (session_id,))):
                    return
                for rank, player_id in enumerate(ranking, start=1):
                    if player_id not in seats:
                        raise NotFoundError(
                            f"player {player_id!r} is not in session {session_id!r}", code="PLAYER_NOT_FOUND"
                        )
                    conn.execute(
                        "UPDATE session_players SET final_rank = ? WHERE session_id = ? AND player_id = ?",
                        (rank, session_id, player_id),
                    )
                conn.execute(
                    "UPDATE sessions SET status = 'finished', finished_at = ?, winner_id = ? WHERE id = ?",
                    (finished, ranking[0], session_id),
                )
                winners = {seats[ranking[0]]}
                users = {user_id for user_id in seats.values() if user_id is not None}
                conn.executemany(_STATS_UPSERT, [(u, 0, 0, 0, 1, int(u in winners)) for u in sorted(users)])

        await self._db.run(op)

    # -- games

    async def record_game(self, game: GameResult) -> tuple[PlayerRating, ...]:
        """Store a finished game, its actions and the players' statistics and ratings in one transaction.

        Idempotent on ``game.id``. Raises NotFoundError for an unknown session and
        DuplicateError (``number``) when another game has this number in the session.
        """
        params, actions = rows.game_params(game), rows.action_params(game)

        def op(conn: sqlite3.Connection) -> tuple[PlayerRating, ...]:
            with transaction(conn):
                if conn.execute("SELECT 1 FROM games WHERE id = ?", (game.id,)).fetchone() is not None:
                    return ()
                _require(conn, "sessions", game.session_id, "SESSION_NOT_FOUND")
                conn.execute(f"INSERT INTO games ({rows.GAME_COLUMNS}) VALUES ({', '.join('?' * 12)})", params)
                conn.executemany("INSERT INTO game_actions (game_id, idx, action) VALUES (?, ?, ?)", actions)
                seats = dict(conn.execute(_SEATS, (game.session_id,)).fetchall())
                deltas = [
                    (seats[p], 1, int(p == game.placements[0]), int(p == game.loser), 0, 0)
                    for p in game.players
                    if seats.get(p) is not None
                ]
                conn.executemany(_STATS_UPSERT, deltas)
                return _rate(conn, game, seats)

        return await self._db.run(op)

    async def list_games(self, session_id: str) -> list[GameResult]:
        """Games of a session by number, without their action logs."""
        sql = f"SELECT {rows.GAME_COLUMNS} FROM games WHERE session_id = ? ORDER BY number"
        found = await self._db.run(lambda conn: conn.execute(sql, (session_id,)).fetchall())
        return [rows.game(r, ()) for r in found]

    async def get_game(self, game_id: str) -> GameResult | None:
        """One game with its action log in order, or None."""

        def op(conn: sqlite3.Connection) -> tuple[Any, list[Any]]:
            with transaction(conn, write=False):
                row = conn.execute(f"SELECT {rows.GAME_COLUMNS} FROM games WHERE id = ?", (game_id,)).fetchone()
                actions = conn.execute("SELECT action FROM game_actions WHERE game_id = ? ORDER BY idx", (game_id,))
                return row, [a[0] for a in actions]

        row, actions = await self._db.run(op)
        return None if row is None else rows.game(row, actions)

    async def get_stats(self, user_id: str) -> PlayerStats:
        """Statistics of ``user_id``; all zero when they never played."""

        def op(conn: sqlite3.Connection) -> PlayerStats:
            with transaction(conn, write=False):
                row = conn.execute(f"SELECT {rows.STATS_COLUMNS} FROM player_stats WHERE user_id = ?", (user_id,))
                found = row.fetchone()
                places = conn.execute(rows.PLACES, (user_id,)).fetchall()
            return rows.with_places(PlayerStats(user_id) if found is None else rows.stats(found), places)

        return await self._db.run(op)

    # -- ratings

    async def get_rating(self, user_id: str) -> PlayerRating:
        """The rating of ``user_id``, a new player's before their first rated game."""
        row = await self._fetchone(f"SELECT {rows.RATING_COLUMNS} FROM player_ratings WHERE user_id = ?", (user_id,))
        return new_player(user_id) if row is None else rows.rating(row)

    async def rating_history(self, user_id: str, *, limit: int) -> list[RatingChange]:
        """The latest ``limit`` rating changes of ``user_id``, newest first."""
        _check_page(limit, 0)
        sql = (
            f"SELECT {rows.HISTORY_COLUMNS} FROM rating_history WHERE user_id = ?"
            " ORDER BY rated_at DESC, game_id DESC LIMIT ?"
        )
        found = await self._db.run(lambda conn: conn.execute(sql, (user_id, limit)).fetchall())
        return [rows.history(r) for r in found]

    async def leaderboard(self, *, since: datetime | None, limit: int) -> list[LeaderboardEntry]:
        """The best ``limit`` rated players (active ``since``, if given), best first."""
        _check_page(limit, 0)
        if since is None:
            sql = (
                f"SELECT {rows.BOARD_COLUMNS}, r.games FROM player_ratings r JOIN users u ON u.id = r.user_id"
                " WHERE u.disabled = 0 ORDER BY r.rating DESC, r.user_id DESC LIMIT ?"
            )
            params: tuple[Any, ...] = (limit,)
        else:
            sql = (
                f"SELECT {rows.BOARD_COLUMNS}, m.games FROM player_ratings r JOIN users u ON u.id = r.user_id"
                " JOIN (SELECT user_id, count(*) AS games FROM rating_history WHERE rated_at >= ? GROUP BY user_id)"
                " m ON m.user_id = r.user_id WHERE u.disabled = 0 ORDER BY r.rating DESC, r.user_id DESC LIMIT ?"
            )
            params = (rows.encode_time(since), limit)
        found = await self._db.run(lambda conn: conn.execute(sql, params).fetchall())
        return rows.board(found)

    async def list_played_sessions(self, user_id: str, *, limit: int, offset: int) -> tuple[list[PlayedSession], int]:
        """A page of the sessions ``user_id`` sat at, newest first (then by id), each with its games, and the total."""
        _check_page(limit, offset)
        seats = "FROM session_players sp JOIN sessions s ON s.id = sp.session_id WHERE sp.user_id = ?"

        def op(conn: sqlite3.Connection) -> tuple[list[Any], list[Any], list[Any], int]:
            with transaction(conn, write=False):
                select = f"SELECT {rows.PLAYED_COLUMNS} {seats} ORDER BY s.created_at DESC, s.id DESC LIMIT ? OFFSET ?"
                page = conn.execute(select, (user_id, limit, offset)).fetchall()
                total = int(conn.execute(f"SELECT count(*) {seats}", (user_id,)).fetchone()[0])
                ids = [row[0] for row in page]
                if not ids:
                    return page, [], [], total
                marks = ", ".join("?" * len(ids))
                sql = f"SELECT {rows.GAME_COLUMNS} FROM games WHERE session_id IN ({marks}) ORDER BY number"
                games = conn.execute(sql, ids).fetchall()
                sql = f"SELECT {rows.SEAT_NAMES} FROM session_players WHERE session_id IN ({marks})"
                return page, games, conn.execute(sql, ids).fetchall(), total

        page, games, names, total = await self._db.run(op)
        return rows.played(page, [rows.game(g, ()) for g in games], names, rows.session), total

    # -- the administrators' audit log

    async def add_audit(self, entry: AuditEntry) -> int:
        """Append ``entry``; return its id (AUTOINCREMENT: never reused, increasing)."""
        sql = f"INSERT INTO admin_audit ({rows.AUDIT_INSERT}) VALUES (?, ?, ?, ?, ?, ?)"
        params = rows.audit_params(entry)

        def op(conn: sqlite3.Connection) -> int:
            with transaction(conn):
                cursor = conn.execute(sql, params)
                assert cursor.lastrowid is not None
                return cursor.lastrowid

        return await self._db.run(op)

    async def list_audit(self, *, limit: int) -> list[AuditEntry]:
        """The latest ``limit`` entries, newest first."""
        _check_page(limit, 0)
        sql = f"SELECT {rows.AUDIT_COLUMNS} FROM admin_audit ORDER BY id DESC LIMIT ?"
        found = await self._db.run(lambda conn: conn.execute(sql, (limit,)).fetchall())
        return [rows.audit(r) for r in found]


def _rate(conn: sqlite3.Connection, game: GameResult, seats: dict[str, str | None]) -> tuple[PlayerRating, ...]:
    """Rate ``game`` inside its recording transaction (:func:`checkgame.store.rating.rate_game`)."""
    users = sorted({u for u in seats.values() if u is not None})
    marks = ", ".join("?" * len(users))
    found = conn.execute(f"SELECT {rows.RATING_COLUMNS} FROM player_ratings WHERE user_id IN ({marks})", users)
    ratings, changes = rate_game(game, seats, {r.user_id: r for r in map(rows.rating, found)})
    conn.executemany(
        f"INSERT INTO player_ratings ({rows.RATING_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE"
        " SET mu = excluded.mu, sigma = excluded.sigma, rating = excluded.rating, games = excluded.games,"
        " updated_at = excluded.updated_at",
        [rows.rating_params(r) for r in ratings],
    )
    conn.executemany(
        f"INSERT INTO rating_history ({rows.HISTORY_INSERT}) VALUES ({', '.join('?' * 10)})",
        [rows.history_params(u, c) for u, c in changes],
    )
    return tuple(ratings)


@asynccontextmanager
async def open_sqlite_store(path: str, *, busy_timeout_s: float = 5.0) -> AsyncIterator[SqliteStore]:
    """Open a :class:`SqliteStore` for the duration of the block, and close it after.

    Args:
        path: a file path (parent directories are created) or :data:`MEMORY`.
        busy_timeout_s: how long a statement waits for another process's lock.

    Raises:
        StoreUnavailableError: the database cannot be opened.
    """
    store = await SqliteStore.connect(path, busy_timeout_s=busy_timeout_s)
    try:
        yield store
    finally:
        await store.aclose()
