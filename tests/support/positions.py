"""Build game positions directly with :func:`checkgame.rules.from_dict`, and small action helpers.

Cards are written as short codes (``"7H"``, ``"10S"``, ``"JOKER_RED"``); a list of cards may be
given as one space-separated string (``"7H 2C JD"``)::

    state = position({"ann": "7H 5C", "bob": "2C", "cid": "KD"}, top="7C", penalty=2)
    state, events = play(state, "ann", "7H")
    assert refuse(state, rules.Draw("bob")) is rules.ErrorCode.NOT_YOUR_TURN
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import pytest

from checkgame import rules
from checkgame.rules import Card, ErrorCode, Event, GameState, RuleViolation

Cards = str | Sequence[str]
"""Card codes: a space-separated string or a sequence of codes."""

E = TypeVar("E")

ALL_CODES: tuple[str, ...] = tuple(card.code for card in rules.DECK)


def codes(spec: Cards) -> list[str]:
    """The card codes of ``spec``, upper-cased and in order."""
    items = spec.split() if isinstance(spec, str) else list(spec)
    return [rules.parse_card(item).code for item in items]


def card(code: str) -> Card:
    """The card written ``code``."""
    return rules.parse_card(code)


def position_dict(
    hands: Mapping[str, Cards],
    top: Cards,
    *,
    current: str | None = None,
    draw: Cards | None = None,
    penalty: int = 0,
    demanded: str | None = None,
    awaiting: bool = False,
    finished: Sequence[str] = (),
    loser: str | None = None,
    seed: int = 0,
    reshuffles: int = 0,
) -> dict[str, Any]:
    """The ``from_dict`` form of a position.

    Args:
        hands: each player's hand, in seat order.
        top: the discard pile, bottom first; a single code is just the top card.
        current: the player to act; by default the first active player (``None`` once ``loser`` is set).
        draw: the draw pile, top first; by default every card not used elsewhere, in deck order,
            so the position holds all 54 cards.
    """
    hand_codes = {player: codes(spec) for player, spec in hands.items()}
    discard = codes(top)
    if draw is None:
        used = {code for hand in hand_codes.values() for code in hand} | set(discard)
        draw_codes = [code for code in ALL_CODES if code not in used]
    else:
        draw_codes = codes(draw)
    if current is None and loser is None:
        current = next(player for player in hand_codes if player not in finished)
    return {
        "format": 1,
        "players": list(hand_codes),
        "hands": hand_codes,
        "draw_pile": draw_codes,
        "discard_pile": discard,
        "current_player": current,
        "pending_penalty": penalty,
        "demanded_suit": demanded,
        "awaiting_suit": awaiting,
        "finished": list(finished),
        "loser": loser,
        "seed": seed,
        "reshuffles": reshuffles,
    }


def position(
    hands: Mapping[str, Cards],
    top: Cards,
    *,
    current: str | None = None,
    draw: Cards | None = None,
    penalty: int = 0,
    demanded: str | None = None,
    awaiting: bool = False,
    finished: Sequence[str] = (),
    loser: str | None = None,
    seed: int = 0,
    reshuffles: int = 0,
) -> GameState:
    """The state described by :func:`position_dict`'s arguments."""
    return rules.from_dict(
        position_dict(
            hands,
            top,
            current=current,
            draw=draw,
            penalty=penalty,
            demanded=demanded,
            awaiting=awaiting,
            finished=finished,
            loser=loser,
            seed=seed,
            reshuffles=reshuffles,
        )
    )


def hand(state: GameState, player: str) -> list[str]:
    """``player``'s hand as codes, in hand order."""
    return [c.code for c in state.hand_of(player)]


def all_cards(state: GameState) -> Counter[Card]:
    """Every card of the position, counted: hands, draw pile and discard pile."""
    counted: Counter[Card] = Counter(state.draw_pile)
    counted.update(state.discard_pile)
    for cards in state.hands:
        counted.update(cards)
    return counted


def play(state: GameState, player: str, code: str, suit: str | None = None) -> tuple[GameState, list[Event]]:
    """``player`` plays the card ``code`` (naming ``suit`` for a Jack)."""
    return rules.apply(state, rules.Play(player, card(code), suit))


def draw(state: GameState, player: str) -> tuple[GameState, list[Event]]:
    """``player`` draws."""
    return rules.apply(state, rules.Draw(player))


def choose(state: GameState, player: str, suit: str) -> tuple[GameState, list[Event]]:
    """``player`` names ``suit`` for the Jack they played."""
    return rules.apply(state, rules.ChooseSuit(player, suit))


def leave(state: GameState, player: str) -> tuple[GameState, list[Event]]:
    """``player`` leaves the game."""
    return rules.apply(state, rules.Leave(player))


def refuse(state: GameState, action: rules.Action) -> ErrorCode:
    """Apply ``action``, which must be refused, and return the code; checks nothing changed."""
    before = rules.to_dict(state)
    with pytest.raises(RuleViolation) as refused:
        rules.apply(state, action)
    assert rules.to_dict(state) == before
    assert isinstance(refused.value.code, ErrorCode)
    return refused.value.code


def event_types(events: Sequence[Event]) -> list[str]:
    """The protocol names of ``events``, in order."""
    return [rules.event_type(event) for event in events]


def only(events: Sequence[Event], kind: type[E]) -> E:
    """The single event of type ``kind`` among ``events``."""
    found: list[E] = [event for event in events if isinstance(event, kind)]
    assert len(found) == 1, f"expected one {kind.__name__} in {events}"
    return found[0]
