"""Lossless conversion of a :class:`GameState` to a JSON-compatible dict and back.

The dict format (``"format": 1``) can describe any position, so tests and
tools can set one up directly::

    {
      "format": 1,
      "players": ["ann", "bob"],             # seat order
      "hands": {"ann": ["7H", "JOKER_RED"], "bob": ["2C"]},
      "draw_pile": ["5S", "KD"],             # top card first
      "discard_pile": ["9H", "9C"],          # bottom first, top card last
      "current_player": "ann",               # null once the game is over
      "pending_penalty": 0,
      "demanded_suit": null,                 # or "hearts", ...
      "awaiting_suit": false,
      "finished": [],                        # finishing order
      "loser": null,
      "seed": 1,
      "reshuffles": 0
    }

A position need not hold all 54 cards (a test of an exhausted deck may leave
some out), but no card may appear twice.
"""

from __future__ import annotations

from typing import Any

from checkgame.rules.cards import Card, Rank, Suit, parse_card
from checkgame.rules.engine import MAX_PLAYERS, MIN_PLAYERS
from checkgame.rules.errors import PositionError
from checkgame.rules.state import GameState

__all__ = ["FORMAT", "from_dict", "to_dict"]

FORMAT = 1


def to_dict(state: GameState) -> dict[str, Any]:
    """The documented dict form of ``state`` (plain lists, strings, ints, bools, None)."""
    return {
        "format": FORMAT,
        "players": list(state.players),
        "hands": {p: [c.code for c in hand] for p, hand in zip(state.players, state.hands, strict=True)},
        "draw_pile": [c.code for c in state.draw_pile],
        "discard_pile": [c.code for c in state.discard_pile],
        "current_player": state.current_player,
        "pending_penalty": state.penalty,
        "demanded_suit": None if state.demanded_suit is None else state.demanded_suit.value,
        "awaiting_suit": state.awaiting_suit,
        "finished": list(state.finished),
        "loser": state.loser,
        "seed": state.seed,
        "reshuffles": state.reshuffles,
    }


def from_dict(data: dict[str, Any]) -> GameState:
    """Rebuild a state from :func:`to_dict`'s format, checking it is a coherent position.

    Raises:
        PositionError: a field is missing, malformed, or contradicts another.
    """
    try:
        return _from_dict(data)
    except PositionError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise PositionError(f"malformed position: {exc!r}") from exc


def _cards(codes: list[str]) -> tuple[Card, ...]:
    if not isinstance(codes, list):
        raise PositionError(f"expected a list of cards, got {codes!r}")
    return tuple(parse_card(code) for code in codes)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PositionError(message)


def _from_dict(data: dict[str, Any]) -> GameState:
    _require(data.get("format") == FORMAT, f"unknown position format {data.get('format')!r}")
    players = tuple(data["players"])
    _require(all(isinstance(p, str) and p for p in players), "player ids are non-empty strings")
    _require(MIN_PLAYERS <= len(players) <= MAX_PLAYERS, f"a game seats {MIN_PLAYERS} to {MAX_PLAYERS} players")
    _require(len(set(players)) == len(players), "a player appears twice")
    _require(set(data["hands"]) == set(players), "hands must be given for exactly the seated players")
    hands = tuple(_cards(data["hands"][p]) for p in players)
    draw_pile, discard_pile = _cards(data["draw_pile"]), _cards(data["discard_pile"])
    everything = [c for hand in hands for c in hand] + list(draw_pile) + list(discard_pile)
    _require(len(set(everything)) == len(everything), "a card appears twice")
    _require(len(discard_pile) >= 1, "the discard pile holds at least the top card")

    finished = tuple(data["finished"])
    _require(len(set(finished)) == len(finished) and set(finished) <= set(players), "bad finishing order")
    _require(all(not hands[players.index(p)] for p in finished), "a finished player holds cards")
    loser, current_player = data["loser"], data["current_player"]
    penalty, awaiting = data["pending_penalty"], data["awaiting_suit"]
    _require(isinstance(penalty, int) and not isinstance(penalty, bool) and penalty >= 0, "bad pending penalty")
    _require(isinstance(awaiting, bool), "awaiting_suit is a boolean")
    active = [p for p in players if p not in finished]
    if loser is None:
        _require(len(active) >= 2, "a running game has at least two active players")
        _require(current_player in players, "a running game has a current player")
        just_finished = finished[-1] if finished else None
        _require(
            current_player in active or (awaiting and current_player == just_finished),
            "only the player who just finished with a Jack may act after finishing",
        )
        current: int | None = players.index(current_player)
    else:
        # After a Leave (§14) the others never finished, so the loser need not be the only active player.
        _require(loser in active, "the loser is a seated player who did not finish")
        _require(current_player is None and not awaiting and penalty == 0, "nothing is pending once a game is over")
        current = None
    demanded = None if data["demanded_suit"] is None else Suit(data["demanded_suit"])
    top = discard_pile[-1]
    _require(demanded is None or top.rank is Rank.JACK, "a suit is demanded only while a Jack is on top")
    _require(penalty == 0 or top.is_attack, "a penalty is pending only while a 7 or a Joker is on top")
    _require(not awaiting or (top.rank is Rank.JACK and demanded is None), "a suit is awaited only for a Jack")
    seed, reshuffles = data["seed"], data["reshuffles"]
    _require(isinstance(seed, int) and isinstance(reshuffles, int) and reshuffles >= 0, "bad seed or reshuffles")
    return GameState(
        players=players,
        hands=hands,
        draw_pile=draw_pile,
        discard_pile=discard_pile,
        current=current,
        penalty=penalty,
        demanded_suit=demanded,
        awaiting_suit=awaiting,
        finished=finished,
        loser=loser,
        seed=seed,
        reshuffles=reshuffles,
    )
