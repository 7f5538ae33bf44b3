"""RULES.md §13: the game ends when one active player remains; that player loses; GAME_OVER afterwards."""

from __future__ import annotations

import pytest

from checkgame import rules
from checkgame.rules import EndReason, ErrorCode
from tests.support.harness import TableHarness
from tests.support.positions import card, event_types, only, play, position, refuse


def test_the_last_active_player_loses_and_the_game_is_over():
    t = TableHarness(position({"ann": "5H", "bob": "5S 9S"}, top="9H"))
    events = t.play("ann", "5H")
    assert event_types(events) == ["card_played", "player_finished", "game_finished"]
    ended = only(events, rules.GameEnded)
    assert ended == rules.GameEnded("bob", ("ann", "bob"), EndReason.LAST_PLAYER)
    state = t.state
    assert state.is_over
    assert state.loser == "bob"
    assert state.current is None
    assert state.current_player is None  # there is no current player
    assert state.active_players == ()
    assert t.seen_by(None, "game_finished") == [{"loser": "bob", "placements": ["ann", "bob"], "reason": "last_player"}]
    view = rules.state_view(state, "bob")
    assert (view["loser"], view["currentPlayer"], view["finishOrder"]) == ("bob", None, ["ann"])
    assert [p["active"] for p in view["players"]] == [False, False]


def test_placements_are_the_finish_order_then_the_loser():
    state = position(
        {"ann": "", "bob": "5C", "cid": "5D", "dee": "", "eve": "KD"}, top="9D", finished=["dee", "ann"], current="cid"
    )
    state, _ = play(state, "cid", "5D")
    assert state.loser is None
    state, _ = rules.apply(state, rules.Draw("eve"))
    state, events = play(state, "bob", "5C")
    assert only(events, rules.GameEnded).placements == ("dee", "ann", "cid", "bob", "eve")
    assert state.loser == "eve"


def test_a_pending_penalty_is_void():
    state, events = play(position({"ann": "7H", "bob": "5S"}, top="9H"), "ann", "7H")
    assert only(events, rules.CardPlayed).penalty == 2
    assert state.penalty == 0
    assert "turn_changed" not in event_types(events)
    assert state.loser == "bob"


def test_a_pending_suit_choice_is_void():
    state, events = play(position({"ann": "JH", "bob": "5S"}, top="9H"), "ann", "JH")
    assert only(events, rules.CardPlayed).awaiting_suit is True
    assert not state.awaiting_suit
    assert state.current is None
    assert refuse(state, rules.ChooseSuit("ann", "hearts")) is ErrorCode.GAME_OVER


def test_a_skip_is_void():
    state, events = play(position({"ann": "AH", "bob": "5S"}, top="9H"), "ann", "AH")
    assert event_types(events) == ["card_played", "player_finished", "game_finished"]
    assert state.current is None


def test_a_three_player_game_plays_on_until_one_is_left():
    state = position({"ann": "5H", "bob": "9H", "cid": "KS 2S"}, top="9C", current="bob")
    state, _ = play(state, "bob", "9H")
    assert not state.is_over
    state, _ = rules.apply(state, rules.Draw("cid"))
    state, events = play(state, "ann", "5H")
    assert only(events, rules.GameEnded) == rules.GameEnded("cid", ("bob", "ann", "cid"), EndReason.LAST_PLAYER)


@pytest.mark.parametrize(
    "action",
    [
        rules.Play("bob", card("5S")),
        rules.Play("bob", card("JD"), "hearts"),
        rules.Play("ann", card("KH")),
        rules.Draw("bob"),
        rules.Draw("ann"),
        rules.ChooseSuit("bob", "hearts"),
        rules.ChooseSuit("ann", "nonsense"),
        rules.Leave("bob"),
        rules.Leave("ann"),
        rules.Leave("zed"),
        rules.Draw("zed"),
    ],
)
def test_every_action_after_the_end_is_refused_with_game_over(action):
    state, _ = play(position({"ann": "5H", "bob": "5S 9S"}, top="9H"), "ann", "5H")
    assert refuse(state, action) is ErrorCode.GAME_OVER
    assert rules.legal_actions(state, "bob") == []
    assert rules.legal_actions(state, "ann") == []
