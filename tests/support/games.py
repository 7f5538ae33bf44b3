"""Random games: a game set-up, a random legal player, and a loop that plays a game to its end."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from checkgame import rules
from checkgame.rules import Action, Event, GameState, Rank

MAX_ACTIONS = 5_000
"""No random game may run longer than this: §13 must end every game (random play ends far sooner)."""


@dataclass(frozen=True)
class GameSetup:
    """Everything a game replays from, with its action list (docs/engine.md)."""

    players: tuple[str, ...]
    seed: int
    hand_size: int = rules.DEFAULT_HAND_SIZE
    first_player: str | None = None

    def start(self) -> tuple[GameState, list[Event]]:
        """Deal the game."""
        return rules.new_game(self.players, self.seed, hand_size=self.hand_size, first_player=self.first_player)


@dataclass(frozen=True)
class Policy:
    """How a random player behaves.

    Attributes:
        leave_rate: chance per action that a random active player leaves instead (§14).
        draw_rate: chance of drawing although a card could be played (§11 allows it).
        split_jack_rate: chance that a Jack is played without its suit, then named by ``choose_suit``.
    """

    leave_rate: float = 0.0
    draw_rate: float = 0.1
    split_jack_rate: float = 0.5


def random_action(state: GameState, rng: random.Random, policy: Policy = Policy()) -> Action:
    """A random legal action of the running game ``state``: mostly the current player's, sometimes a Leave."""
    if rng.random() < policy.leave_rate:
        return rules.Leave(rng.choice([p for p in state.players if p not in state.finished]))
    player = state.current_player
    assert player is not None
    legal = rules.legal_actions(state, player)
    if state.awaiting_suit:
        return rng.choice(legal)
    plays = [action for action in legal if isinstance(action, rules.Play)]
    if not plays or rng.random() < policy.draw_rate:
        return rules.Draw(player)
    action = rng.choice(plays)
    if action.card.rank is Rank.JACK and rng.random() < policy.split_jack_rate:
        return rules.Play(player, action.card)
    return action


def run_game(
    setup: GameSetup,
    rng: random.Random,
    policy: Policy = Policy(),
    *,
    on_action: Callable[[GameState, Action, GameState, list[Event]], None] | None = None,
    max_actions: int = MAX_ACTIONS,
) -> tuple[GameState, list[Action], list[Event]]:
    """Play ``setup`` to its end with random legal actions.

    ``on_action(before, action, after, events)`` is called after every action.

    Returns:
        The final state, the actions and all events (``GameStarted`` first).
    """
    state, events = setup.start()
    log = list(events)
    actions: list[Action] = []
    while state.current is not None:
        assert len(actions) < max_actions, f"game still running after {max_actions} actions"
        action = random_action(state, rng, policy)
        after, new_events = rules.apply(state, action)
        if on_action is not None:
            on_action(state, action, after, new_events)
        actions.append(action)
        log.extend(new_events)
        state = after
    return state, actions, log


def replay(setup: GameSetup, actions: list[Action]) -> tuple[GameState, list[Event]]:
    """Replay ``actions`` from ``setup``'s deal; returns the final state and all events."""
    state, events = setup.start()
    log = list(events)
    for action in actions:
        state, new_events = rules.apply(state, action)
        log.extend(new_events)
    return state, log
