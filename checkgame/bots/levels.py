"""Skill levels of the computer player, and what a level may know when it moves.

Every level decides from a :class:`Seen`: exactly what one player may know
(RULES.md §16) — its own hand, the public position, the cards played onto the
discard pile since the last reshuffle, and how many cards everybody holds.
The same value is built from a full :class:`~checkgame.rules.GameState` by
:func:`observe` (offline simulation) and from the server's frames by
:class:`~checkgame.bots.table.Table` (network play), so a level plays the same
way in both and can never peek at a hidden card.

Levels:

- ``easy`` (:mod:`checkgame.bots.easy`): a random legal card, drawing only when
  nothing fits;
- ``normal``: the rules of thumb of :mod:`checkgame.bots.strategy`;
- ``hard`` (:mod:`checkgame.bots.search`): determinized Monte Carlo search with
  ``normal`` playouts.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from checkgame.bots.strategy import Choice, choose
from checkgame.rules import DECK, Card, CardPlayed, CardsDrawn, Event, GameState, Rank, Suit, playable_cards

__all__ = ["LEVELS", "Inference", "Level", "NormalStrategy", "Seen", "Strategy", "observe", "parse_level"]


class Level(StrEnum):
    """How well a computer player plays; the value is the name used on the command line and in the API."""

    EASY = "easy"
    NORMAL = "normal"
    HARD = "hard"


LEVELS: tuple[str, ...] = tuple(level.value for level in Level)
"""The level names, weakest first."""


def parse_level(text: object) -> Level:
    """The level named ``text`` (case-insensitive).

    Raises:
        ValueError: no level has that name; the message lists the ones that do.
    """
    try:
        return Level(str(text).strip().lower())
    except ValueError:
        raise ValueError(f"unknown computer player level {text!r}; use {', '.join(LEVELS)}") from None


@dataclass(frozen=True, slots=True)
class Seen:
    """What the player ``me`` may know when it is their move.

    Only ``hand``, ``top``, ``demanded`` and ``penalty`` are needed to play a
    legal card; the rest lets a searching level rebuild positions consistent
    with what it saw. A field left at its default means "not known", and a
    level must then fall back to what it can do without it.
    """

    me: str
    hand: tuple[Card, ...]
    top: Card
    demanded: Suit | None
    penalty: int
    players: tuple[str, ...] = ()
    """Seat order of this game (empty when unknown)."""
    hand_sizes: tuple[int, ...] = ()
    """Cards held by each seat of ``players``, in the same order."""
    finished: tuple[str, ...] = ()
    """Players who emptied their hand this game, in finishing order."""
    discard: tuple[Card, ...] = ()
    """The top of the discard pile as far as it was watched, bottom first and ``top`` last: every card played
    since the last reshuffle (or since the game started). Cards under these are unknown."""
    draw_pile_size: int | None = None
    ruled_out: tuple[frozenset[Card], ...] = ()
    """Per seat of ``players``: cards that player is believed not to hold among the cards they held at their last
    draw (see :class:`Inference`); empty when nothing was inferred."""
    drawn_since: tuple[int, ...] = ()
    """Per seat: cards drawn at or after that draw, to which ``ruled_out`` does not apply."""


_KEEP_ORDER = {Rank.TWO: 1, Rank.JACK: 2, Rank.SEVEN: 3, Rank.JOKER: 4}
"""How long a sensible player holds a card back: plain cards and Aces go first, Jokers last (as ``normal`` does)."""


@dataclass
class Inference:
    """What the others' moves tell about their hands, assuming they play sensibly.

    A sensible player (``normal``, and most people) plays whenever a card fits,
    sheds plain cards and Aces before 2s, 2s before Jacks, Jacks before 7s and
    7s before Jokers, and counters an attack with a 7 before a Joker. So:

    - a player who draws holds no card that fits (on a penalty draw: no 7 and
      no Joker);
    - a player who plays a card holds no fitting card that sensible play sheds
      earlier (a 2 played means no fitting plain card or Ace).

    Such a rule covers the cards held at that moment, not the ones drawn since,
    which are counted apart (``drawn_since``). A new rule that covers every
    card held is merged with the old one; when cards drawn since are still
    unaccounted for, only the newest rule is kept. If a player does not play
    this way, the beliefs may contradict what is possible; the search then
    trusts the card counts over them (:func:`checkgame.bots.search.determinize`).
    """

    ruled_out: dict[str, frozenset[Card]] = field(default_factory=dict)
    drawn_since: dict[str, int] = field(default_factory=dict)

    def reset(self) -> None:
        """A new game: nothing is known."""
        self.ruled_out.clear()
        self.drawn_since.clear()

    def drew(self, player: str, count: int, top: Card, demanded: Suit | None, penalty: int) -> None:
        """``player`` drew ``count`` cards, facing ``top``, ``demanded`` and ``penalty`` (before the draw)."""
        self._rule(player, frozenset(playable_cards(DECK, top, demanded, penalty)))
        self.drawn_since[player] = count

    def drew_for_them(self, player: str, count: int) -> None:
        """The turn timer drew ``count`` cards for ``player``: no choice of theirs, so nothing to infer."""
        self.drawn_since[player] = self.drawn_since.get(player, 0) + count

    def played(self, player: str, card: Card, top: Card, demanded: Suit | None, penalty: int) -> None:
        """``player`` played ``card`` on ``top`` (with ``demanded`` and ``penalty`` as they were before)."""
        if card in self.ruled_out.get(player, frozenset()) and self.drawn_since.get(player, 0) > 0:
            self.drawn_since[player] -= 1  # it broke the rule, so it is one of the cards drawn since
        rank = _KEEP_ORDER.get(card.rank, 0)
        shed_earlier = frozenset(
            other for other in playable_cards(DECK, top, demanded, penalty) if _KEEP_ORDER.get(other.rank, 0) < rank
        )
        if shed_earlier:
            self._rule(player, shed_earlier)
            self.drawn_since[player] = 0

    def watch(self, before: GameState, events: Iterable[Event]) -> None:
        """Take in the public events of one action applied to ``before`` (offline play: the engine's events)."""
        for event in events:
            if isinstance(event, CardPlayed):
                self.played(event.player, event.card, before.top_card, before.demanded_suit, before.penalty)
            elif isinstance(event, CardsDrawn):
                self.drew(event.player, len(event.cards), before.top_card, before.demanded_suit, before.penalty)

    def _rule(self, player: str, absent: frozenset[Card]) -> None:
        """``player`` holds none of ``absent`` now."""
        earlier = frozenset() if self.drawn_since.get(player) else self.ruled_out.get(player, frozenset())
        self.ruled_out[player] = earlier | absent

    def for_seats(self, players: tuple[str, ...]) -> tuple[tuple[frozenset[Card], ...], tuple[int, ...]]:
        """``ruled_out`` and ``drawn_since`` in seat order, for a :class:`Seen`."""
        return (
            tuple(self.ruled_out.get(p, frozenset()) for p in players),
            tuple(self.drawn_since.get(p, 0) for p in players),
        )


class Strategy(Protocol):
    """A level: picks a move from what the player sees, with ``rng`` as its only source of chance."""

    @property
    def level(self) -> Level: ...

    def choose(self, seen: Seen, rng: random.Random) -> Choice:
        """The move for ``seen.me``, whose turn it is (never an illegal one)."""
        ...


@dataclass(frozen=True, slots=True)
class NormalStrategy:
    """``normal``: today's rules of thumb (:func:`checkgame.bots.strategy.choose`)."""

    @property
    def level(self) -> Level:
        return Level.NORMAL

    def choose(self, seen: Seen, rng: random.Random) -> Choice:
        return choose(seen.hand, seen.top, seen.demanded, seen.penalty, rng)


def observe(state: GameState, player: str, *, watched_since: int = 0, inference: Inference | None = None) -> Seen:
    """What ``player`` knows of ``state``, as a player who watched the whole game does.

    Args:
        state: a running game.
        player: a seated player.
        watched_since: how many cards at the bottom of the discard pile were
            not watched being played (0: all of them; an observer who joined
            late knows only the cards played since).
        inference: what ``player`` inferred from the others' draws so far.
    """
    seat = state.players.index(player)
    ruled_out, drawn_since = inference.for_seats(state.players) if inference is not None else ((), ())
    return Seen(
        me=player,
        hand=state.hands[seat],
        top=state.top_card,
        demanded=state.demanded_suit,
        penalty=state.penalty,
        players=state.players,
        hand_sizes=tuple(len(hand) for hand in state.hands),
        finished=state.finished,
        discard=state.discard_pile[min(watched_since, len(state.discard_pile) - 1) :],
        draw_pile_size=len(state.draw_pile),
        ruled_out=ruled_out,
        drawn_since=drawn_since,
    )
