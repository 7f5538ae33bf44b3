"""Store records to response bodies."""

from __future__ import annotations

from datetime import datetime

import msgspec

from checkgame.sessions.results import GameResult
from checkgame.store.base import LeaderboardEntry, PlayerRating, PlayerStats, RatingChange, SessionRecord, User
from checkgame.transport.http.schemas import (
    GameSummary,
    LeaderboardRow,
    RatingChangeOut,
    RatingOut,
    SessionSummary,
    Stats,
    UserOut,
)

__all__ = [
    "game_out",
    "iso",
    "leaderboard_row_out",
    "rating_change_out",
    "rating_out",
    "session_out",
    "stats_out",
    "user_out",
]

_encoder = msgspec.json.Encoder()


def iso(moment: datetime | None) -> str | None:
    """ISO-8601 with a ``Z`` for UTC, or None."""
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def user_out(user: User) -> UserOut:
    return UserOut(user.id, user.username, user.email, user.role, iso(user.created_at) or "")


def stats_out(stats: PlayerStats) -> Stats:
    return Stats(
        stats.total_games,
        stats.wins,
        stats.losses,
        round(stats.win_rate, 4),
        stats.tournaments_played,
        stats.tournaments_won,
        list(stats.placements),
    )


def session_out(record: SessionRecord, *, show_code: bool) -> SessionSummary:
    return SessionSummary(
        id=record.id,
        name=record.name,
        code=record.code if show_code else None,
        status=record.status,
        max_players=record.max_players,
        player_count=record.player_count,
        is_private=record.is_private,
        creator_id=record.creator_id,
        created_at=iso(record.created_at) or "",
        finished_at=iso(record.finished_at),
        winner_id=record.winner_id,
        end_reason=record.end_reason,
    )


def game_out(game: GameResult, names: dict[str, str]) -> GameSummary:
    """``names``: display names by player id (the session's seats); an unknown id stands for itself."""
    return GameSummary(
        id=game.id,
        number=game.number,
        players=list(game.players),
        names={player: names.get(player, player) for player in game.players},
        first_player=game.first_player,
        winner=game.placements[0],
        loser=game.loser,
        placements=list(game.placements),
        reason=game.reason,
        started_at=iso(game.started_at) or "",
        finished_at=iso(game.finished_at) or "",
    )


def raw(value: object) -> msgspec.Raw:
    """Embed an already JSON-compatible value in a Struct response."""
    return msgspec.Raw(_encoder.encode(value))


def rating_out(rating: PlayerRating) -> RatingOut:
    return RatingOut(round(rating.rating, 4), round(rating.mu, 4), round(rating.sigma, 4), rating.games,
                     iso(rating.updated_at))  # fmt: skip


def rating_change_out(change: RatingChange) -> RatingChangeOut:
    c = change
    return RatingChangeOut(c.game_id, c.session_id, iso(c.rated_at) or "", c.place, c.rated_players,
                           round(c.rating, 4), round(c.delta, 4))  # fmt: skip


def leaderboard_row_out(entry: LeaderboardEntry) -> LeaderboardRow:
    return LeaderboardRow(entry.rank, entry.user_id, entry.username, round(entry.rating, 4), entry.games)
