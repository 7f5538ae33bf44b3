"""``hard``: a computer player that searches, by determinized Monte Carlo.

Theory of operation
-------------------
Check hides the other hands and the draw pile, so the bot cannot search the
real game tree. Instead it samples *determinizations*: complete positions
consistent with everything it has seen (its own hand, the discard pile since
the last reshuffle, how many cards each player holds, the draw pile's size),
with the unseen cards shuffled into the other hands and the piles. From each
one it tries every candidate move (each playable card, each suit for a Jack,
and drawing), then plays the game out to its end with the ``normal`` policy
for everybody, through the pure rules engine (:func:`checkgame.rules.apply`).
A playout scores 1 when the bot is not the game's loser (the only thing that
matters in a Check tournament: the loser is eliminated) and 0 when it is.
The move with the best average wins; ties go to the move ``normal`` would make.

Every candidate is tried on the same determinizations with the same playout
randomness (common random numbers), so the comparison between moves is not
drowned in the luck of the deal.

The budget per move is a number of playouts (``playouts``, split evenly over
the candidates) and, optionally, a wall-clock limit (``time_budget_s``) that
stops sampling early; a move with nothing to choose (a single legal move)
costs nothing. All chance comes from the ``rng`` passed in, so with the time
limit off the bot is deterministic given its seed — tests measure the budget
in playouts, never in seconds.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from checkgame import rules
from checkgame.bots.levels import Level, Seen
from checkgame.bots.strategy import Choice, choose
from checkgame.rules import DECK, Card, GameState, Rank, Suit, is_playable, playable_cards

__all__ = ["DEFAULT_PLAYOUTS", "DEFAULT_TIME_BUDGET_S", "MAX_PLAYOUT_ACTIONS", "SearchStrategy", "determinize"]

DEFAULT_PLAYOUTS = 400
"""Playouts per move by default: a clear edge over ``normal`` (docs/engine.md) for a few tenths of a second."""
DEFAULT_TIME_BUDGET_S = 0.5
"""Wall-clock limit per move by default, far under the turn timer (RULES.md leaves a player 30 s and more)."""
MAX_PLAYOUT_ACTIONS = 2_000
"""A playout still running after this many actions counts as a draw (half a point); real games are far shorter."""
SWITCH_Z = 1.0
"""How many standard errors a move must gain over ``normal``'s choice before the search plays it instead."""


def determinize(seen: Seen, rng: random.Random) -> GameState | None:
    """A complete position consistent with ``seen``, the unseen cards dealt at random; ``None`` if ``seen`` is
    too incomplete (no seat order) or contradictory (more hidden cards held than cards unseen)."""
    if seen.me not in seen.players or len(seen.hand_sizes) != len(seen.players):
        return None
    watched = seen.discard if seen.discard and seen.discard[-1] == seen.top else (seen.top,)
    known = set(seen.hand) | set(watched)
    unseen = [card for card in DECK if card not in known]
    rng.shuffle(unseen)
    me = seen.players.index(seen.me)
    hands: list[tuple[Card, ...]] = [()] * len(seen.players)
    hands[me] = seen.hand
    others = [seat for seat in range(len(seen.players)) if seat != me]
    if sum(seen.hand_sizes[seat] for seat in others) > len(unseen):
        return None
    # Deal the cards a player's draws constrain first, most constrained player first, each from the unseen
    # cards that player is not believed to lack; then the unconstrained ones from whatever is left.
    ruled_out = seen.ruled_out or (frozenset(),) * len(seen.players)
    drawn_since = seen.drawn_since or (0,) * len(seen.players)
    constrained = {seat: max(0, seen.hand_sizes[seat] - drawn_since[seat]) for seat in others}
    for seat in sorted(others, key=lambda seat: -len(ruled_out[seat])):
        excluded = ruled_out[seat]
        allowed = [card for card in unseen if card not in excluded][: constrained[seat]]
        if len(allowed) < constrained[seat]:  # the belief contradicts the counts: trust the counts
            allowed = unseen[: constrained[seat]]
        hands[seat] = tuple(allowed)
        dealt = set(allowed)
        unseen = [card for card in unseen if card not in dealt]
    for seat in others:
        free = seen.hand_sizes[seat] - constrained[seat]
        hands[seat] += tuple(unseen[:free])
        unseen = unseen[free:]
    rest = unseen
    in_pile = len(rest) if seen.draw_pile_size is None else min(seen.draw_pile_size, len(rest))
    return GameState(
        players=seen.players,
        hands=tuple(hands),
        draw_pile=tuple(rest[:in_pile]),
        discard_pile=(*rest[in_pile:], *watched),  # cards played before the bot watched lie under the ones it saw
        current=me,
        penalty=seen.penalty,
        demanded_suit=seen.demanded,
        awaiting_suit=False,
        finished=seen.finished,
        loser=None,
        seed=rng.getrandbits(63),
    )


def _candidates(seen: Seen, preferred: Choice) -> list[Choice]:
    """The moves worth comparing, ``preferred`` first: each playable card, a Jack naming each suit it could follow
    with (or every suit when it is the last card), and drawing instead of countering an attack."""
    moves = [preferred]
    jack_tried = False
    for card in playable_cards(seen.hand, seen.top, seen.demanded, seen.penalty):
        if card.rank is Rank.JACK:
            if jack_tried:  # which Jack hardly matters: the named suit decides what may follow
                continue
            jack_tried = True
            held = {c.suit for c in seen.hand if c is not card and c.suit is not None}
            moves.extend(Choice(card, suit) for suit in Suit if suit in held or not held)
        else:
            moves.append(Choice(card))
    if seen.penalty > 0:
        moves.append(Choice(None))  # taking the penalty now may beat spending the last 7
    distinct: list[Choice] = []
    for move in moves:
        if move not in distinct:
            distinct.append(move)
    return distinct


