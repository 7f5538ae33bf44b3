"""The persistence interface: what must outlive a process (DESIGN.md §3).

Users, refresh tokens, sessions and their players, finished games with their
action logs, and player statistics. Live game state is *not* here: it lives
in :mod:`checkgame.live`, and nothing on the hot path of a move waits for a
:class:`Store`.

The records a session hands over (:class:`SessionPlayer`, :class:`GameResult`,
:class:`TournamentResult`) belong to the session layer
(:mod:`checkgame.sessions.results`); the store imports them and re-exports
them for its callers.

Backends (SQLite now, PostgreSQL later) implement :class:`Store` and pass the
same contract tests. Driver exceptions never escape a backend: they become a
:class:`~checkgame.errors.StoreError` at the edge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from checkgame.sessions.results import GameResult, SessionPlayer, TournamentResult

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
]


@dataclass(frozen=True, slots=True)
class User:
    """A registered account."""

    id: str
    username: str
    email: str
    password_hash: str
    role: str
    """``player``, ``admin`` or ``admin_readonly``."""
    created_at: datetime
    disabled: bool = False
    """Disabled by an administrator: cannot log in or refresh a login."""


@dataclass(frozen=True, slots=True)
class RefreshToken:
    """One issued refresh token; tokens of one login form a rotation ``family``."""

    jti: str
    user_id: str
    family: str
    expires_at: datetime
    used: bool = False
    revoked: bool = False


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A session (tournament) as listed and looked up over REST."""

    id: str
    code: str
    """6-character join code, unique."""
    name: str
    creator_id: str
    max_players: int
    is_private: bool
    status: str
    """``waiting``, ``playing`` or ``finished``."""
    created_at: datetime
    finished_at: datetime | None = None
    winner_id: str | None = None
    player_count: int = 0
    """Filled in by reads; ignored on create."""
    end_reason: str | None = None
    """Why a finished session has no winner: ``ended_by_admin``, ``abandoned``, ``expired`` or ``live_state_lost``;
    ignored on create."""


@dataclass(frozen=True, slots=True)
class PlayedSession:
    """A session a registered user sat at, as their history lists it."""

    session: SessionRecord
    player_id: str
    """The user's player id in it (games name players by id)."""
    final_rank: int | None
    """1 for the winner; None until the tournament is recorded (or when it ended without one)."""
    games: tuple[GameResult, ...]
    """Its finished games by number, without their action logs."""
    names: dict[str, str] = field(default_factory=dict)
    """Display name of every player who sat at it, by player id (games name players by id)."""


@dataclass(frozen=True, slots=True)
class PlayerStats:
    """What ``GET /users/profile`` shows. A game is won by finishing first and lost by finishing last."""

    user_id: str
    total_games: int = 0
    wins: int = 0
    """Games finished first (out of cards before everyone else)."""
    losses: int = 0
    """Games finished last: the loser, eliminated from the tournament."""
    tournaments_played: int = 0
    tournaments_won: int = 0
    placements: tuple[int, ...] = ()
    """Games finished in each place: ``placements[0]`` first places (= ``wins``), ``placements[1]`` second, ..."""

    @property
    def win_rate(self) -> float:
        """Wins per game played, 0.0 before the first game."""
        return self.wins / self.total_games if self.total_games else 0.0


@dataclass(frozen=True, slots=True)
class PlayerRating:
    """A registered player's skill rating (:mod:`checkgame.store.rating`): the model's ``mu`` and ``sigma``,
    and ``rating`` = ``mu - 3 * sigma``, the conservative figure that is shown and ranked."""

    user_id: str
    mu: float
    sigma: float
    rating: float
    games: int = 0
    """Rated games played (games with at least one other registered player)."""
    updated_at: datetime | None = None
    """When the last rated game finished; None before the first."""


@dataclass(frozen=True, slots=True)
class RatingChange:
    """One line of a player's rating history: where a rated game left them."""

    game_id: str
    session_id: str
    rated_at: datetime
    """When the game finished (the month it counts for on the monthly leaderboard)."""
    place: int
    """1-based place among the game's *rated* players (guests and computer players are skipped)."""
    rated_players: int
    mu: float
    sigma: float
    rating: float
    """The rating after the game."""
    delta: float
    """``rating`` minus the rating before the game."""


@dataclass(frozen=True, slots=True)
class LeaderboardEntry:
    """One row of a leaderboard."""

    rank: int
    """1 for the best; ties are broken by user id so every reader sees the same order."""
    user_id: str
    username: str
    rating: float
    mu: float
    sigma: float
    games: int
    """Rated games in the leaderboard's period."""


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One administrator's action, as kept in the audit log."""

    at: datetime
    admin_id: str
    admin_name: str
    """The administrator's username when they acted."""
    action: str
    """``kick``, ``end``, ``notice``, ``reveal``, ``drain`` or ``undrain``."""
    target: str
    """What was acted on, e.g. ``session/<id>`` or ``node/<id>``."""
    details: dict[str, Any] = field(default_factory=dict)
    """JSON-compatible: the reason, the player, the message..."""
    id: int | None = None
    """Assigned by the store, increasing in insertion order; None before it is stored."""


@dataclass(frozen=True, slots=True)
class ReplicaStatus:
    """The read replica as last seen (``/health``): whether lag-tolerant reads go to it."""

    state: str
    """``streaming`` (read from), ``lagging`` (behind by more than ``max_lag_s``) or ``down``."""
    reads_from: str
    """``replica`` or ``primary``."""
    lag_s: float | None
    """Replay lag measured on the replica; None when it could not be asked."""
    max_lag_s: float
    error: str | None = None
    """Why it is down."""


