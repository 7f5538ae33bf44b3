"""Lossless conversion of a :class:`SessionState` to a JSON-compatible dict and back.

The live store keeps a session as JSON (Redis) and any node must be able to
rebuild exactly the value another node committed, so ``from_dict(to_dict(s)) == s``
for every reachable state, down to the int/float distinction of its numbers.

The output is deterministic (equal states give equal dicts with the same key
order, so equal JSON bytes) and kept reasonably compact because it is encoded
on every move: seats and grace periods are short arrays, the running game uses
the documented position format of :mod:`checkgame.rules.serial`. The format::

    {
      "format": 1,
      "id": "s1", "creator": "ann", "seed": 42, "created_at": 1700000000.5,
      "settings": [4, 7, 30.0, 5.0, 60.0, 1800.0, 0.0],   # max_players, hand_size, turn_timeout_s,
                        # next_game_delay_s, grace_s, waiting_idle_s, spectator_delay_s (the last two absent in
                        # older states: the default)
      "status": "playing",
      "seats": [["ann", "Ann", "u1"], ["bob", "Bob", null]],   # player_id, name, user_id
      "left": [],
      "tournament": {"seats": ["ann", "bob"], "eliminated": [], "games_played": 0},   # or null
      "game": {...},                          # rules.to_dict, or null
      "game_number": 1, "game_first_player": "ann", "game_started_at": 1700000001.0,
      "game_actions": [{"type": "draw", "player": "ann", "at": 1700000002.0}],
      "turn_deadline": 1700000032.0, "next_game_at": null, "waiting_until": null,   # (absent in older states)
      "present": [["ann", "node-1"]], "absent": [["bob", 1700000061.0]],
      "pending_results": [],                  # results not yet acknowledged as stored (times as epoch seconds)
      "results_retry_at": null,
      "recent_action_ids": ["ann:a1"],
      "quick_play": [1700000030.0, 30.0, ["ann"]],   # start_at, wait_s, accepts_computers; only on a table
                                                    # matchmaking opened (absent otherwise)
      "spectators": [["node-1", 3]], "chat_muted": ["bob"],   # (absent in older states: none)
      "version": 7, "seq": 12
    }

``to_dict`` shares the ``game_actions`` records with the state instead of
copying them (they are on the hot path): treat the result as read-only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from checkgame import rules
from checkgame.sessions.results import GameResult, TournamentResult
from checkgame.sessions.state import QuickPlay, Seat, SessionSettings, SessionState, Status
from checkgame.tournament import Tournament

__all__ = ["FORMAT", "from_dict", "to_dict"]

FORMAT = 1


def to_dict(state: SessionState) -> dict[str, Any]:
    """The JSON-compatible form of ``state`` (plain dicts, lists, strings, numbers, bools, None)."""
    settings = state.settings
    tournament = state.tournament
    data: dict[str, Any] = {
        "format": FORMAT,
        "id": state.id,
        "creator": state.creator,
        "seed": state.seed,
        "created_at": state.created_at,
        "settings": [
            settings.max_players,
            settings.hand_size,
            settings.turn_timeout_s,
            settings.next_game_delay_s,
            settings.grace_s,
            settings.waiting_idle_s,
            settings.spectator_delay_s,
        ],
        "status": state.status.value,
        "seats": [[seat.player_id, seat.name, seat.user_id] for seat in state.seats],
        "left": list(state.left),
        "tournament": None
        if tournament is None
        else {
            "seats": list(tournament.seats),
            "eliminated": list(tournament.eliminated),
            "games_played": tournament.games_played,
        },
        "game": None if state.game is None else rules.to_dict(state.game),
        "game_number": state.game_number,
        "game_first_player": state.game_first_player,
        "game_started_at": state.game_started_at,
        "game_actions": list(state.game_actions),
        "turn_deadline": state.turn_deadline,
        "next_game_at": state.next_game_at,
        "waiting_until": state.waiting_until,
        "present": [list(entry) for entry in state.present],
        "absent": [[player, at] for player, at in state.absent],
        "pending_results": [_result_to_dict(result) for result in state.pending_results],
        "results_retry_at": state.results_retry_at,
        "recent_action_ids": list(state.recent_action_ids),
        "spectators": [[node, count] for node, count in state.spectators],
        "chat_muted": list(state.chat_muted),
        "version": state.version,
        "seq": state.seq,
    }
    if state.quick_play is not None:
        quick = state.quick_play
        data["quick_play"] = [quick.start_at, quick.wait_s, list(quick.accepts_computers)]
    return data


def _result_to_dict(result: GameResult | TournamentResult) -> dict[str, Any]:
    if isinstance(result, TournamentResult):
        return {"session_id": result.session_id, "ranking": list(result.ranking), "at": result.finished_at.timestamp()}
    return {
        "id": result.id,
        "session_id": result.session_id,
        "number": result.number,
        "seed": result.seed,
        "hand_size": result.hand_size,
        "players": list(result.players),
        "first_player": result.first_player,
        "started_at": result.started_at.timestamp(),
        "at": result.finished_at.timestamp(),
        "loser": result.loser,
        "placements": list(result.placements),
        "reason": result.reason,
        "actions": list(result.actions),
    }


def _result_from_dict(raw: dict[str, Any]) -> GameResult | TournamentResult:
    finished_at = datetime.fromtimestamp(raw["at"], UTC)
    if "id" not in raw:
        return TournamentResult(raw["session_id"], tuple(raw["ranking"]), finished_at)
    return GameResult(
        id=raw["id"],
        session_id=raw["session_id"],
        number=raw["number"],
        seed=raw["seed"],
        hand_size=raw["hand_size"],
        players=tuple(raw["players"]),
        first_player=raw["first_player"],
        started_at=datetime.fromtimestamp(raw["started_at"], UTC),
        finished_at=finished_at,
        loser=raw["loser"],
        placements=tuple(raw["placements"]),
        reason=raw["reason"],
        actions=tuple(raw["actions"]),
    )


def from_dict(data: dict[str, Any]) -> SessionState:
    """Rebuild the state that :func:`to_dict` described.

    Raises:
        ValueError: the dict is not in this format (a :class:`~checkgame.rules.PositionError`
            when the game position itself is incoherent).
    """
    if data.get("format") != FORMAT:
        raise ValueError(f"unknown session state format {data.get('format')!r}")
    try:
        return _from_dict(data)
    except (KeyError, TypeError, IndexError) as exc:
        raise ValueError(f"malformed session state: {exc!r}") from exc


def _from_dict(data: dict[str, Any]) -> SessionState:
    max_players, hand_size, turn_timeout_s, next_game_delay_s, grace_s, *later = data["settings"]
    defaults = SessionSettings()
    waiting_idle_s = later[0] if later else defaults.waiting_idle_s
    spectator_delay_s = later[1] if len(later) > 1 else defaults.spectator_delay_s
    raw_tournament = data["tournament"]
    raw_game = data["game"]
    raw_quick = data.get("quick_play")
    return SessionState(
        id=data["id"],
        creator=data["creator"],
        seed=data["seed"],
        settings=SessionSettings(
            max_players, hand_size, turn_timeout_s, next_game_delay_s, grace_s, waiting_idle_s, spectator_delay_s
        ),
        created_at=data["created_at"],
        status=Status(data["status"]),
        seats=tuple(Seat(player_id, name, user_id) for player_id, name, user_id in data["seats"]),
        left=tuple(data["left"]),
        tournament=None
        if raw_tournament is None
        else Tournament(
            tuple(raw_tournament["seats"]), tuple(raw_tournament["eliminated"]), raw_tournament["games_played"]
        ),
        game=None if raw_game is None else rules.from_dict(raw_game),
        game_number=data["game_number"],
        game_first_player=data["game_first_player"],
        game_started_at=data["game_started_at"],
        game_actions=tuple(data["game_actions"]),
        turn_deadline=data["turn_deadline"],
        next_game_at=data["next_game_at"],
        waiting_until=data.get("waiting_until"),
        present=tuple((str(player), str(node)) for player, node in data["present"]),
        absent=tuple((player, at) for player, at in data["absent"]),
        pending_results=tuple(_result_from_dict(raw) for raw in data["pending_results"]),
        results_retry_at=data["results_retry_at"],
        recent_action_ids=tuple(data["recent_action_ids"]),
        quick_play=None if raw_quick is None else QuickPlay(raw_quick[0], raw_quick[1], tuple(raw_quick[2])),
        spectators=tuple((str(node), int(count)) for node, count in data.get("spectators", ())),
        chat_muted=tuple(data.get("chat_muted", ())),
        version=data["version"],
        seq=data["seq"],
    )
