"""What a session hands to the store: its seats and its results (the session layer's records).

The session machine produces these as effects (:mod:`checkgame.sessions.machine`)
and a recorder persists them; the store (:mod:`checkgame.store`) imports them
from here, so the sessions layer depends on no store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["GameResult", "SessionPlayer", "TournamentResult"]


@dataclass(frozen=True, slots=True)
class SessionPlayer:
    """A seat of a session. ``user_id`` is None for an anonymous (guest) player."""

    session_id: str
    player_id: str
    name: str
    seat: int
    user_id: str | None
    joined_at: datetime
    final_rank: int | None = None


@dataclass(frozen=True, slots=True)
class GameResult:
    """A finished game: enough to show it, rank it and replay it from its seed."""

    id: str
    session_id: str
    number: int
    """1 for the first game of the session."""
    seed: int
    hand_size: int
    players: tuple[str, ...]
    """Player ids in seat order."""
    first_player: str
    started_at: datetime
    finished_at: datetime
    loser: str
    placements: tuple[str, ...]
    """First place first, the loser last."""
    reason: str
    actions: tuple[dict[str, Any], ...] = field(default=())
    """The action log in order, each a JSON-compatible dict (see checkgame.sessions.machine._action_record)."""


@dataclass(frozen=True, slots=True)
class TournamentResult:
    """The final ranking of a finished session, winner first."""

    session_id: str
    ranking: tuple[str, ...]
    finished_at: datetime
