"""The rules engine: deal a game, apply actions, list legal actions.

Theory of operation
-------------------
``apply(state, action)`` validates the action completely, in the order of
RULES.md §15, before it builds anything; only then does it compute the new
state. A refused action therefore raises :class:`RuleViolation` and the
caller still holds the unchanged old state (states are immutable anyway).

Turn order (§3, §9, §12) is computed on seats: the next player is the next
*active* seat after the mover's seat, wrapping round. Because a finisher's
seat still exists, "the next active player after the finisher" needs no
special case, and an Ace is just "step two active seats instead of one".

The only randomness is ``random.Random`` seeded from the game's seed: the deal
(and starter redraws) use ``"<seed>/deal"``, the n-th reshuffle of the
discard pile ``"<seed>/reshuffle/<n>"``. A game is therefore replayed exactly
from its seed, its players and its action list.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import replace as _replace

from checkgame.rules.actions import Action, ChooseSuit, Draw, Leave, Play
from checkgame.rules.cards import ATTACK_VALUE, DECK, Card, Rank, Suit, shuffled
from checkgame.rules.errors import ErrorCode, RuleViolation
from checkgame.rules.events import (
    CardPlayed,
    CardsDrawn,
    EndReason,
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

__all__ = [
    "DEFAULT_HAND_SIZE",
    "MAX_PLAYERS",
    "MIN_PLAYERS",
    "apply",
    "deal",
    "deal_size",
    "is_playable",
    "legal_actions",
    "new_game",
    "playable_cards",
]

MIN_PLAYERS = 2
MAX_PLAYERS = 8
DEFAULT_HAND_SIZE = 7
_DEALT_CARDS_CAP = 48
"""Cards that may be dealt in all, so at least 5 stay in the draw pile (§4)."""

_SUITS: dict[str, Suit] = {suit.value: suit for suit in Suit}


def deal_size(players: int, hand_size: int = DEFAULT_HAND_SIZE) -> int:
    """Cards dealt to each player: ``min(H, floor(48 / n))`` (§4)."""
    return min(hand_size, _DEALT_CARDS_CAP // players)


def new_game(
    players: Iterable[str],
    seed: int,
    *,
    hand_size: int = DEFAULT_HAND_SIZE,
    first_player: str | None = None,
) -> tuple[GameState, list[Event]]:
    """Shuffle a fresh deck, deal, turn up the starter card (§4).

    Args:
        players: player ids in seat order.
        seed: the per-game seed; the same seed deals the same game.
        hand_size: the configured hand size H.
        first_player: who plays first (§5); the first seat by default.

    Returns:
        The new state and its single :class:`GameStarted` event.

    Raises:
        RuleViolation: ``NOT_ENOUGH_PLAYERS``, ``TOO_MANY_PLAYERS`` or ``DUPLICATE_PLAYER``.
        ValueError: ``hand_size`` below 1 or ``first_player`` not seated.
    """
    seats = tuple(players)
    if len(seats) < MIN_PLAYERS:
        raise RuleViolation(ErrorCode.NOT_ENOUGH_PLAYERS, f"a game needs at least {MIN_PLAYERS} players")
    if len(seats) > MAX_PLAYERS:
        raise RuleViolation(ErrorCode.TOO_MANY_PLAYERS, f"a game seats at most {MAX_PLAYERS} players")
    if len(set(seats)) != len(seats):
        raise RuleViolation(ErrorCode.DUPLICATE_PLAYER, "a player can take only one seat")
    if hand_size < 1:
        raise ValueError(f"hand size must be at least 1, not {hand_size}")
    first = 0 if first_player is None else seats.index(first_player)

    hands, pile = deal(len(seats), deal_size(len(seats), hand_size), random.Random(f"{seed}/deal"))
    state = GameState(
        players=seats,
        hands=hands,
        draw_pile=pile[1:],
        discard_pile=pile[:1],
        current=first,
        penalty=0,
        demanded_suit=None,
        awaiting_suit=False,
        finished=(),
        loser=None,
        seed=seed,
    )
    return state, [GameStarted(seats, hands, pile[0], seats[first], len(pile) - 1)]


def deal(players: int, hand_size: int, rng: random.Random) -> tuple[tuple[tuple[Card, ...], ...], tuple[Card, ...]]:
    """Shuffle, deal ``hand_size`` cards to each seat one at a time, and turn up a starter (§4).

    Returns:
        The hands in seat order, and the pile whose first card is the starter.

    When every card left after the deal is a 7 or a Joker (possible only when
    48 cards are dealt and the last 6 are the four 7s and both Jokers, about
    once in 26 million games), no reshuffle can turn up a starter: RULES.md is
    silent, and we deal again from the same random stream.
    """
    while True:
        deck = shuffled(DECK, rng)
        dealt = players * hand_size
        pile = deck[dealt:]
        if all(card.is_attack for card in pile):
            continue
        while pile[0].is_attack:  # §4: a 7 or Joker goes back and the pile is reshuffled
            pile = shuffled(pile, rng)
        return tuple(deck[seat:dealt:players] for seat in range(players)), pile


def is_playable(card: Card, top: Card, demanded: Suit | None) -> bool:
    """Whether ``card`` may be played on ``top`` when no attack runs (§7)."""
    rank = card.rank
    if rank is Rank.TWO or rank is Rank.JACK:
        return True
    if rank is Rank.JOKER:
        return top.rank is Rank.JOKER or card.color is (demanded.color if demanded else top.color)
    if demanded is not None:
        return card.suit is demanded
    if top.rank is Rank.JOKER:
        return card.color is top.color
    return card.suit is top.suit or rank is top.rank


def playable_cards(hand: Iterable[Card], top: Card, demanded: Suit | None, penalty: int) -> list[Card]:
    """The cards of ``hand`` that may be played now (§7, §8), in hand order.

    Needs only what a player sees, so a client or bot holding just its own
    view can use it too.
    """
    if penalty > 0:
        return [card for card in hand if card.is_attack]
    return [card for card in hand if is_playable(card, top, demanded)]


def legal_actions(state: GameState, player: str) -> list[Action]:
    """Every action ``player`` may take now; empty when it is not their turn.

    A Jack is listed once per suit (the one-message shape); the same Jack
    without a suit, followed by ``ChooseSuit``, is legal too.
    """
    if state.current is None or state.players[state.current] != player:
        return []
    if state.awaiting_suit:
        return [ChooseSuit(player, suit) for suit in Suit]
    actions: list[Action] = []
    for card in playable_cards(state.hands[state.current], state.top_card, state.demanded_suit, state.penalty):
        if card.rank is Rank.JACK:
            actions.extend(Play(player, card, suit) for suit in Suit)
        else:
            actions.append(Play(player, card))
    actions.append(Draw(player))
    return actions


def apply(state: GameState, action: Action) -> tuple[GameState, list[Event]]:
    """Apply ``action`` to ``state``.

    Returns:
        The new state and the events, in the order they happened.

    Raises:
        RuleViolation: the action is refused; the first failing check of §15 decides.
    """
    if state.current is None:
        raise RuleViolation(ErrorCode.GAME_OVER, "the game is over")
    try:
        seat = state.players.index(action.player)
    except ValueError:
        raise RuleViolation(ErrorCode.PLAYER_NOT_FOUND, f"{action.player!r} is not a player of this game") from None
    if isinstance(action, Leave):
        return _leave(state, seat)
    if seat != state.current:
        raise RuleViolation(ErrorCode.NOT_YOUR_TURN, f"it is {state.players[state.current]}'s turn")
    if state.awaiting_suit:
        if not isinstance(action, ChooseSuit):
            raise RuleViolation(ErrorCode.SUIT_CHOICE_PENDING, "name the suit for your Jack first")
        return _choose_suit(state, seat, _parse_suit(action.suit))
    if isinstance(action, Play):
        return _play(state, seat, action)
    if isinstance(action, Draw):
        return _draw(state, seat)
    raise RuleViolation(ErrorCode.NO_SUIT_CHOICE_PENDING, "no Jack is waiting for a suit")


def _parse_suit(name: object) -> Suit:
    suit = _SUITS.get(name) if isinstance(name, str) else None
    if suit is None:
        raise RuleViolation(ErrorCode.INVALID_SUIT, f"unknown suit {name!r}; use spades, hearts, diamonds or clubs")
    return suit


def _next_active(state: GameState, seat: int, finished: tuple[str, ...], steps: int = 1) -> int:
    """The ``steps``-th active seat after ``seat``, wrapping round (§3, §9)."""
    players = state.players
    n = len(players)
    while True:
        seat = (seat + 1) % n
        if players[seat] not in finished:
            steps -= 1
            if steps == 0:
                return seat


def _play(state: GameState, seat: int, action: Play) -> tuple[GameState, list[Event]]:
    card, hand = action.card, state.hands[seat]
    if card not in hand:
        raise RuleViolation(ErrorCode.CARD_NOT_IN_HAND, f"{card} is not in your hand")
    if state.penalty > 0:
        if not card.is_attack:
            raise RuleViolation(
                ErrorCode.MUST_COUNTER_OR_DRAW, f"an attack of {state.penalty} is running: play a 7 or a Joker, or draw"
            )
    elif not is_playable(card, state.top_card, state.demanded_suit):
        raise RuleViolation(ErrorCode.INVALID_PLAY, f"{card} does not match {_describe_top(state)}")
    named: Suit | None = None
    if action.suit is not None:
        if card.rank is not Rank.JACK:
            raise RuleViolation(ErrorCode.INVALID_SUIT, "only a Jack names a suit")
        named = _parse_suit(action.suit)

    players = state.players
    player = players[seat]
    new_hand = tuple(c for c in hand if c != card)  # equality, not identity: a copied Card is the same card
    penalty = state.penalty + ATTACK_VALUE.get(card.rank, 0)
    awaiting = card.rank is Rank.JACK and named is None
    events: list[Event] = [CardPlayed(player, card, named, penalty, awaiting)]
    finished = state.finished
    if not new_hand:  # §12: any card may be the last one, its effect still applies
        finished = (*finished, player)
        events.append(PlayerFinished(player, len(finished)))

    current: int | None = seat
    loser = None
    if len(players) - len(finished) == 1:  # §13: pending penalty, suit choice or skip are void
        (loser,) = (p for p in players if p not in finished)
        current, penalty, awaiting = None, 0, False
        events.append(GameEnded(loser, (*finished, loser), EndReason.LAST_PLAYER))
    elif not awaiting:
        after = seat
        if card.rank is Rank.ACE:  # §9: the next active player is skipped
            after = _next_active(state, seat, finished)
            events.append(TurnSkipped(players[after]))
        current = _next_active(state, after, finished)
        events.append(TurnChanged(players[current], penalty, named))
    return GameState(
        players=players,
        hands=(*state.hands[:seat], new_hand, *state.hands[seat + 1 :]),
        draw_pile=state.draw_pile,
        discard_pile=(*state.discard_pile, card),
        current=current,
        penalty=penalty,
        demanded_suit=named,  # any card played on a Jack clears D; a Jack with a suit sets it
        awaiting_suit=awaiting,
        finished=finished,
        loser=loser,
        seed=state.seed,
        reshuffles=state.reshuffles,
    ), events


def _choose_suit(state: GameState, seat: int, suit: Suit) -> tuple[GameState, list[Event]]:
    following = _next_active(state, seat, state.finished)
    events: list[Event] = [
        SuitChosen(state.players[seat], suit),
        TurnChanged(state.players[following], state.penalty, suit),
    ]
    return _replace(state, current=following, demanded_suit=suit, awaiting_suit=False), events


def _draw(state: GameState, seat: int) -> tuple[GameState, list[Event]]:
    """Ordinary draw (one card) or penalty draw (P cards), reshuffling as needed (§11)."""
    wanted = state.penalty or 1
    pile, discard, reshuffles = state.draw_pile, state.discard_pile, state.reshuffles
    drawn: tuple[Card, ...] = ()
    events: list[Event] = []
    while True:
        take = pile[: wanted - len(drawn)]
        drawn += take
        pile = pile[len(take) :]
        if len(drawn) == wanted or len(discard) == 1:
            break  # satisfied, or both piles are exhausted: take what exists
        reshuffles += 1
        pile = shuffled(discard[:-1], random.Random(f"{state.seed}/reshuffle/{reshuffles}"))
        discard = discard[-1:]
        events.append(PileReshuffled(len(pile)))
    players = state.players
    following = _next_active(state, seat, state.finished)
    events.append(CardsDrawn(players[seat], drawn, penalty=state.penalty > 0))
    events.append(TurnChanged(players[following], 0, state.demanded_suit))
    hands = (*state.hands[:seat], state.hands[seat] + drawn, *state.hands[seat + 1 :])
    after = _replace(
        state, hands=hands, draw_pile=pile, discard_pile=discard, current=following, penalty=0, reshuffles=reshuffles
    )
    return after, events


def _leave(state: GameState, seat: int) -> tuple[GameState, list[Event]]:
    """§14: an active player who leaves loses the game at once.

    The others are placed after the finishers by fewest cards held, ties
    broken by seat order after the leaver.
    """
    player = state.players[seat]
    if player in state.finished:
        raise RuleViolation(ErrorCode.PLAYER_FINISHED, f"{player} already finished this game")
    n = len(state.players)
    others = [
        (len(state.hands[s]), (s - seat) % n, state.players[s])
        for s in range(n)
        if s != seat and state.players[s] not in state.finished
    ]
    placements = (*state.finished, *(p for _, _, p in sorted(others)), player)
    ended = _replace(state, current=None, penalty=0, awaiting_suit=False, loser=player)
    return ended, [GameEnded(player, placements, EndReason.LEFT)]


def _describe_top(state: GameState) -> str:
    if state.demanded_suit is not None:
        return f"the demanded suit, {state.demanded_suit}"
    return f"the top card {state.top_card}"
