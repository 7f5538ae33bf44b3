"""PostgreSQL backend of :class:`~checkgame.store.base.Store`: what several nodes share (DESIGN.md §3).

Why asyncpg through trio-asyncio: asyncpg is the best PostgreSQL driver for Python (pool,
binary protocol, transactions, LISTEN/NOTIFY), but it is asyncio-only; psycopg 3's async API
does not run on Trio, pg-purepy does not work on 3.11 under Trio and triopg is unmaintained
(DESIGN.md §6). trio-asyncio runs an asyncio loop on top of Trio so asyncpg works unchanged.

The cost: every call crosses from Trio into asyncio and back. DESIGN.md §2 measured ≈2.8k
queries/s through trio-asyncio against ≈8k on plain asyncio. That is acceptable because the
store is never on the hot path of a move: live game state is in :mod:`checkgame.live`, and
finished games reach the store through the recorder, in the background. To keep the crossing
count low, each method here is a single crossing that runs all its statements (a transaction
when there are several) on one pooled connection.

URL: ``postgresql://user:password@host:5432/database`` with optional query parameters
``pool_min_size`` (2), ``pool_max_size`` (10), ``connect_timeout`` (10 s), ``command_timeout``
(30 s) and ``schema`` (keep the tables in that schema; created by :meth:`PostgresStore.migrate`);
``pooler=pgbouncer`` when the URL names a transaction-pooling PgBouncer (see
:class:`~checkgame.store._pg_conn.PgOptions`); any other parameter (``sslmode``,
``application_name``…) goes to asyncpg. An optional second URL names a streaming replica for
the reads that tolerate lag (:mod:`checkgame.store._pg_replica`).
"""

# Layout: _pg_conn.TrioPostgres runs each method's asyncio-flavoured body with a pooled
# connection and translates asyncpg errors; _pg_codec turns records into column values and back
# (native types: TIMESTAMPTZ, BOOLEAN, TEXT[], JSONB; see migrations_pg/). Everything here is SQL.
# Existence checks that yield NotFoundError run inside the same transaction as the write they
# guard. Rows locked by several transactions (player_stats) are always locked in user-id order,
# so concurrent recordings cannot deadlock.

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any

from checkgame.errors import NotFoundError, StoreError, StoreUnavailableError
from checkgame.store import _codec as columns
from checkgame.store import _pg_codec as rows
from checkgame.store._pg_conn import (
    Connection,
    PgOptions,
    TrioPostgres,
    applied_versions,
    apply_migrations,
    asyncio_loop,
)
from checkgame.store._pg_replica import ReadRoute, split_read_url
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

__all__ = ["MIGRATIONS_PACKAGE", "PgOptions", "PostgresStore", "open_postgres_store"]

MIGRATIONS_PACKAGE = "checkgame.store.migrations_pg"
"""PostgreSQL's migrations: the same versions as SQLite's, in native types."""

_SEATS = "SELECT player_id, user_id FROM session_players WHERE session_id = $1"
_STATS_UPSERT = (
    "INSERT INTO player_stats (user_id, total_games, wins, losses, tournaments_played, tournaments_won)"
    " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id) DO UPDATE SET"
    " total_games = player_stats.total_games + excluded.total_games,"
    " wins = player_stats.wins + excluded.wins,"
    " losses = player_stats.losses + excluded.losses,"
    " tournaments_played = player_stats.tournaments_played + excluded.tournaments_played,"
    " tournaments_won = player_stats.tournaments_won + excluded.tournaments_won"
)
# "Mark used, return it as it was": the sub-select locks the row, so of concurrent uses the
# first sees used = false and the others, which waited, see the row it left (used = true).
_USE_TOKEN = (
    "UPDATE refresh_tokens t SET used = true"
    f" FROM (SELECT {columns.TOKEN_COLUMNS} FROM refresh_tokens WHERE jti = $1 FOR UPDATE) old"
    " WHERE t.jti = old.jti"
    " RETURNING old.jti, old.user_id, old.family, old.expires_at, old.used, old.revoked"
)


def _values(count: int) -> str:
    return ", ".join(f"${n}" for n in range(1, count + 1))


def _check_page(limit: int, offset: int) -> None:
    if limit < 0 or offset < 0:
        raise ValueError(f"limit and offset must be >= 0 (got {limit}, {offset})")


