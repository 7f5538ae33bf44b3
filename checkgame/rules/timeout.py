"""What the server does for a player whose turn timer ran out: a rule, so every node and replay agrees.

The server plays the least it can for the absent player: it draws (the
pending penalty, under attack), or, after a Jack played without a suit, names
the suit the hand holds most of (:func:`favourite_suit`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from checkgame.rules.actions import Action, ChooseSuit, Draw
from checkgame.rules.cards import Card, Rank, Suit
from checkgame.rules.state import GameState

__all__ = ["favourite_suit", "timeout_action"]


def favourite_suit(hand: Sequence[Card]) -> Suit:
    """The suit ``hand`` holds most of, Jacks not counted (ties go to the first suit in ``Suit`` order)."""
    counts = Counter(card.suit for card in hand if card.suit is not None and card.rank is not Rank.JACK)
    return max(Suit, key=lambda suit: (counts[suit], -list(Suit).index(suit)))


def timeout_action(state: GameState) -> Action:
    """The move made for the player to move when their time is up.

    Raises:
        ValueError: the game is over (nobody is to move).
    """
    if state.current is None:
        raise ValueError("the game is over: nobody is to move")
    player = state.players[state.current]
    if state.awaiting_suit:
        return ChooseSuit(player, favourite_suit(state.hands[state.current]))
    return Draw(player)
