"""Request and response bodies of the REST API, as strict msgspec Structs.

Constraints live on the types (``Meta``), so the same declaration validates
requests and feeds the OpenAPI document: what the document says is what the
server accepts.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta, Struct

from checkgame.transport.http.fields import (
    DisplayName,
    Email,
    JoinCode,
    LoginName,
    Password,
    PlayerCount,
    SessionName,
    Username,
)

__all__ = [
    "CreateSession",
    "CreatedSession",
    "ErrorBody",
    "GameDetail",
    "GameSummary",
    "History",
    "HistoryGame",
    "HistoryItem",
    "JoinByCode",
    "JoinSession",
    "Joined",
    "Leaderboard",
    "LeaderboardRow",
    "Login",
    "Page",
    "Profile",
    "ProfileUpdate",
    "RatingChangeOut",
    "RatingOut",
    "RefreshBody",
    "Register",
    "Replay",
    "ReplayEvent",
    "ReplayGame",
    "ReplayStep",
    "SessionDetail",
    "SessionSummary",
    "Stats",
    "Tokens",
    "UserOut",
]


class _In(Struct, forbid_unknown_fields=True, rename="camel"):
    """Request bodies: unknown fields are refused, names are camelCase on the wire."""


class _Out(Struct, rename="camel"):
    """Response bodies."""


class Register(_In):
    username: Username
    email: Email
    password: Password


class Login(_In):
    login: LoginName
    password: Annotated[str, Meta(min_length=1, max_length=128)]


class RefreshBody(_In):
    refresh_token: str


class ProfileUpdate(_In):
    username: Username | None = None
    email: Email | None = None


MAX_SPECTATOR_DELAY_S = 600.0
"""The longest spectator delay a table's creator may choose."""


class CreateSession(_In):
    name: SessionName
    max_players: PlayerCount = 4
    is_private: bool = False
    spectator_delay_seconds: Annotated[float, Meta(ge=0, le=MAX_SPECTATOR_DELAY_S)] = 0.0
    """Spectators (``/api/v1/ws/watch``) see the table this many seconds late; 0: live."""


class JoinSession(_In):
    name: DisplayName | None = None
    """Required for anonymous players; registered players play under their username."""
    code: JoinCode | None = None
    """Required for a private session (unless you already sit at it): its id alone does not open it."""


class JoinByCode(_In):
    code: JoinCode
    name: DisplayName | None = None


class ErrorDetail(_Out):
    code: str
    message: str
    details: msgspec.Raw | None = None


class ErrorBody(_Out):
    error: ErrorDetail


class UserOut(_Out):
    id: str
    username: str
    email: str
    role: str
    created_at: str


class Tokens(_Out):
    user: UserOut
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "Bearer"


class Stats(_Out):
    """A game is won by finishing first and lost by finishing last (the loser, eliminated)."""

    total_games: int
    wins: Annotated[int, Meta(description="games finished first")]
    losses: Annotated[int, Meta(description="games finished last (eliminated from the tournament)")]
    win_rate: Annotated[float, Meta(description="wins / totalGames")]
    tournaments_played: int
    tournaments_won: int
    placements: Annotated[
        list[int], Meta(description="games finished in each place: [first places, second places, ...]")
    ]


class RatingOut(_Out):
    """A skill rating (openskill's Plackett-Luce model): registered players only, from rated games."""

    rating: Annotated[float, Meta(description="mu - 3 * sigma: the conservative figure shown and ranked; 0 to start")]
    mu: Annotated[float, Meta(description="the model's estimate of the player's skill (25 to start)")]
    sigma: Annotated[float, Meta(description="its uncertainty, shrinking as the player plays (25/3 to start)")]
    games: Annotated[int, Meta(description="rated games: games with at least one other registered player")]
    updated_at: str | None
    """When the last rated game finished; null before the first."""


class RatingChangeOut(_Out):
    game_id: str
    session_id: str
    rated_at: Annotated[str, Meta(description="when the game finished")]
    place: Annotated[int, Meta(description="place among the game's rated players (guests and computers skipped)")]
    rated_players: int
    rating: Annotated[float, Meta(description="the rating after the game")]
    delta: Annotated[float, Meta(description="the change the game made to the rating")]


class Profile(_Out):
    user: UserOut
    stats: Stats
    rating: RatingOut
    rating_history: Annotated[list[RatingChangeOut], Meta(description="the latest rated games, newest first")]


class LeaderboardRow(_Out):
    rank: int
    user_id: str
    username: str
    rating: float
    games: Annotated[int, Meta(description="rated games in the period")]


