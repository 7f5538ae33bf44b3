"""What each player may see (RULES.md §16), as JSON-compatible dicts.

Everything public goes to everybody; a hand, and the identity of drawn
cards, go only to their owner. ``viewer=None`` is a spectator (or an admin
without the audited reveal): public part only.

Cards are written in the wire form ``{"rank": "7", "suit": "hearts"}`` and
``{"rank": "Joker", "color": "red"}``.
"""

from __future__ import annotations

from typing import Any

from checkgame.rules.cards import DECK, Card, parse_card
from checkgame.rules.events import (
    CardPlayed,
    CardsDrawn,
    Event,
    GameEnded,
    GameStarted,
    PileReshuffled,
    PlayerFinished,
    SuitChosen,
    TurnChanged,
    TurnSkipped,
)
from checkgame.rules.state import GameState

__all__ = ["card_from_wire", "card_to_wire", "event_type", "event_view", "state_view"]


def _wire(card: Card) -> dict[str, str]:
    if card.suit is None:
        return {"rank": card.rank.value, "color": card.color.value}
    return {"rank": card.rank.value, "suit": card.suit.value}


_WIRE = {card: _wire(card) for card in DECK}
_FROM_WIRE = {tuple(sorted(wire.items())): card for card, wire in _WIRE.items()}


def card_to_wire(card: Card) -> dict[str, str]:
    """The wire form of ``card`` (a fresh dict)."""
    return dict(_WIRE[card])


def card_from_wire(value: object) -> Card:
    """Parse a card from its wire form or its short string (``"7H"``).

    Raises:
        ValueError: ``value`` names no card.
    """
    if isinstance(value, str):
        return parse_card(value)
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        card = _FROM_WIRE.get(tuple(sorted(value.items())))
        if card is not None:
            return card
    raise ValueError(f"not a card: {value!r}")


def _cards(cards: tuple[Card, ...]) -> list[dict[str, str]]:
    return [dict(_WIRE[c]) for c in cards]


def state_view(state: GameState, viewer: str | None) -> dict[str, Any]:
    """The position as ``viewer`` may see it: public fields, plus their own hand."""
    finished = state.finished
    view: dict[str, Any] = {
        "players": [
            {
                "id": player,
                "handSize": len(hand),
                "finished": player in finished,
                "active": state.loser is None and player not in finished,
            }
            for player, hand in zip(state.players, state.hands, strict=True)
        ],
        "currentPlayer": state.current_player,
        "topCard": card_to_wire(state.top_card),
        "demandedSuit": None if state.demanded_suit is None else state.demanded_suit.value,
        "pendingPenalty": state.penalty,
        "awaitingSuit": state.awaiting_suit,
        "drawPileSize": len(state.draw_pile),
        "discardPileSize": len(state.discard_pile),
        "finishOrder": list(finished),
        "loser": state.loser,
        "direction": "clockwise",
    }
    if viewer in state.players:
        view["hand"] = _cards(state.hand_of(viewer))
    return view


_TYPES: dict[type, str] = {
    GameStarted: "game_started",
    CardPlayed: "card_played",
    SuitChosen: "suit_chosen",
    PileReshuffled: "pile_reshuffled",
    CardsDrawn: "card_drawn",
    TurnSkipped: "turn_skipped",
    PlayerFinished: "player_finished",
    TurnChanged: "turn_changed",
    GameEnded: "game_finished",
}


def event_type(event: Event) -> str:
    """The protocol message type of ``event`` (``"card_played"``, ...)."""
    return _TYPES[type(event)]


def event_view(event: Event, viewer: str | None) -> dict[str, Any]:
    """The data of ``event`` as ``viewer`` may see it."""
    match event:
        case GameStarted(players, hands, starter, first_player, pile):
            data: dict[str, Any] = {
                "players": list(players),
                "handSizes": {p: len(h) for p, h in zip(players, hands, strict=True)},
                "starterCard": card_to_wire(starter),
                "firstPlayer": first_player,
                "drawPileSize": pile,
            }
            if viewer in players:
                data["hand"] = _cards(hands[players.index(viewer)])
            return data
        case CardPlayed(player, card, suit, penalty, awaiting):
            return {
                "player": player,
                "card": card_to_wire(card),
                "chosenSuit": None if suit is None else suit.value,
                "pendingPenalty": penalty,
                "awaitingSuit": awaiting,
            }
        case SuitChosen(player, suit):
            return {"player": player, "suit": suit.value}
        case PileReshuffled(size):
            return {"drawPileSize": size}
        case CardsDrawn(player, cards, penalty):
            drawn: dict[str, Any] = {"player": player, "count": len(cards), "penalty": penalty}
            if viewer == player:
                drawn["cards"] = _cards(cards)
            return drawn
        case TurnSkipped(player):
            return {"player": player}
        case PlayerFinished(player, place):
            return {"player": player, "place": place}
        case TurnChanged(player, penalty, demanded):
            return {
                "player": player,
                "pendingPenalty": penalty,
                "demandedSuit": None if demanded is None else demanded.value,
            }
        case GameEnded(loser, placements, reason):
            return {"loser": loser, "placements": list(placements), "reason": reason.value}
    raise TypeError(f"not an event: {event!r}")  # pragma: no cover - exhaustive over Event
