"""Records ↔ column values for PostgreSQL's native types (``migrations_pg/``).

The twin of :mod:`checkgame.store._codec`, which encodes for the portable schema (ISO text,
0/1, JSON text). Here asyncpg does the type work: aware datetimes for TIMESTAMPTZ, bool for
BOOLEAN, lists for TEXT[]; only an action (JSONB) travels as JSON text. The column lists and
:func:`~checkgame.store._codec.key` are shared with SQLite, since both schemas use the same names
and the same case folding.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from checkgame.sessions.results import GameResult, SessionPlayer
from checkgame.store._codec import dump_json, key
from checkgame.store.base import AuditEntry, PlayerStats, RefreshToken, SessionRecord, User

Row = Any
"""An ``asyncpg.Record``, columns in the order of the matching ``_codec.*_COLUMNS`` list."""


def utc(value: datetime) -> datetime:
    """``value`` in UTC, for a TIMESTAMPTZ parameter.

    Raises:
        ValueError: ``value`` is naive; a store cannot guess which zone was meant.
    """
    if value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: the store keeps timezone-aware times only")
    return value.astimezone(UTC)


def optional_utc(value: datetime | None) -> datetime | None:
    """:func:`utc`, letting None through."""
    return None if value is None else utc(value)


def read_time(value: datetime) -> datetime:
    """A TIMESTAMPTZ as read: asyncpg gives UTC whatever the session's TimeZone; this states it."""
    return value.astimezone(UTC)


def user_params(user: User) -> tuple[Any, ...]:
    """Values for ``_codec.USER_INSERT``."""
    return (
        user.id,
        user.username,
        user.email,
        user.password_hash,
        user.role,
        utc(user.created_at),
        user.disabled,
        key(user.username),
        key(user.email),
    )


def user(row: Row) -> User:
    """Decode ``_codec.USER_COLUMNS``."""
    return User(row[0], row[1], row[2], row[3], row[4], read_time(row[5]), row[6])


def token_params(token: RefreshToken) -> tuple[Any, ...]:
    """Values for ``_codec.TOKEN_COLUMNS``."""
    return (token.jti, token.user_id, token.family, utc(token.expires_at), token.used, token.revoked)


def token(row: Row) -> RefreshToken:
    """Decode ``_codec.TOKEN_COLUMNS``."""
    return RefreshToken(row[0], row[1], row[2], read_time(row[3]), row[4], row[5])


def session_params(session: SessionRecord) -> tuple[Any, ...]:
    """Values for ``_codec.SESSION_INSERT`` (``player_count`` is derived, never stored)."""
    return (
        session.id,
        session.code,
        session.name,
        session.creator_id,
        session.max_players,
        session.is_private,
        session.status,
        utc(session.created_at),
        optional_utc(session.finished_at),
        session.winner_id,
        key(session.code),
    )


def session(row: Row) -> SessionRecord:
    """Decode ``_codec.SESSION_COLUMNS``."""
    return SessionRecord(
        id=row[0],
        code=row[1],
        name=row[2],
        creator_id=row[3],
        max_players=row[4],
        is_private=row[5],
        status=row[6],
        created_at=read_time(row[7]),
        finished_at=None if row[8] is None else read_time(row[8]),
        winner_id=row[9],
        player_count=row[10],
        end_reason=row[11],
    )


def player_params(player: SessionPlayer) -> tuple[Any, ...]:
    """Values for ``_codec.PLAYER_COLUMNS``."""
    return (
        player.session_id,
        player.player_id,
        player.name,
        player.seat,
        player.user_id,
        utc(player.joined_at),
        player.final_rank,
    )


def player(row: Row) -> SessionPlayer:
    """Decode ``_codec.PLAYER_COLUMNS``."""
    return SessionPlayer(row[0], row[1], row[2], row[3], row[4], read_time(row[5]), row[6])


def game_params(game: GameResult) -> tuple[Any, ...]:
    """Values for ``_codec.GAME_COLUMNS``.

    Raises:
        ValueError: the seed does not fit a signed 64-bit column (seeds are 63-bit), or a time is naive.
    """
    if not 0 <= game.seed < 2**63:
        raise ValueError(f"seed {game.seed} is not a 63-bit non-negative integer")
    return (
        game.id,
        game.session_id,
        game.number,
        game.seed,
        game.hand_size,
        list(game.players),
        game.first_player,
        utc(game.started_at),
        utc(game.finished_at),
        game.loser,
        list(game.placements),
        game.reason,
    )


def action_texts(game: GameResult) -> list[str]:
    """The action log as JSON texts, in order (cast to JSONB by the INSERT)."""
    return [dump_json(action) for action in game.actions]


def game(row: Row, actions: Sequence[str]) -> GameResult:
    """Decode ``_codec.GAME_COLUMNS`` and the action log's JSON texts."""
    return GameResult(
        id=row[0],
        session_id=row[1],
        number=row[2],
        seed=row[3],
        hand_size=row[4],
        players=tuple(row[5]),
        first_player=row[6],
        started_at=read_time(row[7]),
        finished_at=read_time(row[8]),
        loser=row[9],
        placements=tuple(row[10]),
        reason=row[11],
        actions=tuple(json.loads(a) for a in actions),
    )


def stats(row: Row) -> PlayerStats:
    """Decode ``_codec.STATS_COLUMNS``."""
    return PlayerStats(row[0], row[1], row[2], row[3], row[4], row[5])


PLACES = (
    "SELECT p.place, count(*) FROM session_players sp"
    " JOIN games g ON g.session_id = sp.session_id, unnest(g.placements) WITH ORDINALITY AS p (player, place)"
    " WHERE sp.user_id = $1 AND p.player = sp.player_id GROUP BY p.place"
)
"""(place, games) of one user, counted from the recorded games (``_codec.with_places`` reads them)."""


def audit_params(entry: AuditEntry) -> tuple[Any, ...]:
    """Values for ``_codec.AUDIT_INSERT``; ``details`` as JSON text, cast to JSONB by the INSERT."""
    return (utc(entry.at), entry.admin_id, entry.admin_name, entry.action, entry.target, dump_json(entry.details))


def audit(row: Row) -> AuditEntry:
    """Decode ``_codec.AUDIT_COLUMNS`` (``details`` read back as JSON text)."""
    return AuditEntry(read_time(row[0]), row[1], row[2], row[3], row[4], json.loads(row[5]), row[6])
