"""RULES.md §8: attack chains with 7s (+2) and Jokers (+4): counter or draw the whole penalty."""

from __future__ import annotations

import pytest

from checkgame import rules
from checkgame.rules import ErrorCode
from tests.support.harness import TableHarness
from tests.support.positions import card, codes, draw, only, play, position, refuse

THREE = {"ann": "7H JOKER_RED 5H", "bob": "7C JOKER_BLACK 5C", "cid": "7S 7D 5D"}


@pytest.mark.parametrize(("code", "penalty"), [("7H", 2), ("JOKER_RED", 4)])
def test_an_attack_card_starts_a_fresh_penalty(code, penalty):
    state = position(THREE, top="9H")
    state, events = play(state, "ann", code)
    assert state.penalty == penalty
    assert only(events, rules.CardPlayed).penalty == penalty
    assert state.current_player == "bob"  # the turn passes to the next active player
    turn = only(events, rules.TurnChanged)
    assert (turn.player, turn.penalty) == ("bob", penalty)


def test_a_chain_grows_with_any_seven_or_joker_whatever_the_suit_or_colour():
    t = TableHarness(position(THREE, top="9H"))
    t.play("ann", "7H")
    assert t.state.penalty == 2
    t.play("bob", "JOKER_BLACK")  # a black Joker on a red 7
    assert t.state.penalty == 6
    t.play("cid", "7S")  # a black 7 on a black Joker
    assert t.state.penalty == 8
    t.play("ann", "JOKER_RED")  # a red Joker on a black 7
    assert t.state.penalty == 12
    t.play("bob", "7C")
    assert t.state.penalty == 14
    t.play("cid", "7D")
    assert t.state.penalty == 16
    assert [d["pendingPenalty"] for d in t.seen_by("ann", "card_played")] == [2, 6, 8, 12, 14, 16]


@pytest.mark.parametrize(
    ("top", "counter"),
    [
        ("7C", "7H"),
        ("7C", "JOKER_RED"),
        ("7H", "JOKER_BLACK"),
        ("JOKER_RED", "7S"),
        ("JOKER_BLACK", "7D"),
        ("JOKER_RED", "JOKER_BLACK"),
        ("JOKER_BLACK", "JOKER_RED"),
    ],
)
def test_any_counter_is_legal_during_an_attack(top, counter):
    state = position({"ann": [counter, "5H"], "bob": "5C"}, top=top, penalty=2)
    assert rules.playable_cards(state.hand_of("ann"), state.top_card, None, state.penalty) == [card(counter)]
    after, _ = play(state, "ann", counter)
    assert after.penalty == 2 + (4 if counter.startswith("JOKER") else 2)


@pytest.mark.parametrize("code", ["2C", "2H", "JC", "JH", "AC", "5C", "KC", "5H"])
def test_anything_but_a_seven_or_joker_is_refused_during_an_attack(code):
    state = position({"ann": [code, "7D"], "bob": "5D"}, top="7C", penalty=2)
    assert refuse(state, rules.Play("ann", card(code))) is ErrorCode.MUST_COUNTER_OR_DRAW
    assert refuse(state, rules.Play("ann", card(code), "hearts")) is ErrorCode.MUST_COUNTER_OR_DRAW
    assert rules.Play("ann", card(code)) not in rules.legal_actions(state, "ann")


def test_during_an_attack_legal_actions_are_the_counters_and_the_draw():
    state = position({"ann": "2C JD 7D 5C JOKER_BLACK", "bob": "5D"}, top="7C", penalty=2)
    assert rules.legal_actions(state, "ann") == [
        rules.Play("ann", card("7D")),
        rules.Play("ann", card("JOKER_BLACK")),
        rules.Draw("ann"),
    ]


def test_the_attacked_player_draws_the_whole_penalty_and_loses_the_turn():
    pile = "KS QS 10S 9S 8S 6S 5S 4S 3S"
    state = position({"ann": "5H", "bob": "5C 9C", "cid": "5D"}, top="2C 7C", penalty=6, current="bob", draw=pile)
    state, events = draw(state, "bob")
    assert [c.code for c in state.hand_of("bob")] == ["5C", "9C", *codes(pile)[:6]]  # one by one, from the top
    assert [c.code for c in state.draw_pile] == codes(pile)[6:]
    assert state.penalty == 0
    assert state.current_player == "cid"  # bob does not play this turn
    drawn = only(events, rules.CardsDrawn)
    assert (drawn.player, len(drawn.cards), drawn.penalty) == ("bob", 6, True)
    turn = only(events, rules.TurnChanged)
    assert (turn.player, turn.penalty) == ("cid", 0)


def test_after_the_penalty_the_attack_card_stays_on_top_and_is_matched_normally():
    state = position({"ann": "5H", "bob": "5C 9C", "cid": "5D 7H KC 2S"}, top="7C", penalty=2, current="bob")
    state, _ = draw(state, "bob")
    assert state.top_card == card("7C")
    assert rules.playable_cards(state.hand_of("cid"), state.top_card, None, state.penalty) == [
        card("7H"),  # same rank, and now it starts a fresh attack
        card("KC"),
        card("2S"),
    ]
    assert refuse(state, rules.Play("cid", card("5D"))) is ErrorCode.INVALID_PLAY
    state, _ = play(state, "cid", "7H")
    assert state.penalty == 2  # fresh: from 0, not from the drawn 2


def test_after_a_drawn_joker_penalty_the_joker_is_matched_by_colour():
    state = position({"ann": "5H", "bob": "5C 9C", "cid": "5D 5S JOKER_RED"}, top="JOKER_BLACK", penalty=4)
    state, _ = draw(state, "ann")
    state, _ = draw(state, "bob")
    assert state.penalty == 0
    assert rules.playable_cards(state.hand_of("cid"), state.top_card, None, 0) == [card("5S"), card("JOKER_RED")]


def test_the_penalty_is_a_turn_for_the_next_active_player_skipping_finished_ones():
    state = position({"ann": "7H 5H", "bob": "", "cid": "5D"}, top="9H", finished=["bob"])
    state, _ = play(state, "ann", "7H")
    assert (state.current_player, state.penalty) == ("cid", 2)
