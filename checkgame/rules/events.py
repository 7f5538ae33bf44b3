"""Facts an action produced, named in the past tense.

Events carry everything every player may learn *and* the private parts
(dealt hands, drawn cards); :mod:`checkgame.rules.view` decides who sees what.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from checkgame.rules.cards import Card, Suit

__all__ = [
    "CardPlayed",
    "CardsDrawn",
    "EndReason",
    "Event",
    "GameEnded",
    "GameStarted",
    "PileReshuffled",
    "PlayerFinished",
    "SuitChosen",
    "TurnChanged",
    "TurnSkipped",
]


@dataclass(frozen=True, slots=True)
class GameStarted:
    """Cards were dealt and the starter turned up. ``hands`` is private per player."""

    players: tuple[str, ...]
    hands: tuple[tuple[Card, ...], ...]
    starter: Card
    first_player: str
    draw_pile_size: int


@dataclass(frozen=True, slots=True)
class CardPlayed:
    """``player`` played ``card``; ``penalty`` is the pending penalty afterwards.

    ``suit`` is set when a Jack carried its suit; ``awaiting_suit`` when a Jack
    came without one and the player must now choose.
    """

    player: str
    card: Card
    suit: Suit | None
    penalty: int
    awaiting_suit: bool


@dataclass(frozen=True, slots=True)
class SuitChosen:
    """The Jack's player named ``suit`` in a separate message."""

    player: str
    suit: Suit


@dataclass(frozen=True, slots=True)
class PileReshuffled:
    """The discard pile (all but its top card) became the new draw pile."""

    size: int


@dataclass(frozen=True, slots=True)
class CardsDrawn:
    """``player`` drew ``cards`` (private to them); ``penalty`` says it was an attack's price."""

    player: str
    cards: tuple[Card, ...]
    penalty: bool


@dataclass(frozen=True, slots=True)
class TurnSkipped:
    """An Ace made ``player`` lose their turn."""

    player: str


@dataclass(frozen=True, slots=True)
class PlayerFinished:
    """``player`` emptied their hand and is safe for this game, at ``place``."""

    player: str
    place: int


@dataclass(frozen=True, slots=True)
class TurnChanged:
    """It is now ``player``'s turn; ``penalty`` and ``demanded_suit`` are what they face."""

    player: str
    penalty: int
    demanded_suit: Suit | None


class EndReason(StrEnum):
    """How a game ended."""

    LAST_PLAYER = "last_player"
    """Everybody else emptied their hand (§13)."""
    LEFT = "left"
    """The loser left or was dropped (§14)."""


@dataclass(frozen=True, slots=True)
class GameEnded:
    """The game is over: ``placements`` runs from first place to ``loser``."""

    loser: str
    placements: tuple[str, ...]
    reason: EndReason


Event = (
    GameStarted
    | CardPlayed
    | SuitChosen
    | PileReshuffled
    | CardsDrawn
    | TurnSkipped
    | PlayerFinished
    | TurnChanged
    | GameEnded
)
