"""RULES.md §6: a turn is exactly one play or one draw; after a Jack the suit comes before anything else."""

from __future__ import annotations

from checkgame import rules
from checkgame.rules import ErrorCode
from tests.support.harness import TableHarness
from tests.support.positions import card, position


def table() -> TableHarness:
    return TableHarness(position({"ann": "5H 6H JC", "bob": "5S 6S", "cid": "5D 6D"}, top="9H"))


def test_a_play_is_one_card_and_ends_the_turn():
    t = table()
    t.play("ann", "5H")
    assert t.hand("ann") == ["6H", "JC"]
    assert t.state.discard_pile[-2:] == (card("9H"), card("5H"))
    assert t.state.current_player == "bob"
    assert t.refuse(rules.Play("ann", card("6H"))) is ErrorCode.NOT_YOUR_TURN  # no second card


def test_a_draw_is_one_card_and_ends_the_turn():
    t = table()
    top_of_pile = t.state.draw_pile[0]
    t.draw("ann")
    assert t.hand("ann") == ["5H", "6H", "JC", top_of_pile.code]
    assert t.state.current_player == "bob"
    assert t.refuse(rules.Play("ann", top_of_pile)) is ErrorCode.NOT_YOUR_TURN


def test_there_is_no_pass_action():
    t = table()
    assert {type(action) for action in rules.legal_actions(t.state, "ann")} == {rules.Play, rules.Draw}
    assert rules.Draw("ann") in rules.legal_actions(t.state, "ann")


def test_after_a_jack_without_a_suit_the_suit_comes_first():
    t = table()
    t.play("ann", "JC")
    assert t.state.awaiting_suit
    assert t.state.current_player == "ann"
    assert t.refuse(rules.Play("ann", card("5H"))) is ErrorCode.SUIT_CHOICE_PENDING
    assert t.refuse(rules.Draw("ann")) is ErrorCode.SUIT_CHOICE_PENDING
    assert t.refuse(rules.Draw("bob")) is ErrorCode.NOT_YOUR_TURN
    assert rules.legal_actions(t.state, "ann") == [rules.ChooseSuit("ann", suit) for suit in rules.Suit]
    t.choose("ann", "spades")
    assert t.state.current_player == "bob"
    assert t.refuse(rules.ChooseSuit("ann", "hearts")) is ErrorCode.NOT_YOUR_TURN


def test_legal_actions_is_empty_for_everyone_but_the_current_player():
    t = table()
    assert rules.legal_actions(t.state, "bob") == []
    assert rules.legal_actions(t.state, "cid") == []
    assert rules.legal_actions(t.state, "zed") == []
    assert rules.legal_actions(t.state, "ann")
