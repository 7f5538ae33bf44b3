"""Hypothesis strategies: game set-ups, random-player seeds, reachable positions and arbitrary actions."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable

from hypothesis import strategies as st

from checkgame import rules
from checkgame.rules import Action, GameState, Rank
from tests.support.games import GameSetup, Policy, random_action

PLAYER_NAMES = ("ann", "bob", "cid", "dee", "eve", "fay", "gus", "hal")
STRANGER = "zed"
"""Never seated."""

suits = st.sampled_from(list(rules.Suit))
suit_names = st.sampled_from([suit.value for suit in rules.Suit])
bad_suit_names = st.sampled_from(["", "Hearts", "HEARTS", "stars", "joker", "red", "h"])
any_suit = st.one_of(st.none(), suit_names, suits, bad_suit_names)
cards = st.sampled_from(rules.DECK)
seeds = st.integers(min_value=0, max_value=2**63 - 1)


@st.composite
def game_setups(
    draw: st.DrawFn,
    min_players: int = rules.MIN_PLAYERS,
    max_players: int = rules.MAX_PLAYERS,
    hand_sizes: st.SearchStrategy[int] | None = None,
) -> GameSetup:
    """A game: 2–8 players, any seed, a hand size H (1–9 by default, 7 often), any first player.

    Small ranges are drawn with ``sampled_from``, which Hypothesis spreads more evenly than ``integers``.
    """
    n = draw(st.sampled_from(range(min_players, max_players + 1)))
    players = PLAYER_NAMES[:n]
    sizes = hand_sizes if hand_sizes is not None else st.sampled_from([7, 7, 1, 2, 3, 4, 5, 6, 8, 9])
    first = draw(st.one_of(st.none(), st.sampled_from(players)))
    return GameSetup(players, draw(seeds), draw(sizes), first)


policies = st.builds(
    Policy,
    leave_rate=st.sampled_from([0.0, 0.005, 0.0, 0.05]),
    draw_rate=st.sampled_from([0.0, 0.05, 0.15]),
    split_jack_rate=st.sampled_from([0.0, 0.5, 1.0]),
)


_PHASES: dict[str, Callable[[GameState], bool]] = {
    "any": lambda state: True,
    "awaiting a suit": lambda state: state.awaiting_suit,
    "under attack": lambda state: state.penalty > 0,
    "demand in force": lambda state: state.demanded_suit is not None,
    "someone finished": lambda state: bool(state.finished),
}


@st.composite
def reachable_positions(draw: st.DrawFn, max_actions: int = 50) -> GameState:
    """A position reached by random legal play from a random deal (possibly a finished game).

    After a random number of actions, play goes on until the position is in a randomly chosen phase
    (awaiting a suit, under attack, ...) if the game gets there, so every phase is well represented.
    """
    setup = draw(game_setups(hand_sizes=st.sampled_from(range(1, 8))))
    policy = draw(policies)
    rng = random.Random(draw(seeds))
    steps = draw(st.sampled_from(range(max_actions + 1)))
    name = draw(st.sampled_from(list(_PHASES)))
    phase = _PHASES[name]
    if name != "any":  # look for the phase rather than for the end of the game
        policy = dataclasses.replace(policy, leave_rate=0.0, split_jack_rate=max(policy.split_jack_rate, 0.5))
    state, _ = setup.start()
    for step in range(steps + 1_000):
        if state.current is None or (step >= steps and phase(state)):
            break
        state, _ = rules.apply(state, random_action(state, rng, policy))
    return state


@st.composite
def coherent_positions(draw: st.DrawFn) -> GameState:
    """A position built directly with ``from_dict``, in a chosen phase, with cards dealt at random.

    Reaches what random play rarely does: any hand against any top card, long attack chains, a demand or a
    pending suit choice with any hand, a finisher naming a suit, several finishers, a game over.
    """
    n = draw(st.sampled_from(range(2, 9)))
    players = list(PLAYER_NAMES[:n])
    phase = draw(st.sampled_from(["plain", "attack", "demand", "awaiting", "finisher choosing", "over", "left"]))
    if phase == "finisher choosing" and n == 2:
        phase = "awaiting"  # a finisher leaves two players with one active: the game would be over
    deck = list(draw(st.permutations(rules.DECK)))
    plain_top = draw(st.sampled_from(["any", "Joker", "7", "J", "2", "A"]))
    tops = {
        "plain": [c for c in deck if plain_top in ("any", c.rank.value)],
        "attack": [c for c in deck if c.is_attack],
        "demand": [c for c in deck if c.rank is Rank.JACK],
        "awaiting": [c for c in deck if c.rank is Rank.JACK],
        "finisher choosing": [c for c in deck if c.rank is Rank.JACK],
    }.get(phase, deck)
    top = tops[0]
    deck.remove(top)
    finishers = draw(st.sampled_from(range(n - 1)))
    if phase == "finisher choosing":
        finishers = max(finishers, 1)
    finished = draw(st.permutations(players))[:finishers]
    active = [p for p in players if p not in finished]
    hands: dict[str, list[str]] = {}
    for player in players:
        size = 0 if player in finished else draw(st.sampled_from(range(1, 9)))
        hands[player], deck = [c.code for c in deck[:size]], deck[size:]
    under = draw(st.sampled_from(range(12)))
    discard, deck = [c.code for c in deck[:under]] + [top.code], deck[under:]
    kept = draw(st.sampled_from([len(deck), len(deck), 0, 1, 2, 5]))
    data = {
        "format": 1,
        "players": players,
        "hands": hands,
        "draw_pile": [c.code for c in deck[:kept]],
        "discard_pile": discard,
        "current_player": draw(st.sampled_from(active)),
        "pending_penalty": draw(st.sampled_from([2, 4, 6, 8, 14])) if phase == "attack" else 0,
        "demanded_suit": draw(suit_names) if phase == "demand" else None,
        "awaiting_suit": phase in ("awaiting", "finisher choosing"),
        "finished": finished,
        "loser": None,
        "seed": draw(seeds),
        "reshuffles": draw(st.sampled_from([0, 0, 1, 5])),
    }
    if phase == "finisher choosing":
        data["current_player"] = finished[-1]
    if phase == "over":
        data["finished"] = [p for p in players if p != data["current_player"]]
        data["hands"] = {p: (h if p == data["current_player"] else []) for p, h in hands.items()}
        data["loser"], data["current_player"] = data["current_player"], None
    if phase == "left":
        data["loser"], data["current_player"] = data["current_player"], None
    return rules.from_dict(data)


positions = st.one_of(reachable_positions(), coherent_positions())
"""Positions of every kind: reached by play, or built directly."""


def actions_for(state: GameState) -> st.SearchStrategy[Action]:
    """Any action at all in ``state``: from any seated player or a stranger, any card, any suit string.

    Biased towards the current player and the cards they hold so that the deeper checks of §15 are
    reached often, but every combination is possible.
    """
    who = st.sampled_from([*state.players, STRANGER])
    card = cards
    held = [c for hand in state.hands for c in hand]
    if held:
        card = st.one_of(st.sampled_from(held), card)
    if state.current is not None:
        who = st.one_of(st.just(state.players[state.current]), who)
        if state.hands[state.current]:
            card = st.one_of(st.sampled_from(state.hands[state.current]), card)
    return st.one_of(
        st.builds(rules.Play, who, card, any_suit),
        st.builds(rules.Draw, who),
        st.builds(rules.ChooseSuit, who, st.one_of(suit_names, suits, bad_suit_names)),
        st.builds(rules.Leave, who),
    )
