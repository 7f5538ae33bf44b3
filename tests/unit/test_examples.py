"""RULES.md §17: the worked examples, one test per bullet."""

from __future__ import annotations

from checkgame import rules
from checkgame.rules import EndReason, ErrorCode
from tests.support.harness import TableHarness
from tests.support.positions import card, only, play, position, refuse


def test_top_2h_5h_is_legal_5s_is_not_2c_is_legal():
    state = position({"ann": "5H 5S 2C", "bob": "KD"}, top="9S 2H")
    assert play(state, "ann", "5H")[0].top_card == card("5H")
    assert refuse(state, rules.Play("ann", card("5S"))) is ErrorCode.INVALID_PLAY
    assert play(state, "ann", "2C")[0].top_card == card("2C")


def test_top_js_with_hearts_demanded():
    state = position({"ann": "5H 9S JD JOKER_RED JOKER_BLACK", "bob": "KD"}, top="JS", demanded="hearts")
    assert play(state, "ann", "5H")[0].demanded_suit is None
    assert refuse(state, rules.Play("ann", card("9S"))) is ErrorCode.INVALID_PLAY
    assert play(state, "ann", "JD", "clubs")[0].demanded_suit is rules.Suit.CLUBS
    assert play(state, "ann", "JOKER_RED")[0].penalty == 4
    assert refuse(state, rules.Play("ann", card("JOKER_BLACK"))) is ErrorCode.INVALID_PLAY


def test_top_7c_with_p_2():
    hands = {"ann": "JOKER_RED JOKER_BLACK 7D 2C", "bob": "5C 5D 9H", "cid": "KS"}
    state = position(hands, top="7C", penalty=2)
    for joker in ("JOKER_RED", "JOKER_BLACK"):  # either colour, P becomes 6
        after, _ = play(state, "ann", joker)
        assert (after.penalty, after.current_player) == (6, "bob")
    after, _ = play(state, "ann", "7D")
    assert after.penalty == 4
    assert refuse(state, rules.Play("ann", card("2C"))) is ErrorCode.MUST_COUNTER_OR_DRAW
    t = TableHarness(state)
    events = t.draw("ann")
    assert len(only(events, rules.CardsDrawn).cards) == 2
    assert t.state.current_player == "bob"
    assert t.state.penalty == 0
    # the next player then matches 7C normally
    assert t.state.top_card == card("7C")
    assert t.refuse(rules.Play("bob", card("5D"))) is ErrorCode.INVALID_PLAY
    assert t.refuse(rules.Play("bob", card("9H"))) is ErrorCode.INVALID_PLAY
    t.play("bob", "5C")


def test_ace_with_three_players_c_plays_next_with_two_players_a_plays_again():
    three = position({"A": "AH 5H", "B": "5S", "C": "5C"}, top="9H")
    assert play(three, "A", "AH")[0].current_player == "C"
    two = position({"A": "AH 5H", "B": "5S"}, top="9H")
    assert play(two, "A", "AH")[0].current_player == "A"


def test_last_card_a_seven_attacks_the_next_player():
    state = position({"A": "7H", "B": "5S", "C": "5C"}, top="9H")
    state, events = play(state, "A", "7H")
    assert only(events, rules.PlayerFinished).player == "A"
    assert state.finished == ("A",)
    assert (state.current_player, state.penalty) == ("B", 2)


def test_two_players_last_card_the_other_loses():
    state = position({"A": "5H", "B": "5S 6S"}, top="9H")
    state, events = play(state, "A", "5H")
    assert state.finished == ("A",)
    assert state.loser == "B"
    assert state.is_over
    assert only(events, rules.GameEnded) == rules.GameEnded("B", ("A", "B"), EndReason.LAST_PLAYER)
    assert refuse(state, rules.Draw("B")) is ErrorCode.GAME_OVER
