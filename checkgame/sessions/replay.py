"""A finished game rebuilt step by step from its deal and action log, as one of its players saw it.

The store keeps each finished game's seed, seats, hand size, first player and action log
(:func:`checkgame.sessions.machine._action_record` writes its lines). The rules engine is
deterministic given those, so dealing again and re-applying every action reproduces every
position of the game, and :func:`rules.state_view` / :func:`rules.event_view` cut each one down
to what the viewer was allowed to see (RULES.md §16): their own hand and draws, everybody
else's as counts. Nothing here holds a hidden card in its output; the seed never leaves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checkgame import rules
from checkgame.sessions.results import GameResult

__all__ = ["ReplayError", "action_from_record", "replay"]

_ACTION_TYPES = {"play": "play_card", "draw": "draw_card", "choosesuit": "choose_suit", "leave": "leave"}
"""Action log type -> the protocol's name for the same move."""


class ReplayError(ValueError):
    """The stored log does not replay to the stored result (a damaged record, or rules that changed since)."""


def action_from_record(record: Mapping[str, Any]) -> rules.Action:
    """The engine action one line of an action log stands for.

    Raises:
        ReplayError: the line is not one the session machine writes.
    """
    kind, player = record.get("type"), record.get("player")
    if not isinstance(player, str):
        raise ReplayError(f"an action without a player: {dict(record)!r}")
    try:
        match kind:
            case "play":
                return rules.Play(player, rules.parse_card(record.get("card")), record.get("suit"))
            case "draw":
                return rules.Draw(player)
            case "choosesuit":
                return rules.ChooseSuit(player, str(record["suit"]))
            case "leave":
                return rules.Leave(player)
    except (KeyError, ValueError) as exc:
        raise ReplayError(f"unreadable action {dict(record)!r}: {exc}") from None
    raise ReplayError(f"unknown action type {kind!r}")


def _action_view(action: rules.Action, record: Mapping[str, Any]) -> dict[str, Any]:
    """The move itself, public to all: a played card is shown face up anyway, a draw names no card."""
    view: dict[str, Any] = {"type": _ACTION_TYPES[str(record["type"])], "player": action.player}
    if isinstance(action, rules.Play):
        view["card"] = rules.card_to_wire(action.card)
        if action.suit is not None:
            view["chosenSuit"] = str(action.suit)
    elif isinstance(action, rules.ChooseSuit):
        view["suit"] = action.suit
    at = record.get("at")
    if isinstance(at, int | float):
        view["at"] = at
    return view


def _events(events: list[rules.Event], viewer: str | None) -> list[dict[str, Any]]:
    return [{"type": rules.event_type(e), "data": rules.event_view(e, viewer)} for e in events]


def replay(game: GameResult, viewer: str | None) -> list[dict[str, Any]]:
    """Every position of ``game`` as ``viewer`` saw it: step 0 is the deal, step ``n`` follows the ``n``-th action.

    Each step is ``{"step", "action", "events", "state"}``: the action (None for the deal), the events it
    caused and the position after it, both as :func:`rules.event_view` and :func:`rules.state_view` give them
    to ``viewer`` (None: a spectator, public part only).

    Raises:
        ReplayError: an action is unreadable or refused by the engine, or the replayed game does not end
            with the recorded loser and placements.
    """
    state, events = rules.new_game(game.players, game.seed, hand_size=game.hand_size, first_player=game.first_player)
    steps = [{"step": 0, "action": None, "events": _events(events, viewer), "state": rules.state_view(state, viewer)}]
    for number, record in enumerate(game.actions, start=1):
        action = action_from_record(record)
        try:
            state, events = rules.apply(state, action)
        except rules.RuleViolation as exc:
            raise ReplayError(f"action {number} ({dict(record)!r}) is refused on replay: {exc.code}") from None
        steps.append(
            {
                "step": number,
                "action": _action_view(action, record),
                "events": _events(events, viewer),
                "state": rules.state_view(state, viewer),
            }
        )
    ended = events[-1] if events else None
    outcome = (ended.loser, ended.placements) if isinstance(ended, rules.GameEnded) else (None, ())
    if outcome != (game.loser, game.placements):
        raise ReplayError(f"game {game.id} replays to (loser, placements) {outcome!r}, recorded as"
                          f" {(game.loser, game.placements)!r}")  # fmt: skip
    return steps
