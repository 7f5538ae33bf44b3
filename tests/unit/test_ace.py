"""RULES.md §9: an Ace skips the next active player; with two active players the Ace player goes again."""

from __future__ import annotations

from checkgame import rules
from checkgame.rules import ErrorCode
from tests.support.harness import TableHarness
from tests.support.positions import card, only, play, position, refuse


def test_with_three_players_the_ace_skips_the_next_one():
    t = TableHarness(position({"ann": "AH 5H", "bob": "5S", "cid": "5C"}, top="9H"))
    events = t.play("ann", "AH")
    assert only(events, rules.TurnSkipped).player == "bob"
    assert t.state.current_player == "cid"
    assert t.seen_by("bob", "turn_skipped") == [{"player": "bob"}]


def test_the_skip_wraps_round_the_table():
    state = position({"ann": "5S", "bob": "5C", "cid": "AH 5H"}, top="9H", current="cid")
    state, events = play(state, "cid", "AH")
    assert only(events, rules.TurnSkipped).player == "ann"
    assert state.current_player == "bob"


def test_with_two_players_the_ace_player_plays_again():
    state = position({"ann": "AH 5S 5H", "bob": "5C"}, top="9H")
    state, events = play(state, "ann", "AH")
    assert only(events, rules.TurnSkipped).player == "bob"
    assert state.current_player == "ann"
    assert only(events, rules.TurnChanged).player == "ann"
    # ... and must play a legal card on the Ace, or draw
    assert refuse(state, rules.Play("ann", card("5S"))) is ErrorCode.INVALID_PLAY
    assert refuse(state, rules.Draw("bob")) is ErrorCode.NOT_YOUR_TURN
    assert rules.legal_actions(state, "ann") == [rules.Play("ann", card("5H")), rules.Draw("ann")]
    after, _ = play(state, "ann", "5H")
    assert after.current_player == "bob"


def test_with_two_players_the_ace_player_may_draw_instead():
    state = position({"ann": "AH 5S", "bob": "5C"}, top="9H")
    state, _ = play(state, "ann", "AH")
    state, _ = rules.apply(state, rules.Draw("ann"))
    assert state.current_player == "bob"


def test_finished_players_do_not_count():
    state = position({"ann": "AH 5H", "bob": "", "cid": "5S", "dee": "5C"}, top="9H", finished=["bob"])
    state, events = play(state, "ann", "AH")
    assert only(events, rules.TurnSkipped).player == "cid"  # bob finished: cid is the next active player
    assert state.current_player == "dee"


def test_two_active_players_among_more_seats_behave_like_two_players():
    state = position({"ann": "AH 5H", "bob": "", "cid": "5S", "dee": ""}, top="9H", finished=["dee", "bob"])
    state, events = play(state, "ann", "AH")
    assert only(events, rules.TurnSkipped).player == "cid"
    assert state.current_player == "ann"


def test_an_ace_on_an_ace_of_another_suit_is_legal_and_skips_again():
    state = position({"ann": "AH 5H", "bob": "5S", "cid": "AC 5C", "dee": "9D"}, top="9H")
    state, _ = play(state, "ann", "AH")
    assert state.current_player == "cid"
    state, events = play(state, "cid", "AC")
    assert only(events, rules.TurnSkipped).player == "dee"
    assert state.current_player == "ann"