async def _require(conn: Connection, table: str, key: str, code: str) -> None:
    """Raise NotFoundError unless ``table`` (a fixed name, never input) has a row with id ``key``."""
    if await conn.fetchval(f"SELECT 1 FROM {table} WHERE id = $1", key) is None:
        raise NotFoundError(f"{table[:-1]} {key!r} not found", code=code)


class PostgresStore:
    """The PostgreSQL :class:`~checkgame.store.base.Store`; open it with :func:`open_postgres_store`."""

    def __init__(self, db: TrioPostgres, migrations: Sequence[Migration], reads: ReadRoute | None = None) -> None:
        """Wrap an open pool (and the replica's route); :meth:`connect` is the usual way in."""
        self._db = db
        self._migrations = tuple(migrations)
        self._reads = reads or ReadRoute(db, None, None)

    @classmethod
    async def connect(
        cls,
        options: PgOptions,
        loop: Any,
        *,
        migrations: Sequence[Migration] | None = None,
        read_url: str = "",
    ) -> PostgresStore:
        """Open the pool on the trio-asyncio ``loop`` (see :func:`~checkgame.store._pg_conn.asyncio_loop`).

        Args:
            options: parsed from the URL by :meth:`PgOptions.from_url`.
            loop: the running trio-asyncio loop; it must outlive the store.
            migrations: the schema steps; the shipped PostgreSQL ones by default (tests pass others).
            read_url: a streaming replica for lag-tolerant reads (``DATABASE_READ_URL``); it may be down:
                its pool opens no connection until the first read.

        Raises:
            StoreUnavailableError: the server cannot be reached or refuses us.
            StoreError: any other failure while connecting.
        """
        steps = load_migrations(MIGRATIONS_PACKAGE) if migrations is None else migrations
        read = split_read_url(read_url) if read_url else None
        replica_options = None if read is None else replace(PgOptions.from_url(read.url), min_size=0)
        db = await TrioPostgres.open(options, loop)
        try:
            replica = None if replica_options is None else await TrioPostgres.open(replica_options, loop)
        except BaseException:
            await db.aclose()
            raise
        return cls(db, steps, ReadRoute(db, replica, read))

    async def _execute(self, sql: str, *params: Any) -> None:
        async def op(conn: Connection) -> None:
            await conn.execute(sql, *params)

        await self._db.run(op)

    async def _fetchrow(self, sql: str, *params: Any) -> Any:
        async def op(conn: Connection) -> Any:
            return await conn.fetchrow(sql, *params)

        return await self._db.run(op)

    async def _fetch(self, sql: str, *params: Any, stale_ok: bool = False) -> list[Any]:
        async def op(conn: Connection) -> list[Any]:
            return list(await conn.fetch(sql, *params))

        return await (self._reads if stale_ok else self._db).run(op)

    async def _page(
        self, select: str, count: str, params: Sequence[Any], limit: int, offset: int, *, stale_ok: bool = False
    ) -> tuple[Any, int]:
        """Rows of one page and the total, read from one snapshot so they agree (on the replica if ``stale_ok``)."""
        _check_page(limit, offset)
        n = len(params)

        async def op(conn: Connection) -> tuple[Any, int]:
            async with conn.transaction(isolation="repeatable_read", readonly=True):
                page = await conn.fetch(f"{select} LIMIT ${n + 1} OFFSET ${n + 2}", *params, limit, offset)
                return page, int(await conn.fetchval(count, *params))

        return await (self._reads if stale_ok else self._db).run(op)

    # -- lifecycle

    async def migrate(self) -> list[int]:
        """Apply pending schema migrations under an advisory lock; return the versions applied now."""
        options = self._db.options

        async def op(conn: Connection) -> list[int]:
            return await apply_migrations(
                conn,
                self._migrations,
                schema=options.schema,
                lock_key=options.lock_key,
                per_transaction=options.pooler is not None,
            )

        return await self._db.run(op)

    async def pending_migrations(self) -> list[int]:
        """Versions not yet applied (empty when the schema is current)."""
        return pending_versions(self._migrations, await self._db.run(applied_versions))

    async def ping(self) -> None:
        """``SELECT 1`` on a pooled connection; any failure is StoreUnavailableError."""
        try:
            await self._fetchrow("SELECT 1")
        except StoreUnavailableError:
            raise
        except StoreError as exc:
            raise StoreUnavailableError(str(exc)) from exc

    async def aclose(self) -> None:
        """Close the pools; idempotent, and completes even when the caller is cancelled."""
        try:
            await self._reads.aclose()
        finally:
            await self._db.aclose()

    async def read_replica(self) -> ReplicaStatus | None:
        """A fresh look at the replica of ``DATABASE_READ_URL`` (None without one)."""
        return await self._reads.status()

    # -- users

    async def create_user(self, user: User) -> None:
        """Insert ``user``; raises DuplicateError (``id``, ``username`` or ``email``)."""
        await self._execute(f"INSERT INTO users ({columns.USER_INSERT}) VALUES ({_values(9)})", *rows.user_params(user))

    async def get_user(self, user_id: str) -> User | None:
        """The user with this id, or None."""
        row = await self._fetchrow(f"SELECT {columns.USER_COLUMNS} FROM users WHERE id = $1", user_id)
        return None if row is None else rows.user(row)

    async def find_user(self, login: str) -> User | None:
        """The user whose username or email is ``login``, ignoring case; a username match wins."""
        sql = (
            f"SELECT {columns.USER_COLUMNS} FROM users WHERE username_key = $1 OR email_key = $1"
            " ORDER BY username_key = $1 DESC LIMIT 1"
        )
        row = await self._fetchrow(sql, columns.key(login))
        return None if row is None else rows.user(row)

    async def update_user(self, user_id: str, *, username: str | None = None, email: str | None = None) -> User:
        """Change profile fields; raises NotFoundError or DuplicateError and then changes nothing."""

        async def op(conn: Connection) -> User:
            async with conn.transaction():
                sql = f"SELECT {columns.USER_COLUMNS} FROM users WHERE id = $1 FOR UPDATE"
                row = await conn.fetchrow(sql, user_id)
                if row is None:
                    raise NotFoundError(f"user {user_id!r} not found", code="USER_NOT_FOUND")
                current = rows.user(row)
                updated = replace(
                    current,
                    username=current.username if username is None else username,
                    email=current.email if email is None else email,
                )
                await conn.execute(
                    "UPDATE users SET username = $1, username_key = $2, email = $3, email_key = $4 WHERE id = $5",
                    updated.username,
                    columns.key(updated.username),
                    updated.email,
                    columns.key(updated.email),
                    user_id,
                )
                return updated

        return await self._db.run(op)

    async def set_role(self, user_id: str, role: str) -> None:
        """Change a user's role; raises NotFoundError for an unknown user."""
        if await self._fetchrow("UPDATE users SET role = $1 WHERE id = $2 RETURNING 1", role, user_id) is None:
            raise NotFoundError(f"user {user_id!r} not found", code="USER_NOT_FOUND")

    async def set_disabled(self, user_id: str, disabled: bool) -> None:
        """Disable or enable an account; raises NotFoundError for an unknown user."""
        sql = "UPDATE users SET disabled = $1 WHERE id = $2 RETURNING 1"
        if await self._fetchrow(sql, disabled, user_id) is None:
            raise NotFoundError(f"user {user_id!r} not found", code="USER_NOT_FOUND")

    async def list_users(self, *, limit: int, offset: int) -> tuple[list[User], int]:
        """A page of users by creation time (then id), and the total count."""
        page, total = await self._page(
            f"SELECT {columns.USER_COLUMNS} FROM users ORDER BY created_at, id",
            "SELECT count(*) FROM users",
            (),
            limit,
            offset,
        )
        return [rows.user(r) for r in page], total

    # -- refresh tokens

    async def add_refresh_token(self, token: RefreshToken) -> None:
        """Store a new token; raises NotFoundError (unknown user) or DuplicateError (``jti``)."""
        params = rows.token_params(token)

        async def op(conn: Connection) -> None:
            async with conn.transaction():
                await _require(conn, "users", token.user_id, "USER_NOT_FOUND")
                await conn.execute(
                    f"INSERT INTO refresh_tokens ({columns.TOKEN_COLUMNS}) VALUES ({_values(6)})", *params
                )

        await self._db.run(op)

    async def use_refresh_token(self, jti: str) -> RefreshToken | None:
        """Mark ``jti`` used and return it as it was before (None when unknown), in one statement."""
        row = await self._fetchrow(_USE_TOKEN, jti)
        return None if row is None else rows.token(row)

    async def revoke_family(self, family: str) -> None:
        """Revoke every token of ``family`` (nothing happens for an unknown family)."""
        await self._execute("UPDATE refresh_tokens SET revoked = true WHERE family = $1", family)

    async def revoke_user_tokens(self, user_id: str) -> int:
        """Revoke every refresh token of the user; return how many were still valid."""
        sql = "UPDATE refresh_tokens SET revoked = true WHERE user_id = $1 AND NOT revoked AND NOT used RETURNING 1"
        return len(await self._fetch(sql, user_id))

    # -- sessions

    async def create_session(self, session: SessionRecord) -> None:
        """Insert ``session``; raises DuplicateError (``code`` or ``id``)."""
        sql = f"INSERT INTO sessions ({columns.SESSION_INSERT}) VALUES ({_values(11)})"
        await self._execute(sql, *rows.session_params(session))

    async def get_session(self, session_id: str) -> SessionRecord | None:
        """The session with this id (with ``player_count``), or None."""
        row = await self._fetchrow(f"SELECT {columns.SESSION_COLUMNS} FROM sessions s WHERE s.id = $1", session_id)
        return None if row is None else rows.session(row)

    async def get_session_by_code(self, code: str) -> SessionRecord | None:
        """The session whose join code is ``code``, ignoring case, or None."""
        sql = f"SELECT {columns.SESSION_COLUMNS} FROM sessions s WHERE s.code_key = $1"
        row = await self._fetchrow(sql, columns.key(code))
        return None if row is None else rows.session(row)

    async def list_sessions(
        self, *, status: str | None, public_only: bool, limit: int, offset: int
    ) -> tuple[list[SessionRecord], int]:
        """A page of sessions, newest first (then by id), and the total matching the filter."""
        where, params = ["true"], []
        if status is not None:
            params.append(status)
            where.append(f"s.status = ${len(params)}")
        if public_only:
            where.append("NOT s.is_private")
        condition = " AND ".join(where)
        page, total = await self._page(
            f"SELECT {columns.SESSION_COLUMNS} FROM sessions s WHERE {condition} ORDER BY s.created_at DESC, s.id DESC",
            f"SELECT count(*) FROM sessions s WHERE {condition}",
            params,
            limit,
            offset,
            stale_ok=True,  # the lobby's listing: a session created a moment ago may show a moment later
        )
        return [rows.session(r) for r in page], total

    async def set_session_status(
        self, session_id: str, status: str, *, finished_at: datetime | None = None, winner_id: str | None = None
    ) -> None:
        """Set status, finished_at and winner_id exactly as given; raises NotFoundError."""
        changed = await self._fetchrow(
            "UPDATE sessions SET status = $1, finished_at = $2, winner_id = $3 WHERE id = $4 RETURNING 1",
            status,
            rows.optional_utc(finished_at),
            winner_id,
            session_id,
        )
        if changed is None:
            raise NotFoundError(f"session {session_id!r} not found", code="SESSION_NOT_FOUND")

    async def end_session(self, session_id: str, reason: str, finished_at: datetime) -> bool:
        changed = await self._fetchrow(
            "UPDATE sessions SET status = 'finished', finished_at = $1, winner_id = NULL, end_reason = $2"
            " WHERE id = $3 AND status <> 'finished' RETURNING 1",
            rows.utc(finished_at),
            reason,
            session_id,
        )
        return changed is not None

    async def add_session_player(self, player: SessionPlayer) -> None:
        """Seat a player; raises NotFoundError (session or user) or DuplicateError (``player_id``)."""
        params = rows.player_params(player)

        async def op(conn: Connection) -> None:
            async with conn.transaction():
                await _require(conn, "sessions", player.session_id, "SESSION_NOT_FOUND")
                if player.user_id is not None:
                    await _require(conn, "users", player.user_id, "USER_NOT_FOUND")
                await conn.execute(
                    f"INSERT INTO session_players ({columns.PLAYER_COLUMNS}) VALUES ({_values(7)})", *params
                )

        await self._db.run(op)

    async def remove_session_player(self, session_id: str, player_id: str) -> None:
        """Free a seat taken before the start; a no-op when there is none."""
        await self._execute(
            "DELETE FROM session_players WHERE session_id = $1 AND player_id = $2", session_id, player_id
        )

    async def list_session_players(self, session_id: str) -> list[SessionPlayer]:
        """Seats in seat order (empty for an unknown session)."""
        sql = f"SELECT {columns.PLAYER_COLUMNS} FROM session_players WHERE session_id = $1 ORDER BY seat, player_id"
        return [rows.player(r) for r in await self._fetch(sql, session_id)]

    async def record_tournament(self, session_id: str, ranking: tuple[str, ...], finished_at: datetime) -> None:
        """Store the final ranking, finish the session and count the tournament for registered players.

        Idempotent: once a ranking is stored, later calls change nothing. Concurrent calls for
        one session are serialised on the session's row.

        Raises:
            ValueError: an empty ranking, or a player ranked twice.
            NotFoundError: unknown session, or a ranked player not seated in it.
        """
        if not ranking or len(set(ranking)) != len(ranking):
            raise ValueError(f"a ranking names each player once and is not empty: {ranking!r}")
        finished = rows.utc(finished_at)

        async def op(conn: Connection) -> None:
            async with conn.transaction():
                if await conn.fetchval("SELECT 1 FROM sessions WHERE id = $1 FOR NO KEY UPDATE", session_id) is None:
                    raise NotFoundError(f"session {session_id!r} not found", code="SESSION_NOT_FOUND")
                seats = {r[0]: r[1] for r in await conn.fetch(_SEATS, session_id)}
                ranked = "SELECT 1 FROM session_players WHERE session_id = $1 AND final_rank IS NOT NULL LIMIT 1"
                if await conn.fetchval(ranked, session_id) is not None:
                    return
                for player_id in ranking:
                    if player_id not in seats:
                        raise NotFoundError(
                            f"player {player_id!r} is not in session {session_id!r}", code="PLAYER_NOT_FOUND"
                        )
                await conn.execute(
                    "UPDATE session_players p SET final_rank = r.rank"
                    " FROM unnest($2::text[]) WITH ORDINALITY AS r (player_id, rank)"
                    " WHERE p.session_id = $1 AND p.player_id = r.player_id",
                    session_id,
                    list(ranking),
                )
                await conn.execute(
                    "UPDATE sessions SET status = 'finished', finished_at = $1, winner_id = $2 WHERE id = $3",
                    finished,
                    ranking[0],
                    session_id,
                )
                winner = seats[ranking[0]]
                users = sorted({user_id for user_id in seats.values() if user_id is not None})
                await conn.executemany(_STATS_UPSERT, [(u, 0, 0, 0, 1, int(u == winner)) for u in users])

        await self._db.run(op)

    # -- games

    async def record_game(self, game: GameResult) -> tuple[PlayerRating, ...]:
        """Store a finished game, its actions and the players' statistics and ratings in one transaction.

        Idempotent on ``game.id``, also when two nodes record the same game at once. Raises
        NotFoundError for an unknown session and DuplicateError (``number``) when another game
        has this number in the session.
        """
        params = rows.game_params(game)
        actions = rows.action_texts(game)

        async def op(conn: Connection) -> tuple[PlayerRating, ...]:
            async with conn.transaction():
                if await conn.fetchval("SELECT 1 FROM games WHERE id = $1", game.id) is not None:
                    return ()
                await _require(conn, "sessions", game.session_id, "SESSION_NOT_FOUND")
                insert = (
                    f"INSERT INTO games ({columns.GAME_COLUMNS}) VALUES ({_values(12)})"
                    " ON CONFLICT (id) DO NOTHING RETURNING 1"
                )
                if await conn.fetchval(insert, *params) is None:
                    return ()  # another transaction recorded it since our check
                await conn.execute(
                    "INSERT INTO game_actions (game_id, idx, action)"
                    " SELECT $1, a.ord - 1, a.action::jsonb FROM unnest($2::text[]) WITH ORDINALITY AS a (action, ord)",
                    game.id,
                    actions,
                )
                seats = {r[0]: r[1] for r in await conn.fetch(_SEATS, game.session_id)}
                deltas = sorted(
                    (seats[p], 1, int(p == game.placements[0]), int(p == game.loser), 0, 0)
                    for p in game.players
                    if seats.get(p) is not None
                )
                await conn.executemany(_STATS_UPSERT, deltas)
                return await _rate(conn, game, seats)

        return await self._db.run(op)

    async def list_games(self, session_id: str) -> list[GameResult]:
        """Games of a session by number, without their action logs."""
        sql = f"SELECT {columns.GAME_COLUMNS} FROM games WHERE session_id = $1 ORDER BY number"
        return [rows.game(r, ()) for r in await self._fetch(sql, session_id, stale_ok=True)]

    async def get_game(self, game_id: str) -> GameResult | None:
        """One game with its action log in order, or None."""

        async def op(conn: Connection) -> tuple[Any, list[str]]:
            async with conn.transaction(isolation="repeatable_read", readonly=True):
                row = await conn.fetchrow(f"SELECT {columns.GAME_COLUMNS} FROM games WHERE id = $1", game_id)
                sql = "SELECT action::text FROM game_actions WHERE game_id = $1 ORDER BY idx"
                return row, [a[0] for a in await conn.fetch(sql, game_id)]

        row, actions = await self._reads.run(op)  # game history: recorded in the background anyway
        return None if row is None else rows.game(row, actions)

    async def get_stats(self, user_id: str) -> PlayerStats:
        """Statistics of ``user_id``; all zero when they never played."""
        sql = f"SELECT {columns.STATS_COLUMNS} FROM player_stats WHERE user_id = $1"
        found = await self._fetch(sql, user_id, stale_ok=True)  # the profile page
        places = await self._fetch(rows.PLACES, user_id, stale_ok=True)
        return columns.with_places(rows.stats(found[0]) if found else PlayerStats(user_id), places)

    # -- ratings

    async def get_rating(self, user_id: str) -> PlayerRating:
        """The rating of ``user_id``, a new player's before their first rated game (read from the replica)."""
        found = await self._fetch(f"SELECT {columns.RATING_COLUMNS} FROM player_ratings WHERE user_id = $1", user_id,
                                  stale_ok=True)  # fmt: skip
        return new_player(user_id) if not found else _rating(found[0])

    async def rating_history(self, user_id: str, *, limit: int) -> list[RatingChange]:
        """The latest ``limit`` rating changes of ``user_id``, newest first (read from the replica)."""
        _check_page(limit, 0)
        sql = (
            f"SELECT {columns.HISTORY_COLUMNS} FROM rating_history WHERE user_id = $1"
            " ORDER BY rated_at DESC, game_id DESC LIMIT $2"
        )
        return [columns.history(r, time=rows.read_time) for r in await self._fetch(sql, user_id, limit, stale_ok=True)]

    async def leaderboard(self, *, since: datetime | None, limit: int) -> list[LeaderboardEntry]:
        """The best ``limit`` rated players (active ``since``, if given), best first (read from the replica)."""
        _check_page(limit, 0)
        if since is None:
            sql = (
                f"SELECT {columns.BOARD_COLUMNS}, r.games FROM player_ratings r JOIN users u ON u.id = r.user_id"
                " WHERE NOT u.disabled ORDER BY r.rating DESC, r.user_id DESC LIMIT $1"
            )
            return columns.board(await self._fetch(sql, limit, stale_ok=True))
        sql = (
            f"SELECT {columns.BOARD_COLUMNS}, m.games FROM player_ratings r JOIN users u ON u.id = r.user_id"
            " JOIN (SELECT user_id, count(*) AS games FROM rating_history WHERE rated_at >= $1 GROUP BY user_id)"
            " m ON m.user_id = r.user_id WHERE NOT u.disabled ORDER BY r.rating DESC, r.user_id DESC LIMIT $2"
        )
        return columns.board(await self._fetch(sql, rows.utc(since), limit, stale_ok=True))

    async def list_played_sessions(self, user_id: str, *, limit: int, offset: int) -> tuple[list[PlayedSession], int]:
        """A page of the sessions ``user_id`` sat at, newest first (then by id), each with its games, and the total;
        from one snapshot, on the replica when there is one (the profile page)."""
        _check_page(limit, offset)
        seats = "FROM session_players sp JOIN sessions s ON s.id = sp.session_id WHERE sp.user_id = $1"

        async def op(conn: Connection) -> tuple[list[Any], list[Any], list[Any], int]:
            async with conn.transaction(isolation="repeatable_read", readonly=True):
                order = "ORDER BY s.created_at DESC, s.id DESC LIMIT $2 OFFSET $3"
                page = list(
                    await conn.fetch(f"SELECT {columns.PLAYED_COLUMNS} {seats} {order}", user_id, limit, offset)
                )
                total = int(await conn.fetchval(f"SELECT count(*) {seats}", user_id))
                if not page:
                    return page, [], [], total
                ids = [row[0] for row in page]
                sql = f"SELECT {columns.GAME_COLUMNS} FROM games WHERE session_id = ANY($1::text[]) ORDER BY number"
                games = list(await conn.fetch(sql, ids))
                sql = f"SELECT {columns.SEAT_NAMES} FROM session_players WHERE session_id = ANY($1::text[])"
                return page, games, list(await conn.fetch(sql, ids)), total

        page, games, names, total = await self._reads.run(op)
        return columns.played(page, [rows.game(g, ()) for g in games], names, rows.session), total

    # -- the administrators' audit log

    async def add_audit(self, entry: AuditEntry) -> int:
        """Append ``entry``; return its id (an identity column: increasing, never reused)."""
        sql = f"INSERT INTO admin_audit ({columns.AUDIT_INSERT}) VALUES ($1, $2, $3, $4, $5, $6::jsonb) RETURNING id"

        async def op(conn: Connection) -> int:
            return int(await conn.fetchval(sql, *rows.audit_params(entry)))

        return await self._db.run(op)

    async def list_audit(self, *, limit: int) -> list[AuditEntry]:
        """The latest ``limit`` entries, newest first."""
        _check_page(limit, 0)
        sql = (
            "SELECT at, admin_id, admin_name, action, target, details::text, id"
            " FROM admin_audit ORDER BY id DESC LIMIT $1"
        )
        return [rows.audit(r) for r in await self._fetch(sql, limit)]