class Leaderboard(_Out):
    period: Annotated[str, Meta(description="all (all time) or month (this calendar month, UTC)")]
    since: Annotated[str | None, Meta(description="the first instant of the period; null for all time")]
    items: Annotated[list[LeaderboardRow], Meta(description="best first")]


class SessionSummary(_Out):
    id: str
    name: str
    code: str | None
    """Only shown to everybody for public sessions."""
    status: str
    max_players: int
    player_count: int
    is_private: bool
    creator_id: str
    created_at: str
    finished_at: str | None
    winner_id: str | None
    end_reason: str | None = None
    """Why a finished session has no winner: ``ended_by_admin``, ``abandoned`` or ``expired`` (a waiting table
    everybody left, or nobody started in time), or ``live_state_lost`` (its game in progress
    was lost, e.g. the server restarted); null while open or when won."""
    spectators: int | None = None
    """Spectators watching now, on every node; null when the table has no live state (long finished)."""


class Joined(_Out):
    session_id: str
    player_id: str
    session_token: str
    ws_url: str


class CreatedSession(_Out):
    session: SessionSummary
    join_code: str
    join_url: str
    player_id: str
    session_token: str
    ws_url: str


class SessionDetail(_Out):
    session: SessionSummary
    live: msgspec.Raw | None
    """The public live state (seats, game view), or null once the session is no longer live."""


class Page(_Out):
    items: list[SessionSummary]
    total: int
    limit: int
    offset: int


class GameSummary(_Out):
    """Players are named by id everywhere; ``names`` gives each one's display name."""

    id: str
    number: int
    players: list[str]
    names: Annotated[dict[str, str], Meta(description="player id -> display name, for every player of the game")]
    first_player: str
    winner: Annotated[str, Meta(description="the first player out of cards (placements[0]): the game's win")]
    loser: Annotated[str, Meta(description="the last player holding cards: eliminated from the tournament")]
    placements: Annotated[list[str], Meta(description="player ids in finishing order, first to last")]
    reason: str
    started_at: str
    finished_at: str


class GameDetail(_Out):
    game: GameSummary
    hand_size: int
    actions: list[msgspec.Raw]


class HistoryGame(_Out):
    """One finished game of a session in a player's history; the seed is not shown (it would deal every hand)."""

    id: str
    number: int
    players: list[str]
    winner: Annotated[str, Meta(description="the first player out of cards (placements[0])")]
    loser: Annotated[str, Meta(description="the last player holding cards: eliminated from the tournament")]
    placements: Annotated[list[str], Meta(description="player ids in finishing order, first to last")]
    reason: str
    started_at: str
    finished_at: str
    place: Annotated[int | None, Meta(description="where you finished it (1 = first); null when you did not play it")]
    replayable: Annotated[bool, Meta(description="you played it, so GET /games/{gameId}/replay shows it to you")]


class HistoryItem(_Out):
    """A session you sat at, with its finished games."""

    session: SessionSummary
    player_id: Annotated[str, Meta(description="your player id at this session (games name players by id)")]
    final_rank: Annotated[int | None, Meta(description="your rank in the tournament (1 = won); null until it ends")]
    names: Annotated[dict[str, str], Meta(description="player id -> display name, for every seat of the session")]
    games: list[HistoryGame]


class History(_Out):
    items: list[HistoryItem]
    total: int
    limit: int
    offset: int


class ReplayGame(_Out):
    """The replayed game; the seed is not shown (it would deal every hand)."""

    id: str
    session_id: str
    number: int
    players: list[str]
    names: Annotated[dict[str, str], Meta(description="player id -> display name, for every player of the game")]
    first_player: str
    hand_size: int
    winner: str
    loser: str
    placements: list[str]
    reason: str
    started_at: str
    finished_at: str


class ReplayEvent(_Out):
    type: Annotated[str, Meta(description="a game event's WebSocket frame type: card_played, card_drawn, ...")]
    data: Annotated[msgspec.Raw, Meta(description="its data, as the viewer received it over the WebSocket")]


class ReplayStep(_Out):
    step: Annotated[int, Meta(description="0 for the deal, n after the n-th action")]
    action: Annotated[
        msgspec.Raw | None,
        Meta(description="the move: {type: play_card|draw_card|choose_suit|leave, player, card?, chosenSuit?, suit?,"
             " at? (epoch seconds)}; null for the deal"),
    ]  # fmt: skip
    events: list[ReplayEvent]
    state: Annotated[
        msgspec.Raw,
        Meta(description="the position after this step as the viewer saw it: the `game` of session_state (their"
             " own hand, everybody else's as handSize)"),
    ]  # fmt: skip


class Replay(_Out):
    game: ReplayGame
    viewer: Annotated[str, Meta(description="your player id in this game: the hand the steps show")]
    steps: list[ReplayStep]