def _action(player: str, move: Choice) -> rules.Action:
    if move.card is None:
        return rules.Draw(player)
    return rules.Play(player, move.card, move.suit)


_SHED_ORDER = {card: {Rank.TWO: 1, Rank.JACK: 2, Rank.SEVEN: 3, Rank.JOKER: 4}.get(card.rank, 0) for card in DECK}
_SUITS = tuple(Suit)


def normal_move(hand: tuple[Card, ...], top: Card, demanded: Suit | None, penalty: int) -> Choice:
    """``normal``'s move with ties to the first card (:func:`checkgame.bots.strategy.choose` without ``rng``),
    computed in one pass: the playouts spend half their time choosing moves, and this is about three times
    quicker. A test holds it equal to ``choose`` on many positions."""
    if penalty > 0:
        counter = None
        for card in hand:
            if card.is_attack:
                if card.rank is Rank.SEVEN:
                    return Choice(card)
                counter = counter or card
        return Choice(counter)
    counts: dict[Suit | None, int] = {}
    for card in hand:
        counts[card.suit] = counts.get(card.suit, 0) + 1
    best: Card | None = None
    best_key = (9, 0)
    for card in hand:
        if is_playable(card, top, demanded):
            key = (_SHED_ORDER[card], -counts[card.suit])
            if key < best_key:
                best, best_key = card, key
    if best is None or best.rank is not Rank.JACK:
        return Choice(best)
    kept: dict[Suit, int] = dict.fromkeys(_SUITS, 0)
    skipped = False
    for card in hand:
        if card is best and not skipped:
            skipped = True
        elif card.suit is not None and card.rank is not Rank.JACK:
            kept[card.suit] += 1
    return Choice(best, max(_SUITS, key=lambda suit: kept[suit]))


def playout(state: GameState, me: str) -> float:
    """Play ``state`` to its end with the ``normal`` policy for every seat; 1.0 when ``me`` is not the loser.

    Ties between equally good cards go to the first (no randomness): the
    determinization already supplies the chance, and the playout stays cheap.
    """
    for _ in range(MAX_PLAYOUT_ACTIONS):
        current = state.current
        if current is None:
            return 0.0 if state.loser == me else 1.0
        move = normal_move(state.hands[current], state.top_card, state.demanded_suit, state.penalty)
        state, _ = rules.apply(state, _action(state.players[current], move))
    return 0.5


@dataclass(frozen=True, slots=True)
class SearchStrategy:
    """``hard``: determinized Monte Carlo over the hidden cards, ``normal`` playouts, a budget per move."""

    playouts: int = DEFAULT_PLAYOUTS
    """Playouts per move at most, split evenly over the candidate moves (at least one each)."""
    time_budget_s: float | None = DEFAULT_TIME_BUDGET_S
    """Stop sampling once this much time has passed (``None``: no limit, fully deterministic)."""
    clock: Callable[[], float] = field(default=time.perf_counter, compare=False)

    def __post_init__(self) -> None:
        if self.playouts < 1:
            raise ValueError(f"a search needs at least one playout per move, not {self.playouts}")
        if self.time_budget_s is not None and self.time_budget_s <= 0:
            raise ValueError(f"the time budget per move must be positive, not {self.time_budget_s}")

    @property
    def level(self) -> Level:
        return Level.HARD

    def choose(self, seen: Seen, rng: random.Random) -> Choice:
        preferred = choose(seen.hand, seen.top, seen.demanded, seen.penalty, rng)
        if preferred.is_draw:
            return preferred  # nothing fits: drawing is the only legal move
        moves = _candidates(seen, preferred)
        if len(moves) == 1:
            return preferred
        deadline = None if self.time_budget_s is None else self.clock() + self.time_budget_s
        rounds = max(1, self.playouts // len(moves))
        results: list[list[float]] = [[] for _ in moves]
        for done in range(rounds):
            if done and deadline is not None and self.clock() >= deadline:
                break
            position = determinize(seen, rng)
            if position is None:
                return preferred  # too little known to search: play as normal does
            for move, scores in zip(moves, results, strict=True):
                after, _ = rules.apply(position, _action(seen.me, move))
                scores.append(playout(after, seen.me))
        return moves[_pick(results)]


def _pick(results: list[list[float]]) -> int:
    """The index of the move to play: the best average, if it beats move 0 (``normal``'s) by more than noise.

    Every move was tried on the same determinizations, so each is compared with
    move 0 position by position (a paired comparison): the best move replaces
    ``normal``'s only when its mean gain exceeds ``SWITCH_Z`` standard errors.
    With few playouts this keeps the search from trading a sound move for a
    lucky one.
    """
    baseline = results[0]
    best = max(range(len(results)), key=lambda index: (sum(results[index]), -index))
    if best == 0:
        return 0
    gains = [mine - theirs for mine, theirs in zip(results[best], baseline, strict=True)]
    count = len(gains)
    mean = sum(gains) / count
    variance = sum((gain - mean) ** 2 for gain in gains) / max(count - 1, 1)
    return best if mean > SWITCH_Z * math.sqrt(variance / count) else 0
