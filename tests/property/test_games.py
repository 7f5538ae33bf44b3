"""Properties of whole random games: 2–8 players, any seed and hand size, random legal play including the
two-message Jack and players leaving, and random illegal actions along the way."""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checkgame import rules
from checkgame.rules import Action, Event, GameState, Rank
from tests.support.budget import examples
from tests.support.games import Policy, random_action, replay, run_game
from tests.support.harness import TableHarness
from tests.support.positions import all_cards, refuse
from tests.support.reference import PublicModel, candidate_actions, expected_error
from tests.support.strategies import actions_for, game_setups, policies, positions, seeds

WHOLE_DECK = Counter(rules.DECK)


def assert_one_player_to_act(state: GameState) -> None:
    """While the game runs exactly one player may act: the current player, who is active, or who is the
    finisher naming the suit for their last card. Once over, nobody."""
    acting = [p for p in state.players if rules.legal_actions(state, p)]
    if state.is_over:
        assert state.current is None
        assert acting == []
        return
    assert state.current is not None
    assert acting == [state.current_player]
    if state.current_player not in state.active_players:
        assert state.awaiting_suit
        assert state.current_player == state.finished[-1]
    assert len(state.active_players) >= 2


def assert_round_trips(state: GameState) -> None:
    data = rules.to_dict(state)
    assert rules.from_dict(data) == state
    text = json.dumps(data)
    assert rules.from_dict(json.loads(text)) == state
    assert rules.to_dict(rules.from_dict(json.loads(text))) == data


def assert_finished_properly(state: GameState, log: list[Event]) -> None:
    assert state.is_over
    ended = log[-1]
    assert isinstance(ended, rules.GameEnded)
    assert sum(isinstance(event, rules.GameEnded) for event in log) == 1
    assert ended.loser == state.loser
    assert sorted(ended.placements) == sorted(state.players)
    assert ended.placements[-1] == state.loser
    assert ended.placements[: len(state.finished)] == state.finished


@pytest.mark.slow
@examples(30)
@given(setup=game_setups(), policy=policies, seed=seeds)
def test_random_games_keep_every_invariant_and_terminate(setup, policy, seed):
    model = PublicModel.of(setup.start()[0])

    def check(before: GameState, action: Action, after: GameState, events: list[Event]) -> None:
        assert expected_error(before, action) is None
        assert [rules.event_type(e) for e in events] == model.apply(action)
        model.check_events(events)
        model.check(after)
        assert all_cards(after) == WHOLE_DECK  # all 54 cards, each exactly once
        assert_one_player_to_act(after)
        assert rules.from_dict(rules.to_dict(after)) == after  # the JSON round trip is checked below

    first, _ = setup.start()
    assert all_cards(first) == WHOLE_DECK
    assert_one_player_to_act(first)
    final, actions, log = run_game(setup, random.Random(seed), policy, on_action=check)
    assert_finished_properly(final, log)
    ended = log[-1]
    assert isinstance(ended, rules.GameEnded)
    if isinstance(actions[-1], rules.Leave):  # §14: the leaver loses at once
        assert (ended.reason, ended.loser) == (rules.EndReason.LEFT, actions[-1].player)
    else:  # §13: everybody else finished
        assert ended.reason is rules.EndReason.LAST_PLAYER
        assert len(final.finished) == len(final.players) - 1


@pytest.mark.slow
@examples(20)
@given(state=positions, data=st.data())
def test_a_refused_action_raises_rule_violation_and_changes_nothing(state, data):
    snapshot = rules.to_dict(state)
    copy = rules.from_dict(snapshot)
    for _ in range(25):
        action = data.draw(actions_for(state))
        expected = expected_error(state, action)
        if expected is None:
            after, events = rules.apply(state, action)
            assert events
            assert_round_trips(after)
        else:
            assert refuse(state, action) is expected
        assert state == copy
        assert rules.to_dict(state) == snapshot


