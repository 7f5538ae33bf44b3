"""The complete position of one game of Check, as an immutable value."""

from __future__ import annotations

from dataclasses import dataclass

from checkgame.rules.cards import Card, Suit

__all__ = ["GameState"]


@dataclass(frozen=True, slots=True)
class GameState:
    """Everything that decides what happens next in a game.

    Seats are indexes into ``players`` (seat order, play goes to increasing
    seats). The value is never mutated: the engine returns a new one, so a
    refused action cannot have changed anything.
    """

    players: tuple[str, ...]
    """Player ids in seat order."""
    hands: tuple[tuple[Card, ...], ...]
    """Each seat's hand, in the order the cards were received."""
    draw_pile: tuple[Card, ...]
    """Top card first."""
    discard_pile: tuple[Card, ...]
    """Bottom card first; ``discard_pile[-1]`` is the top card T."""
    current: int | None
    """Seat to act (the chooser while ``awaiting_suit``); ``None`` once the game is over."""
    penalty: int
    """Pending penalty P; above 0 an attack chain is running."""
    demanded_suit: Suit | None
    """Suit D named with the Jack on top, if any."""
    awaiting_suit: bool
    """A Jack was played without a suit; only its player's ``choose_suit`` is accepted."""
    finished: tuple[str, ...]
    """Players who emptied their hand, in finishing order."""
    loser: str | None
    """Set when the game is over."""
    seed: int
    """Per-game seed; every shuffle of the game derives from it."""
    reshuffles: int = 0
    """How many times the discard pile was turned into a new draw pile."""

    @property
    def is_over(self) -> bool:
        """True once a loser is known (RULES.md §13)."""
        return self.loser is not None

    @property
    def top_card(self) -> Card:
        """The top card of the discard pile."""
        return self.discard_pile[-1]

    @property
    def current_player(self) -> str | None:
        """The id of the player to act, or ``None`` once the game is over."""
        return None if self.current is None else self.players[self.current]

    @property
    def active_players(self) -> tuple[str, ...]:
        """Players still holding cards in a running game, in seat order."""
        if self.loser is not None:
            return ()
        return tuple(p for p in self.players if p not in self.finished)

    def hand_of(self, player: str) -> tuple[Card, ...]:
        """The hand of ``player``.

        Raises:
            ValueError: ``player`` is not seated in this game.
        """
        return self.hands[self.players.index(player)]
