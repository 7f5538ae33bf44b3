"""A Hypothesis state machine: the engine, step by step, against a small reference model.

The model (``tests.support.reference``) knows only the rules text. It keeps the public part of the game —
hand sizes, pile sizes, top card, current player, P, D, the awaiting-suit flag, finishers, loser — and,
here, every hand card by card: a play removes the card, a draw adds exactly the cards taken from the top
of the draw pile (then from the reshuffled discards). Hypothesis chooses which rule runs next: a legal
move it picks itself, a run of random legal moves, any action at all (checked against the §15
reference), a long series of draws, a player leaving, or a new game once one is over.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from checkgame import rules
from checkgame.rules import Action, Card, GameState, Rank
from tests.support.budget import examples
from tests.support.games import GameSetup, Policy, random_action
from tests.support.positions import all_cards, refuse
from tests.support.reference import PublicModel, expected_error
from tests.support.strategies import actions_for, game_setups, seeds

pytestmark = pytest.mark.slow

WHOLE_DECK = Counter(rules.DECK)
SETUPS = game_setups(hand_sizes=st.sampled_from(range(1, 6)))


def running(machine: EngineMachine) -> bool:
    return not machine.state.is_over


class EngineMachine(RuleBasedStateMachine):
    """See the module docstring."""

    state: GameState
    model: PublicModel
    hands: dict[str, list[Card]]
    rng: random.Random

    def __init__(self) -> None:
        super().__init__()
        self.games = 0

    def _deal(self, setup: GameSetup, seed: int) -> None:
        self.state, events = setup.start()
        (started,) = events
        assert isinstance(started, rules.GameStarted)
        self.model = PublicModel.of(self.state)
        self.hands = {p: list(h) for p, h in zip(started.players, started.hands, strict=True)}
        self.rng = random.Random(seed)
        self.games += 1

    @initialize(setup=SETUPS, seed=seeds)
    def deal(self, setup: GameSetup, seed: int) -> None:
        self._deal(setup, seed)

    @precondition(lambda self: self.state.is_over)
    @rule(setup=SETUPS, seed=seeds)
    def next_game(self, setup: GameSetup, seed: int) -> None:
        self._deal(setup, seed)

    def _accept(self, action: Action) -> None:
        before = self.state
        self.state, events = rules.apply(before, action)
        kinds = [rules.event_type(event) for event in events]
        assert kinds == self.model.apply(action)
        self.model.check_events(events)
        for kind in kinds:
            event(kind)  # shown by pytest --hypothesis-show-statistics
        if isinstance(action, rules.Draw) and not self.state.draw_pile and len(self.state.discard_pile) == 1:
            event("both piles exhausted")
        if isinstance(action, rules.Play):
            self.hands[action.player].remove(action.card)
        for happened in events:
            if isinstance(happened, rules.CardsDrawn):
                self._check_draw(before, happened.cards)
                self.hands[happened.player].extend(happened.cards)

    def _check_draw(self, before: GameState, drawn: tuple[Card, ...]) -> None:
        """The cards come off the top of the draw pile, then off the reshuffled discards (§11)."""
        after, pile = self.state, before.draw_pile
        assert len(drawn) == min(before.penalty or 1, len(pile) + len(before.discard_pile) - 1)
        if len(drawn) <= len(pile) and after.reshuffles == before.reshuffles:
            assert drawn == pile[: len(drawn)]
            assert after.draw_pile == pile[len(drawn) :]
            assert after.discard_pile == before.discard_pile
        else:
            assert drawn[: len(pile)] == pile
            assert after.discard_pile == before.discard_pile[-1:]
            assert Counter(drawn[len(pile) :]) + Counter(after.draw_pile) == Counter(before.discard_pile[:-1])
            assert after.reshuffles == before.reshuffles + 1

    @precondition(running)
    @rule(data=st.data())
    def chosen_move(self, data: st.DataObject) -> None:
        """Hypothesis picks among the legal actions, the Jack without a suit included."""
        player = self.state.current_player
        assert player is not None
        legal = rules.legal_actions(self.state, player)
        legal += [rules.Play(player, a.card) for a in legal if isinstance(a, rules.Play) and a.card.rank is Rank.JACK]
        self._accept(data.draw(st.sampled_from(legal)))

    @precondition(running)
    @rule(steps=st.integers(1, 30))
    def random_moves(self, steps: int) -> None:
        for _ in range(steps):
            if self.state.is_over:
                break
            self._accept(random_action(self.state, self.rng, Policy(draw_rate=0.1)))

    @precondition(running)
    @rule(times=st.integers(1, 60))
    def everybody_draws(self, times: int) -> None:
        """Draw after draw (naming a suit when one is due): empties the draw pile, then both piles (§11)."""
        for _ in range(times):
            player = self.state.current_player
            if player is None:
                break
            self._accept(rules.ChooseSuit(player, "clubs") if self.state.awaiting_suit else rules.Draw(player))

    @rule(data=st.data())
    def any_action(self, data: st.DataObject) -> None:
        """Anything at all, from anyone: accepted exactly when the §15 reference accepts it."""
        action = data.draw(actions_for(self.state))
        expected = expected_error(self.state, action)
        if expected is None:
            self._accept(action)
        else:
            assert refuse(self.state, action) is expected

    @precondition(running)
    @rule(data=st.data())
    def somebody_leaves(self, data: st.DataObject) -> None:
        active = [p for p in self.state.players if p not in self.state.finished]
        self._accept(rules.Leave(data.draw(st.sampled_from(active))))
        ended = self.state
        assert ended.is_over
        assert ended.current is None

    @invariant()
    def the_public_part_matches_the_model(self) -> None:
        self.model.check(self.state)

    @invariant()
    def every_hand_matches_the_model(self) -> None:
        for player in self.state.players:
            assert list(self.state.hand_of(player)) == self.hands[player]

    @invariant()
    def every_card_is_somewhere_exactly_once(self) -> None:
        assert all_cards(self.state) == WHOLE_DECK

    @invariant()
    def exactly_one_player_may_act_while_the_game_runs(self) -> None:
        acting = [p for p in self.state.players if rules.legal_actions(self.state, p)]
        assert acting == ([] if self.state.is_over else [self.state.current_player])

    @invariant()
    def the_position_round_trips(self) -> None:
        assert rules.from_dict(rules.to_dict(self.state)) == self.state


EngineMachine.TestCase.settings = settings(examples(30), stateful_step_count=40)
TestEngineMachine = EngineMachine.TestCase
