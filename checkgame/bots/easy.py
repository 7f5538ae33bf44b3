"""``easy``: a computer player that plays like a beginner — legal, natural, and weak.

It plays any card that fits, picked at random, and draws only when nothing
fits (as a beginner does: it never holds back a card on purpose). It spends
its 7s and Jokers as readily as plain cards, and names a suit it holds (any
of them, not the best one) with a Jack.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from checkgame.bots.levels import Level, Seen
from checkgame.bots.strategy import Choice
from checkgame.rules import Rank, Suit, playable_cards

__all__ = ["EasyStrategy"]


@dataclass(frozen=True, slots=True)
class EasyStrategy:
    """A uniformly random legal card; a draw when there is none."""

    @property
    def level(self) -> Level:
        return Level.EASY

    def choose(self, seen: Seen, rng: random.Random) -> Choice:
        options = playable_cards(seen.hand, seen.top, seen.demanded, seen.penalty)
        if not options:
            return Choice(None)
        card = rng.choice(options)
        if card.rank is not Rank.JACK:
            return Choice(card)
        held = sorted({c.suit for c in seen.hand if c is not card and c.suit is not None}, key=list(Suit).index)
        return Choice(card, rng.choice(held or list(Suit)))
