"""RULES.md §12: playing the last card finishes at once, and that card's effect still applies."""

from __future__ import annotations

import pytest

from checkgame import rules
from checkgame.rules import ErrorCode, Suit
from tests.support.harness import TableHarness
from tests.support.positions import card, event_types, only, play, position, refuse

FOUR = {"ann": "5H", "bob": "5S 9S", "cid": "5C 9C", "dee": "5D 9D"}


def with_last(code: str) -> dict[str, str]:
    return {**FOUR, "ann": code}


def test_the_last_card_finishes_the_player_at_once():
    t = TableHarness(position(FOUR, top="9H"))
    events = t.play("ann", "5H")
    assert event_types(events) == ["card_played", "player_finished", "turn_changed"]
    assert only(events, rules.PlayerFinished) == rules.PlayerFinished("ann", 1)
    assert t.state.finished == ("ann",)
    assert "ann" not in t.state.active_players
    assert t.state.active_players == ("bob", "cid", "dee")
    assert t.state.current_player == "bob"
    assert t.seen_by("cid", "player_finished") == [{"player": "ann", "place": 1}]
    assert rules.state_view(t.state, None)["players"][0] == {
        "id": "ann",
        "handSize": 0,
        "finished": True,
        "active": False,
    }


def test_finishers_are_appended_in_order():
    state = position({**FOUR, "ann": "", "bob": "5S"}, top="9S", finished=["ann"], current="bob")
    state, events = play(state, "bob", "5S")
    assert only(events, rules.PlayerFinished) == rules.PlayerFinished("bob", 2)
    assert state.finished == ("ann", "bob")
    assert state.current_player == "cid"


@pytest.mark.parametrize(("code", "penalty"), [("7H", 2), ("JOKER_RED", 4)])
def test_an_attack_card_as_last_card_attacks_the_next_active_player(code, penalty):
    state, events = play(position(with_last(code), top="9H"), "ann", code)
    assert state.finished == ("ann",)
    assert (state.current_player, state.penalty) == ("bob", penalty)
    assert only(events, rules.TurnChanged) == rules.TurnChanged("bob", penalty, None)


def test_an_ace_as_last_card_skips_the_next_active_player():
    state, events = play(position(with_last("AH"), top="9H"), "ann", "AH")
    assert event_types(events) == ["card_played", "player_finished", "turn_skipped", "turn_changed"]
    assert only(events, rules.TurnSkipped).player == "bob"
    assert state.current_player == "cid"


def test_an_ace_as_last_card_with_two_others_left_skips_to_the_other():
    state = position({"ann": "AH", "bob": "5S", "cid": "5C"}, top="9H")
    state, events = play(state, "ann", "AH")
    assert only(events, rules.TurnSkipped).player == "bob"
    assert state.current_player == "cid"


def test_a_jack_with_its_suit_as_last_card_demands_and_passes_the_turn():
    state, events = play(position(with_last("JH"), top="3H"), "ann", "JH", "clubs")
    assert event_types(events) == ["card_played", "player_finished", "turn_changed"]
    assert state.finished == ("ann",)
    assert (state.current_player, state.demanded_suit) == ("bob", Suit.CLUBS)


def test_a_jack_without_a_suit_as_last_card_lets_the_finisher_name_the_suit():
    t = TableHarness(position(with_last("JH"), top="3H"))
    events = t.play("ann", "JH")
    assert event_types(events) == ["card_played", "player_finished"]
    assert t.state.finished == ("ann",)
    assert t.state.awaiting_suit
    assert t.state.current_player == "ann"  # a finisher, still to name the suit
    state = t.state
    assert refuse(state, rules.Draw("ann")) is ErrorCode.SUIT_CHOICE_PENDING
    assert refuse(state, rules.Play("ann", card("JH"))) is ErrorCode.SUIT_CHOICE_PENDING
    assert refuse(state, rules.Draw("bob")) is ErrorCode.NOT_YOUR_TURN
    assert refuse(state, rules.ChooseSuit("bob", "clubs")) is ErrorCode.NOT_YOUR_TURN
    assert refuse(state, rules.Leave("ann")) is ErrorCode.PLAYER_FINISHED
    assert rules.legal_actions(state, "ann") == [rules.ChooseSuit("ann", s) for s in Suit]
    events = t.choose("ann", "diamonds")
    assert only(events, rules.TurnChanged) == rules.TurnChanged("bob", 0, Suit.DIAMONDS)
    assert t.state.current_player == "bob"


def test_the_turn_after_a_finisher_in_the_middle_goes_round_from_their_seat():
    state = position({"ann": "5S", "bob": "5C", "cid": "AH", "dee": "5D"}, top="9H", current="cid")
    state, events = play(state, "cid", "AH")
    assert only(events, rules.TurnSkipped).player == "dee"
    assert state.current_player == "ann"


@pytest.mark.parametrize("code", ["2C", "5H", "KH", "9S"])
def test_any_other_last_card_passes_the_turn_to_the_next_active_player(code):
    state = position({"ann": "5S", "bob": "5C", "cid": "", "dee": code}, top="9H", finished=["cid"], current="dee")
    state, _ = play(state, "dee", code)
    assert state.finished == ("cid", "dee")
    assert state.current_player == "ann"  # wraps round from dee's seat