@pytest.mark.slow
@examples(80)
@given(state=positions)
def test_apply_accepts_exactly_what_the_reference_accepts(state):
    """Every card of the deck, with and without every suit, a draw and every suit choice, from the
    current player (or, once over, from the loser), and everybody's draws, leaves and suit choices."""
    snapshot = rules.to_dict(state)
    actor = state.current_player or state.loser
    assert actor is not None
    candidates = candidate_actions(state, actor)
    for other in (*state.players, "zed"):
        candidates += [rules.Draw(other), rules.Leave(other), rules.ChooseSuit(other, "hearts")]
    for action in candidates:
        expected = expected_error(state, action)
        code = None
        try:
            rules.apply(state, action)
        except rules.RuleViolation as refused:
            code = refused.code
        assert code is expected, action
    assert rules.to_dict(state) == snapshot  # refused or not, the state held is unchanged


@pytest.mark.slow
@examples(60)
@given(state=positions)
def test_legal_actions_are_exactly_what_the_rules_accept(state):
    for player in state.players:
        listed = rules.legal_actions(state, player)
        assert len(listed) == len(set(listed))
        accepted = {action for action in candidate_actions(state, player) if expected_error(state, action) is None}
        jacks_without_suit = {
            a for a in accepted if isinstance(a, rules.Play) and a.card.rank is Rank.JACK and a.suit is None
        }
        assert set(listed) == accepted - jacks_without_suit  # a Jack is listed once per suit
        for action in listed:
            if isinstance(action, rules.Play) and action.card.rank is Rank.JACK:
                assert rules.Play(player, action.card) in jacks_without_suit  # ... and is legal without one too


@pytest.mark.slow
@examples(25)
@given(setup=game_setups(hand_sizes=st.sampled_from(range(1, 5))), policy=policies, seed=seeds)
def test_no_view_ever_shows_another_players_cards(setup, policy, seed):
    """Every event and every state view, for every seat and a spectator, through a whole game."""
    table = TableHarness(*setup.start())
    rng = random.Random(seed)
    while not table.state.is_over:
        table.do(random_action(table.state, rng, policy))
    assert table.seen_by(None, "game_finished")


@pytest.mark.slow
@examples(60)
@given(state=positions)
def test_to_dict_from_dict_is_the_identity(state):
    assert_round_trips(state)


@pytest.mark.slow
@examples(30)
@given(setup=game_setups(), policy=policies, seed=seeds, cut=st.floats(0, 1))
def test_a_game_replays_exactly_from_its_seed_and_actions(setup, policy, seed, cut):
    final, actions, log = run_game(setup, random.Random(seed), policy)
    again, again_log = replay(setup, actions)
    assert again == final
    assert again_log == log
    # ... and from a saved position in the middle
    k = int(cut * len(actions))
    middle, _ = replay(setup, actions[:k])
    state = rules.from_dict(json.loads(json.dumps(rules.to_dict(middle))))
    for action in actions[k:]:
        state, _ = rules.apply(state, action)
    assert state == final


@examples(100)
@given(setup=game_setups(hand_sizes=st.sampled_from(range(1, 31))))
def test_every_deal_follows_section_4(setup):
    state, events = setup.start()
    n, h = len(setup.players), rules.deal_size(len(setup.players), setup.hand_size)
    assert h == min(setup.hand_size, 48 // n)
    assert [len(hand) for hand in state.hands] == [h] * n
    assert len(state.draw_pile) == 54 - n * h - 1 >= 5
    assert not state.top_card.is_attack
    assert (state.penalty, state.demanded_suit, state.awaiting_suit, state.finished) == (0, None, False, ())
    assert state.current_player == (setup.first_player or setup.players[0])
    assert events == [
        rules.GameStarted(state.players, state.hands, state.top_card, state.current_player, len(state.draw_pile))
    ]
    assert all_cards(state) == WHOLE_DECK


@examples(20)
@given(setup=game_setups(), seed=seeds)
def test_games_without_leaving_end_with_everybody_but_the_loser_finished(setup, seed):
    final, _, log = run_game(setup, random.Random(seed), Policy(leave_rate=0.0, draw_rate=0.0))
    assert_finished_properly(final, log)
    assert len(final.finished) == len(final.players) - 1
    assert final.active_players == ()
    ended = log[-1]
    assert isinstance(ended, rules.GameEnded)
    assert ended.reason is rules.EndReason.LAST_PLAYER
