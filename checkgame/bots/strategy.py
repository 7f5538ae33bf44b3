"""A sensible computer player that needs only what a player may see.

It never breaks a rule: it picks among :func:`checkgame.rules.playable_cards`
(or draws). Preferences, strongest first:

- under attack, counter with a 7 before a Joker (the Joker is the stronger
  threat to keep), otherwise draw;
- outside an attack, shed plain cards and Aces first, from the suit it holds
  most of; then 2s; then a Jack naming the suit it holds most of; 7s and Jokers
  are kept to counter attacks and played only when nothing else fits;
- after a Jack played without a suit, name the suit it holds most of.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from checkgame.rules import Card, Rank, Suit, favourite_suit, playable_cards

__all__ = ["Choice", "choose", "favourite_suit"]  # favourite_suit is the rule the turn timer uses too

_SPECIAL_ORDER = {Rank.TWO: 1, Rank.JACK: 2, Rank.SEVEN: 3, Rank.JOKER: 4}


@dataclass(frozen=True, slots=True)
class Choice:
    """What the computer player decided: play ``card`` (naming ``suit`` for a Jack), or draw."""

    card: Card | None
    suit: Suit | None = None

    @property
    def is_draw(self) -> bool:
        """True when the choice is to draw."""
        return self.card is None


def choose(
    hand: Sequence[Card],
    top: Card,
    demanded: Suit | None,
    penalty: int,
    rng: random.Random | None = None,
) -> Choice:
    """Choose a move for a player holding ``hand`` whose turn it is.

    Args:
        hand: the player's cards.
        top: the top card of the discard pile.
        demanded: the suit demanded by a Jack on top, if any.
        penalty: the pending penalty.
        rng: breaks ties between equally good cards; without it the first wins.
    """
    options = playable_cards(hand, top, demanded, penalty)
    if not options:
        return Choice(None)
    if penalty > 0:
        return Choice(min(options, key=lambda c: c.rank is Rank.JOKER))
    counts = Counter(card.suit for card in hand)

    def preference(card: Card) -> tuple[int, int]:
        return _SPECIAL_ORDER.get(card.rank, 0), -counts[card.suit]

    best = min(preference(card) for card in options)
    candidates = [card for card in options if preference(card) == best]
    card = rng.choice(candidates) if rng is not None else candidates[0]
    if card.rank is Rank.JACK:
        rest = list(hand)
        rest.remove(card)
        return Choice(card, favourite_suit(rest))
    return Choice(card)
