"""Cards, suits, colours and the 54-card deck (RULES.md §2).

Every card of a game is one of the 54 interned :class:`Card` values in
:data:`DECK`, so cards compare and hash cheaply and a card parsed from its
short string is the very same object as the one dealt.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import Enum, StrEnum

__all__ = [
    "DECK",
    "Card",
    "Color",
    "Rank",
    "Suit",
    "parse_card",
]


class Suit(StrEnum):
    """The four suits; the value is the wire name."""

    SPADES = "spades"
    HEARTS = "hearts"
    DIAMONDS = "diamonds"
    CLUBS = "clubs"

    @property
    def color(self) -> Color:
        """Hearts and diamonds are red, spades and clubs black."""
        return _SUIT_COLOR[self]

    @property
    def letter(self) -> str:
        """The one-letter code used in short card strings (``S``, ``H``, ``D``, ``C``)."""
        return self.value[0].upper()


class Color(StrEnum):
    """Card colours; a Joker has a colour but no suit."""

    RED = "red"
    BLACK = "black"


_SUIT_COLOR = {
    Suit.SPADES: Color.BLACK,
    Suit.CLUBS: Color.BLACK,
    Suit.HEARTS: Color.RED,
    Suit.DIAMONDS: Color.RED,
}


class Rank(Enum):
    """Ranks; the value is the wire name (``"10"``, ``"J"``, ``"Joker"``)."""

    ACE = "A"
    TWO = "2"
    THREE = "3"
    FOUR = "4"
    FIVE = "5"
    SIX = "6"
    SEVEN = "7"
    EIGHT = "8"
    NINE = "9"
    TEN = "10"
    JACK = "J"
    QUEEN = "Q"
    KING = "K"
    JOKER = "Joker"


#: Penalty added to the pending penalty by an attack card (RULES.md §8).
ATTACK_VALUE = {Rank.SEVEN: 2, Rank.JOKER: 4}


@dataclass(frozen=True, slots=True)
class Card:
    """One card. Suited cards have ``suit`` set; a Joker has only ``color``.

    Build cards with :func:`parse_card` or take them from :data:`DECK`; the
    constructor checks that the combination exists.
    """

    rank: Rank
    suit: Suit | None
    color: Color

    def __post_init__(self) -> None:
        if (self.rank is Rank.JOKER) != (self.suit is None):
            raise ValueError(f"a Joker has no suit and every other card has one: {self.rank} {self.suit}")
        if self.suit is not None and self.suit.color is not self.color:
            raise ValueError(f"{self.suit} cards are {self.suit.color}, not {self.color}")

    @property
    def is_attack(self) -> bool:
        """A 7 or a Joker."""
        return self.rank is Rank.SEVEN or self.rank is Rank.JOKER

    @property
    def code(self) -> str:
        """Short string form: ``7H``, ``10S``, ``JD``, ``JOKER_RED``."""
        if self.suit is None:
            return f"JOKER_{self.color.value.upper()}"
        return f"{self.rank.value}{self.suit.letter}"

    def __str__(self) -> str:
        return self.code

    def __repr__(self) -> str:
        return f"Card({self.code})"


def _build_deck() -> tuple[Card, ...]:
    suited = tuple(Card(rank, suit, suit.color) for suit in Suit for rank in Rank if rank is not Rank.JOKER)
    jokers = (Card(Rank.JOKER, None, Color.RED), Card(Rank.JOKER, None, Color.BLACK))
    return suited + jokers


#: The 54 cards in a fixed reference order (suit by suit, then the red and black Jokers).
DECK: tuple[Card, ...] = _build_deck()

_BY_CODE: dict[str, Card] = {card.code: card for card in DECK}


def parse_card(code: object) -> Card:
    """Return the card written as ``code`` (case-insensitive, e.g. ``"10s"``).

    Raises:
        ValueError: ``code`` names no card.
    """
    card = _BY_CODE.get(code.upper()) if isinstance(code, str) else None
    if card is None:
        raise ValueError(f"not a card: {code!r}")
    return card


def shuffled(cards: tuple[Card, ...], rng: random.Random) -> tuple[Card, ...]:
    """Return ``cards`` in an order drawn from ``rng`` (the only source of randomness)."""
    pile = list(cards)
    rng.shuffle(pile)
    return tuple(pile)