def _rating(row: Any) -> PlayerRating:
    user_id, mu, sigma, shown, games, updated_at = row
    return PlayerRating(user_id, mu, sigma, shown, games, rows.read_time(updated_at))


async def _rate(conn: Connection, game: GameResult, seats: dict[str, str | None]) -> tuple[PlayerRating, ...]:
    """Rate ``game`` inside its recording transaction (:func:`checkgame.store.rating.rate_game`).

    The statistics upsert before this already locked the players' ``player_stats`` rows in user-id
    order, so a concurrent recording of another game with the same players waits there, and reads
    the ratings (READ COMMITTED: a fresh snapshot per statement) only once this one has committed;
    ``FOR UPDATE`` keeps that true of rows whose statistics were not touched.
    """
    users = sorted({u for u in seats.values() if u is not None})
    found = await conn.fetch(
        f"SELECT {columns.RATING_COLUMNS} FROM player_ratings WHERE user_id = ANY($1::text[]) ORDER BY user_id"
        " FOR UPDATE",
        users,
    )
    ratings, changes = rate_game(game, seats, {r.user_id: r for r in map(_rating, found)})
    if not ratings:
        return ()
    await conn.executemany(
        f"INSERT INTO player_ratings ({columns.RATING_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"
        " ON CONFLICT (user_id) DO UPDATE SET mu = excluded.mu, sigma = excluded.sigma, rating = excluded.rating,"
        " games = excluded.games, updated_at = excluded.updated_at",
        [(r.user_id, r.mu, r.sigma, r.rating, r.games, rows.optional_utc(r.updated_at)) for r in ratings],
    )
    await conn.executemany(
        f"INSERT INTO rating_history ({columns.HISTORY_INSERT}) VALUES ({_values(10)})",
        [(u, c.game_id, c.session_id, rows.utc(c.rated_at), c.place, c.rated_players, c.mu, c.sigma, c.rating, c.delta)
         for u, c in changes],
    )  # fmt: skip
    return tuple(ratings)


@asynccontextmanager
async def open_postgres_store(url: str, read_url: str = "") -> AsyncIterator[PostgresStore]:
    """Open a :class:`PostgresStore` for the duration of the block, and close it after.

    Runs inside the caller's trio-asyncio loop when there is one (``app.py`` may open it
    around everything), or opens one for the lifetime of the store, so callers need not care.

    Raises:
        ValueError: a malformed URL or option (the message never repeats the URL).
        StoreUnavailableError: the server cannot be reached or refuses us.
    """
    options = PgOptions.from_url(url)
    async with asyncio_loop() as loop:
        store = await PostgresStore.connect(options, loop, read_url=read_url)
        try:
            yield store
        finally:
            await store.aclose()
