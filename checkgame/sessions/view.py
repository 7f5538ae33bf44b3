"""The full picture of a session for one viewer: what ``session_state`` carries (RULES.md §16)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from checkgame import protocol, rules
from checkgame.sessions.entries import Entry
from checkgame.sessions.state import SessionState, Status

__all__ = ["Audience", "audience", "snapshot"]


class Audience(StrEnum):
    """Who is sent an entry (within that, ``Entry.private`` decides what each player sees of it)."""

    EVERYONE = "everyone"
    PLAYERS = "players"
    """The seated players' connections (their chat)."""
    SPECTATORS = "spectators"
    """The spectators' connections (their chat)."""
    OPERATORS = "operators"
    """No connection: read in the admin console (chat reports)."""


def audience(entry: Entry) -> Audience:
    """Who may be sent ``entry``: the view rule that keeps the two chats apart and reports to operators."""
    data = entry.data
    if isinstance(data, protocol.ChatMessage):
        return Audience.SPECTATORS if data.channel == "spectators" else Audience.PLAYERS
    if isinstance(data, protocol.ChatReported):
        return Audience.OPERATORS
    return Audience.EVERYONE


def snapshot(state: SessionState, viewer: str | None) -> dict[str, Any]:
    """The session as ``viewer`` may see it (``None``: a spectator, public part only).

    ``seq`` is the number of the last entry the snapshot includes, so a
    client can resume from it.
    """
    tournament = state.tournament
    eliminated = tournament.eliminated if tournament is not None else ()
    return {
        "sessionId": state.id,
        "status": state.status.value,
        "creator": state.creator,
        "maxPlayers": state.settings.max_players,
        "seats": [
            {
                "player": seat.player_id,
                "name": seat.name,
                "seat": number,
                "registered": seat.user_id is not None,
                "left": seat.player_id in state.left,
                "eliminated": seat.player_id in eliminated,
                "connected": state.is_present(seat.player_id),
            }
            for number, seat in enumerate(state.seats, start=1)
        ],
        "eliminated": list(eliminated),
        "ranking": list(tournament.ranking()) if tournament is not None and tournament.is_over else None,
        "gameNumber": state.game_number,
        "gameId": state.game_id,
        "game": None if state.game is None else rules.state_view(state.game, viewer),
        "turnDeadline": state.turn_deadline,
        "nextGameAt": state.next_game_at,
        "quickPlayStartsAt": state.quick_play.start_at
        if state.quick_play is not None and state.status is Status.WAITING
        else None,
        "settings": {
            "handSize": state.settings.hand_size,
            "turnTimeoutSeconds": state.settings.turn_timeout_s,
            "nextGameDelaySeconds": state.settings.next_game_delay_s,
            "graceSeconds": state.settings.grace_s,
            "spectatorDelaySeconds": state.settings.spectator_delay_s,
        },
        "spectators": state.spectator_count,
        "seq": state.seq,
    }
