"""RULES.md §3: 2–8 players, fixed seat order, always clockwise, finished seats skipped."""

from __future__ import annotations

import pytest

from checkgame import rules
from checkgame.rules.engine import _next_active
from tests.support.harness import TableHarness
from tests.support.positions import draw, only, play, position


@pytest.mark.parametrize("n", range(rules.MIN_PLAYERS, rules.MAX_PLAYERS + 1))
def test_two_to_eight_players_keep_the_seat_order_given(n):
    players = [f"p{i}" for i in range(n)][::-1]  # not alphabetical: seat order is join order
    state, events = rules.new_game(players, seed=1)
    assert state.players == tuple(players)
    assert only(events, rules.GameStarted).players == tuple(players)
    assert [entry["id"] for entry in rules.state_view(state, None)["players"]] == players


def test_play_goes_clockwise_and_wraps_round():
    table = TableHarness(
        position({"ann": "5H 6H", "bob": "5S 6S", "cid": "5D 6D", "dee": "5C 6C"}, top="KH", current="bob")
    )
    table.draw("bob")
    table.draw("cid")
    table.draw("dee")
    assert table.state.current_player == "ann"  # wrapped round from the last seat
    table.draw("ann")
    assert table.state.current_player == "bob"
    turns = [data["player"] for data in table.seen_by(None, "turn_changed")]
    assert turns == ["cid", "dee", "ann", "bob"]


def test_every_kind_of_move_passes_the_turn_clockwise():
    state = position({"ann": "5H 9H", "bob": "5S 9S", "cid": "5C 9C"}, top="5D", current="cid")
    state, _ = play(state, "cid", "5C")  # plain card
    assert state.current_player == "ann"
    state, _ = draw(state, "ann")  # draw
    assert state.current_player == "bob"
    state, _ = play(state, "bob", "5S")
    assert state.current_player == "cid"


def test_finished_seats_are_skipped():
    state = position(
        {"ann": "5H 9H", "bob": "", "cid": "", "dee": "5C 9C", "eve": "KS"},
        top="5D",
        finished=["cid", "bob"],
        current="eve",
    )
    state, _ = draw(state, "eve")
    assert state.current_player == "ann"
    state, events = play(state, "ann", "5H")
    assert state.current_player == "dee"  # bob and cid finished
    assert only(events, rules.TurnChanged).player == "dee"
    state, _ = draw(state, "dee")
    assert state.current_player == "eve"


def test_the_direction_is_always_clockwise():
    state = position({"ann": "AH 9H", "bob": "5S 9S", "cid": "5C 9C"}, top="5H")
    assert rules.state_view(state, None)["direction"] == "clockwise"
    state, _ = play(state, "ann", "AH")
    assert rules.state_view(state, "bob")["direction"] == "clockwise"
    assert state.current_player == "cid"  # an Ace skips forward; nothing reverses


def test_the_seat_stepper_counts_only_active_seats():
    """The engine's helper behind §3 and §9: the n-th active seat after a seat, wrapping round."""
    state = position({"ann": "5H", "bob": "", "cid": "5C", "dee": "5D", "eve": ""}, top="9H", finished=["bob", "eve"])
    assert _next_active(state, 0, state.finished) == 2
    assert _next_active(state, 0, state.finished, steps=2) == 3
    assert _next_active(state, 0, state.finished, steps=3) == 0
    assert _next_active(state, 3, state.finished, steps=2) == 2
    assert _next_active(state, 1, state.finished, steps=1) == 2  # from a finished seat too
