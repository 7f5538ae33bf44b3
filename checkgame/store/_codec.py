"""Records ↔ column values, shared by the SQL backends.

The schema (``migrations/0001_initial.sql``) keeps timestamps as ISO-8601 UTC text,
JSON as text, booleans as 0/1 and case-insensitive keys in ``*_key`` columns. Everything
that knows those encodings lives here, so that a second SQL backend reading the same
tables decodes them identically. Column lists are plain SQL fragments without
placeholders, valid in SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from checkgame.sessions.results import GameResult, SessionPlayer
from checkgame.store.base import (
    AuditEntry,
    LeaderboardEntry,
    PlayedSession,
    PlayerRating,
    PlayerStats,
    RatingChange,
    RefreshToken,
    SessionRecord,
    User,
)

USER_COLUMNS = "id, username, email, password_hash, role, created_at, disabled"
USER_INSERT = "id, username, email, password_hash, role, created_at, disabled, username_key, email_key"
TOKEN_COLUMNS = "jti, user_id, family, expires_at, used, revoked"
SESSION_INSERT = (
    "id, code, name, creator_id, max_players, is_private, status, created_at, finished_at, winner_id, code_key"
)
SESSION_COLUMNS = (
    "s.id, s.code, s.name, s.creator_id, s.max_players, s.is_private, s.status, s.created_at, s.finished_at,"
    " s.winner_id, (SELECT count(*) FROM session_players p WHERE p.session_id = s.id), s.end_reason"
)
PLAYER_COLUMNS = "session_id, player_id, name, seat, user_id, joined_at, final_rank"
GAME_COLUMNS = (
    "id, session_id, number, seed, hand_size, players, first_player, started_at, finished_at, loser, placements, reason"
)
_SESSION_WIDTH = len(SESSION_COLUMNS.split(","))  # no column expression in it holds a comma
PLAYED_COLUMNS = f"{SESSION_COLUMNS}, sp.player_id, sp.final_rank"
"""A session a user sat at (``session_players sp`` joined to ``sessions s``): the session, then their seat."""
SEAT_NAMES = "session_id, player_id, name"
STATS_COLUMNS = "user_id, total_games, wins, losses, tournaments_played, tournaments_won"
RATING_COLUMNS = "user_id, mu, sigma, rating, games, updated_at"
HISTORY_COLUMNS = "game_id, session_id, rated_at, place, rated_players, mu, sigma, rating, delta"
HISTORY_INSERT = f"user_id, {HISTORY_COLUMNS}"
BOARD_COLUMNS = "r.user_id, u.username, r.rating, r.mu, r.sigma"
AUDIT_INSERT = "at, admin_id, admin_name, action, target, details"
AUDIT_COLUMNS = f"{AUDIT_INSERT}, id"

Row = Sequence[Any]
"""A result row, columns in the order of the matching ``*_COLUMNS`` list."""


def key(text: str) -> str:
    """The case-insensitive form of a username, email or join code (Unicode-aware, unlike SQLite's lower())."""
    return text.lower()


def encode_time(value: datetime) -> str:
    """Fixed-width ISO-8601 UTC text, so text order is time order.

    Raises:
        ValueError: ``value`` is naive; a store cannot guess which zone was meant.
    """
    if value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: the store keeps timezone-aware times only")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def encode_optional_time(value: datetime | None) -> str | None:
    """:func:`encode_time`, letting None through."""
    return None if value is None else encode_time(value)


def decode_time(text: str) -> datetime:
    """The aware UTC datetime stored by :func:`encode_time`."""
    return datetime.fromisoformat(text).astimezone(UTC)


def decode_optional_time(text: str | None) -> datetime | None:
    """:func:`decode_time`, letting None through."""
    return None if text is None else decode_time(text)


def dump_json(value: Any) -> str:
    """Compact JSON; NaN and infinities are refused because PostgreSQL's JSON refuses them too."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def user_params(user: User) -> tuple[Any, ...]:
    """Values for :data:`USER_INSERT`."""
    return (
        user.id,
        user.username,
        user.email,
        user.password_hash,
        user.role,
        encode_time(user.created_at),
        int(user.disabled),
        key(user.username),
        key(user.email),
    )


def user(row: Row) -> User:
    """Decode :data:`USER_COLUMNS`."""
    return User(row[0], row[1], row[2], row[3], row[4], decode_time(row[5]), bool(row[6]))


def token_params(token: RefreshToken) -> tuple[Any, ...]:
    """Values for :data:`TOKEN_COLUMNS`."""
    return (
        token.jti,
        token.user_id,
        token.family,
        encode_time(token.expires_at),
        int(token.used),
        int(token.revoked),
    )


def token(row: Row) -> RefreshToken:
    """Decode :data:`TOKEN_COLUMNS`."""
    return RefreshToken(row[0], row[1], row[2], decode_time(row[3]), bool(row[4]), bool(row[5]))


def session_params(session: SessionRecord) -> tuple[Any, ...]:
    """Values for :data:`SESSION_INSERT` (``player_count`` is derived, never stored)."""
    return (
        session.id,
        session.code,
        session.name,
        session.creator_id,
        session.max_players,
        int(session.is_private),
        session.status,
        encode_time(session.created_at),
        encode_optional_time(session.finished_at),
        session.winner_id,
        key(session.code),
    )


def session(row: Row) -> SessionRecord:
    """Decode :data:`SESSION_COLUMNS`."""
    return SessionRecord(
        id=row[0],
        code=row[1],
        name=row[2],
        creator_id=row[3],
        max_players=row[4],
        is_private=bool(row[5]),
        status=row[6],
        created_at=decode_time(row[7]),
        finished_at=decode_optional_time(row[8]),
        winner_id=row[9],
        player_count=row[10],
        end_reason=row[11],
    )


def player_params(player: SessionPlayer) -> tuple[Any, ...]:
    """Values for :data:`PLAYER_COLUMNS`."""
    return (
        player.session_id,
        player.player_id,
        player.name,
        player.seat,
        player.user_id,
        encode_time(player.joined_at),
        player.final_rank,
    )


def player(row: Row) -> SessionPlayer:
    """Decode :data:`PLAYER_COLUMNS`."""
    return SessionPlayer(row[0], row[1], row[2], row[3], row[4], decode_time(row[5]), row[6])


def game_params(game: GameResult) -> tuple[Any, ...]:
    """Values for :data:`GAME_COLUMNS`.

    Raises:
        ValueError: the seed does not fit a signed 64-bit column (seeds are 63-bit).
    """
    if not 0 <= game.seed < 2**63:
        raise ValueError(f"seed {game.seed} is not a 63-bit non-negative integer")
    return (
        game.id,
        game.session_id,
        game.number,
        game.seed,
        game.hand_size,
        dump_json(list(game.players)),
        game.first_player,
        encode_time(game.started_at),
        encode_time(game.finished_at),
        game.loser,
        dump_json(list(game.placements)),
        game.reason,
    )


def action_params(game: GameResult) -> list[tuple[str, int, str]]:
    """``(game_id, idx, action JSON)`` rows for the action log, ``idx`` from 0."""
    return [(game.id, idx, dump_json(action)) for idx, action in enumerate(game.actions)]


def game(row: Row, actions: Sequence[str]) -> GameResult:
    """Decode :data:`GAME_COLUMNS` and the action log's JSON texts."""
    return GameResult(
        id=row[0],
        session_id=row[1],
        number=row[2],
        seed=row[3],
        hand_size=row[4],
        players=tuple(json.loads(row[5])),
        first_player=row[6],
        started_at=decode_time(row[7]),
        finished_at=decode_time(row[8]),
        loser=row[9],
        placements=tuple(json.loads(row[10])),
        reason=row[11],
        actions=tuple(json.loads(a) for a in actions),
    )


def stats(row: Row) -> PlayerStats:
    """Decode :data:`STATS_COLUMNS`."""
    return PlayerStats(row[0], row[1], row[2], row[3], row[4], row[5])


def played(
    page: Sequence[Row],
    games: Sequence[GameResult],
    seats: Sequence[Row],
    session_of: Callable[[Row], SessionRecord],
) -> list[PlayedSession]:
    """Assemble a history page: :data:`PLAYED_COLUMNS` rows, their sessions' games (by number) and their seats'
    :data:`SEAT_NAMES` rows.

    ``session_of`` decodes a session row in the backend's own types; the user's seat's two columns follow it.
    """
    games_of: dict[str, list[GameResult]] = {}
    for game_result in games:
        games_of.setdefault(game_result.session_id, []).append(game_result)
    names_of: dict[str, dict[str, str]] = {}
    for session_id, player_id, name in seats:
        names_of.setdefault(session_id, {})[player_id] = name
    width = _SESSION_WIDTH
    return [
        PlayedSession(
            session_of(row), row[width], row[width + 1], tuple(games_of.get(row[0], ())), names_of.get(row[0], {})
        )
        for row in page
    ]


PLACES = (
    "SELECT CAST(p.key AS INTEGER) + 1, count(*) FROM session_players sp"
    " JOIN games g ON g.session_id = sp.session_id, json_each(g.placements) p"
    " WHERE sp.user_id = ? AND p.value = sp.player_id GROUP BY 1"
)
"""(place, games) of one user, counted from the recorded games (one row per place reached)."""


def with_places(stats: PlayerStats, places: Sequence[Row]) -> PlayerStats:
    """``stats`` with the games finished in each place, from :data:`PLACES` rows (either backend)."""
    counts = {int(place): int(games) for place, games in places}
    return replace(stats, placements=tuple(counts.get(n, 0) for n in range(1, max(counts, default=0) + 1)))


def audit_params(entry: AuditEntry) -> tuple[Any, ...]:
    """Values for :data:`AUDIT_INSERT`."""
    return (
        encode_time(entry.at),
        entry.admin_id,
        entry.admin_name,
        entry.action,
        entry.target,
        dump_json(entry.details),
    )


def audit(row: Row) -> AuditEntry:
    """Decode :data:`AUDIT_COLUMNS`."""
    return AuditEntry(decode_time(row[0]), row[1], row[2], row[3], row[4], json.loads(row[5]), row[6])


def rating_params(rating: PlayerRating) -> tuple[Any, ...]:
    """A :data:`RATING_COLUMNS` row; a stored rating always has the time of its last game."""
    if rating.updated_at is None:
        raise ValueError(f"a stored rating comes from a rated game: {rating!r} has no time")
    return (rating.user_id, rating.mu, rating.sigma, rating.rating, rating.games, encode_time(rating.updated_at))


def rating(row: Row) -> PlayerRating:
    user_id, mu, sigma, shown, games, updated_at = row
    return PlayerRating(user_id, float(mu), float(sigma), float(shown), int(games), decode_time(updated_at))


def history_params(user_id: str, change: RatingChange) -> tuple[Any, ...]:
    """A :data:`HISTORY_INSERT` row."""
    c = change
    return (user_id, c.game_id, c.session_id, encode_time(c.rated_at), c.place, c.rated_players, c.mu, c.sigma,
            c.rating, c.delta)  # fmt: skip


def history(row: Row, *, time: Any = None) -> RatingChange:
    """A :data:`HISTORY_COLUMNS` row; ``time`` decodes ``rated_at`` (ISO text by default)."""
    game_id, session_id, rated_at, place, rated_players, mu, sigma, shown, delta = row
    at = decode_time(rated_at) if time is None else time(rated_at)
    return RatingChange(game_id, session_id, at, int(place), int(rated_players), float(mu), float(sigma),
                        float(shown), float(delta))  # fmt: skip


def board(rows: Sequence[Row]) -> list[LeaderboardEntry]:
    """Leaderboard rows (:data:`BOARD_COLUMNS` then the games counted), best first, numbered from 1."""
    return [
        LeaderboardEntry(rank, user_id, username, float(shown), float(mu), float(sigma), int(games))
        for rank, (user_id, username, shown, mu, sigma, games) in enumerate(rows, start=1)
    ]
