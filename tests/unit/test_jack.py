"""RULES.md §10: the Jack names a suit, in one message or two; the awaiting-suit state and its codes."""

from __future__ import annotations

import pytest

from checkgame import rules
from checkgame.rules import ErrorCode, Suit
from tests.support.harness import TableHarness
from tests.support.positions import card, draw, event_types, only, play, position, refuse

HANDS = {"ann": "JC 5H 9C", "bob": "5S 9S 2D", "cid": "5D 9D KH"}


@pytest.mark.parametrize("suit", [s.value for s in Suit])
def test_one_message_the_play_carries_the_suit(suit):
    t = TableHarness(position(HANDS, top="9H"))
    events = t.play("ann", "JC", suit)
    played = only(events, rules.CardPlayed)
    assert (played.suit, played.awaiting_suit) == (Suit(suit), False)
    assert t.state.demanded_suit is Suit(suit)  # any suit, the Jack's own (clubs) included
    assert not t.state.awaiting_suit
    assert t.state.current_player == "bob"
    turn = only(events, rules.TurnChanged)
    assert (turn.player, turn.demanded_suit) == ("bob", Suit(suit))
    assert t.seen_by("cid", "card_played")[-1]["chosenSuit"] == suit
    assert t.seen_by(None, "turn_changed")[-1]["demandedSuit"] == suit


def test_two_messages_a_play_without_a_suit_then_choose_suit():
    t = TableHarness(position(HANDS, top="9H"))
    events = t.play("ann", "JC")
    assert event_types(events) == ["card_played"]
    played = only(events, rules.CardPlayed)
    assert (played.suit, played.awaiting_suit) == (None, True)
    assert t.state.awaiting_suit
    assert t.state.current_player == "ann"
    assert t.state.demanded_suit is None
    assert rules.state_view(t.state, "bob")["awaitingSuit"] is True
    events = t.choose("ann", "diamonds")
    assert event_types(events) == ["suit_chosen", "turn_changed"]
    assert only(events, rules.SuitChosen) == rules.SuitChosen("ann", Suit.DIAMONDS)
    assert only(events, rules.TurnChanged) == rules.TurnChanged("bob", 0, Suit.DIAMONDS)
    chosen = t.state
    assert (chosen.demanded_suit, chosen.awaiting_suit, chosen.current_player) == (Suit.DIAMONDS, False, "bob")
    assert t.seen_by(None, "suit_chosen") == [{"player": "ann", "suit": "diamonds"}]


def test_while_awaiting_a_suit_only_the_choosers_choose_suit_is_accepted():
    state, _ = play(position(HANDS, top="9H"), "ann", "JC")
    assert refuse(state, rules.Play("ann", card("5H"))) is ErrorCode.SUIT_CHOICE_PENDING
    assert refuse(state, rules.Play("ann", card("JC"))) is ErrorCode.SUIT_CHOICE_PENDING  # no longer held
    assert refuse(state, rules.Draw("ann")) is ErrorCode.SUIT_CHOICE_PENDING
    for other in ("bob", "cid"):
        assert refuse(state, rules.ChooseSuit(other, "hearts")) is ErrorCode.NOT_YOUR_TURN
        assert refuse(state, rules.Play(other, card("5S"))) is ErrorCode.NOT_YOUR_TURN
        assert refuse(state, rules.Draw(other)) is ErrorCode.NOT_YOUR_TURN
    assert refuse(state, rules.ChooseSuit("ann", "stars")) is ErrorCode.INVALID_SUIT
    assert refuse(state, rules.ChooseSuit("zed", "hearts")) is ErrorCode.PLAYER_NOT_FOUND
    assert rules.legal_actions(state, "bob") == []


@pytest.mark.parametrize("bad", ["", "Hearts", "HEARTS", "stars", "red", "H"])
def test_unknown_suits_are_refused(bad):
    state = position(HANDS, top="9H")
    assert refuse(state, rules.Play("ann", card("JC"), bad)) is ErrorCode.INVALID_SUIT
    awaiting, _ = play(state, "ann", "JC")
    assert refuse(awaiting, rules.ChooseSuit("ann", bad)) is ErrorCode.INVALID_SUIT


def test_a_suit_is_not_a_suit_name_of_another_type():
    state = position(HANDS, top="9H")
    odd = rules.Play("ann", card("JC"), 3)  # type: ignore[arg-type]  # a malformed message
    assert refuse(state, odd) is ErrorCode.INVALID_SUIT


def test_choose_suit_with_nothing_pending():
    state = position(HANDS, top="9H")
    assert refuse(state, rules.ChooseSuit("ann", "hearts")) is ErrorCode.NO_SUIT_CHOICE_PENDING
    after_jack, _ = play(state, "ann", "JC", "hearts")
    assert refuse(after_jack, rules.ChooseSuit("bob", "spades")) is ErrorCode.NO_SUIT_CHOICE_PENDING


def test_drawing_does_not_clear_the_demand():
    t = TableHarness(position(HANDS, top="9H"))
    t.play("ann", "JC", "hearts")
    t.draw("bob")
    assert t.state.demanded_suit is Suit.HEARTS
    assert t.seen_by("cid", "turn_changed")[-1] == {"player": "cid", "pendingPenalty": 0, "demandedSuit": "hearts"}
    assert rules.playable_cards(t.state.hand_of("cid"), t.state.top_card, t.state.demanded_suit, 0) == [card("KH")]
    assert t.refuse(rules.Play("cid", card("5D"))) is ErrorCode.INVALID_PLAY
    t.draw("cid")
    t.draw("ann")
    assert t.state.demanded_suit is Suit.HEARTS  # still in force a whole round later
    t.play("bob", "2D")
    assert t.state.demanded_suit is None


def test_the_demand_is_cleared_by_a_card_played_on_the_jack():
    state, _ = play(position(HANDS, top="9H"), "ann", "JC", "spades")
    state, events = play(state, "bob", "9S")
    assert state.demanded_suit is None
    assert only(events, rules.TurnChanged).demanded_suit is None


def test_a_jack_cannot_answer_an_attack():
    state = position({"ann": "JC 5H", "bob": "5S"}, top="7H", penalty=2)
    assert refuse(state, rules.Play("ann", card("JC"), "hearts")) is ErrorCode.MUST_COUNTER_OR_DRAW
    assert refuse(state, rules.Play("ann", card("JC"))) is ErrorCode.MUST_COUNTER_OR_DRAW


def test_after_the_choice_the_turn_goes_to_the_next_active_player():
    state = position({"ann": "JC 5H", "bob": "", "cid": "5D", "dee": "5S"}, top="9H", finished=["bob"])
    state, _ = play(state, "ann", "JC")
    state, events = rules.apply(state, rules.ChooseSuit("ann", "clubs"))
    assert only(events, rules.TurnChanged).player == "cid"
    assert state.current_player == "cid"


def test_a_draw_with_a_demand_passes_it_on_and_keeps_the_jack_on_top():
    state = position({"ann": "5H", "bob": "5S 9S"}, top="JD", demanded="spades", current="bob", draw="KC KD")
    state, events = draw(state, "bob")
    assert only(events, rules.TurnChanged) == rules.TurnChanged("ann", 0, Suit.SPADES)
    assert state.top_card == card("JD")