class Store(Protocol):
    """Durable storage. Every method may raise :class:`~checkgame.errors.StoreUnavailableError`."""

    # -- lifecycle
    async def migrate(self) -> list[int]:
        """Apply pending schema migrations; return the versions applied now (empty when up to date)."""
        ...

    async def pending_migrations(self) -> list[int]:
        """Versions not yet applied (empty when the schema is current)."""
        ...

    async def ping(self) -> None:
        """Answer when the database answers; raise StoreUnavailableError otherwise."""
        ...

    async def aclose(self) -> None:
        """Release connections; pending writes are complete when this returns."""
        ...

    async def read_replica(self) -> ReplicaStatus | None:
        """A fresh look at the read replica, None when the store has none (``DATABASE_READ_URL``)."""
        ...

    # -- users
    async def create_user(self, user: User) -> None:
        """Raises DuplicateError (field ``email`` or ``username``)."""
        ...

    async def get_user(self, user_id: str) -> User | None: ...

    async def find_user(self, login: str) -> User | None:
        """The user whose username or email (case-insensitive) is ``login``."""
        ...

    async def update_user(self, user_id: str, *, username: str | None = None, email: str | None = None) -> User:
        """Change profile fields; raises NotFoundError or DuplicateError."""
        ...

    async def set_role(self, user_id: str, role: str) -> None: ...

    async def set_disabled(self, user_id: str, disabled: bool) -> None:
        """Disable or enable an account; raises NotFoundError for an unknown user."""
        ...

    async def revoke_user_tokens(self, user_id: str) -> int:
        """Revoke every refresh token of the user (all their logins); return how many were still valid."""
        ...

    async def list_users(self, *, limit: int, offset: int) -> tuple[list[User], int]:
        """A page of users by creation time, and the total count."""
        ...

    # -- refresh tokens
    async def add_refresh_token(self, token: RefreshToken) -> None: ...

    async def use_refresh_token(self, jti: str) -> RefreshToken | None:
        """Mark ``jti`` used and return it *as it was before* (so a reuse shows ``used=True``)."""
        ...

    async def revoke_family(self, family: str) -> None: ...

    # -- sessions
    async def create_session(self, session: SessionRecord) -> None:
        """Raises DuplicateError (field ``code``) when the join code is taken."""
        ...

    async def get_session(self, session_id: str) -> SessionRecord | None: ...

    async def get_session_by_code(self, code: str) -> SessionRecord | None:
        """Case-insensitive lookup of a join code."""
        ...

    async def list_sessions(
        self, *, status: str | None, public_only: bool, limit: int, offset: int
    ) -> tuple[list[SessionRecord], int]:
        """A page of sessions, newest first, and the total count matching the filter."""
        ...

    async def set_session_status(
        self, session_id: str, status: str, *, finished_at: datetime | None = None, winner_id: str | None = None
    ) -> None: ...

    async def end_session(self, session_id: str, reason: str, finished_at: datetime) -> bool:
        """Finish a session that is not finished yet, with no winner, recording ``reason``.

        Returns:
            False when it was already finished (or does not exist): another caller got there first.
        """
        ...

    async def add_session_player(self, player: SessionPlayer) -> None: ...

    async def remove_session_player(self, session_id: str, player_id: str) -> None:
        """Free the seat of a player who left before the start (no-op when there is none)."""
        ...

    async def list_session_players(self, session_id: str) -> list[SessionPlayer]:
        """Seats in seat order."""
        ...

    async def record_tournament(self, session_id: str, ranking: tuple[str, ...], finished_at: datetime) -> None:
        """Store the final ranking (rank 1 = winner), finish the session, and update statistics
        (tournaments played / won) of the registered players in it."""
        ...

    # -- games
    async def record_game(self, game: GameResult) -> tuple[PlayerRating, ...]:
        """Store a finished game with its action log and update the registered players' statistics and
        ratings (:mod:`checkgame.store.rating`), in one transaction. Recording the same game id twice is a
        no-op, so a retried result is never rated twice.

        Returns:
            The new ratings of the players this call rated: empty when the game was recorded before or
            had fewer than two registered players.
        """
        ...

    async def list_games(self, session_id: str) -> list[GameResult]:
        """Games of a session by number, without their action logs."""
        ...

    async def get_game(self, game_id: str) -> GameResult | None:
        """One game with its action log."""
        ...

    async def get_stats(self, user_id: str) -> PlayerStats:
        """Statistics of ``user_id`` (all zero when they never played)."""
        ...

    # -- ratings
    async def get_rating(self, user_id: str) -> PlayerRating:
        """The rating of ``user_id`` (a new player's, with ``games`` 0, before their first rated game)."""
        ...

    async def rating_history(self, user_id: str, *, limit: int) -> list[RatingChange]:
        """The latest ``limit`` rating changes of ``user_id``, newest first."""
        ...

    async def leaderboard(self, *, since: datetime | None, limit: int) -> list[LeaderboardEntry]:
        """The best ``limit`` rated players, best first, by their current rating.

        Args:
            since: only players with a rated game finished at or after it (the month's leaderboard), and
                ``games`` counts those games; None: every rated player (all time).
        Disabled accounts are left out. May be read from the replica (``DATABASE_READ_URL``).
        """

    async def list_played_sessions(self, user_id: str, *, limit: int, offset: int) -> tuple[list[PlayedSession], int]:
        """A page of the sessions ``user_id`` sat at, newest first, each with its finished games, and the total.

        Read where lag is tolerated (the replica when there is one): a game recorded a moment ago may show a moment
        later."""
        ...

    # -- the administrators' audit log
    async def add_audit(self, entry: AuditEntry) -> int:
        """Append ``entry`` (its ``id`` is ignored); return the id it was given."""
        ...

    async def list_audit(self, *, limit: int) -> list[AuditEntry]:
        """The latest ``limit`` entries, newest first."""
        ...
