"""RULES.md §5 (who starts) and §14 (the session: eliminations, leaving, ranking), and ``checkgame.tournament``."""

from __future__ import annotations

import random

import pytest

from checkgame import rules
from checkgame.rules import EndReason, ErrorCode, RuleViolation
from checkgame.tournament import Tournament
from tests.support.games import GameSetup, Policy, run_game
from tests.support.harness import TableHarness
from tests.support.positions import only, play, position, refuse

SEATS = ("ann", "bob", "cid", "dee")


def test_game_one_is_played_by_everybody_and_seat_one_starts():
    t = Tournament.start(list(SEATS))
    assert t.next_game() == (SEATS, "ann")
    assert (t.remaining, t.eliminated, t.games_played, t.winner, t.is_over) == (SEATS, (), 0, None, False)


def test_a_new_game_starts_with_seat_one_by_default():
    state, _ = rules.new_game(SEATS, seed=5)
    assert state.current_player == "ann"
    state, events = rules.new_game(SEATS, seed=5, first_player="cid")
    assert state.current_player == "cid"
    assert only(events, rules.GameStarted).first_player == "cid"


def test_the_loser_is_eliminated_and_the_next_seat_starts_the_next_game():
    t = Tournament.start(SEATS).record_loss("bob")
    assert t.eliminated == ("bob",)
    assert t.games_played == 1
    assert t.next_game() == (("ann", "cid", "dee"), "cid")


def test_the_starter_wraps_round_after_the_last_seat():
    t = Tournament.start(SEATS).record_loss("dee")
    assert t.next_game() == (("ann", "bob", "cid"), "ann")


def test_the_starter_skips_eliminated_seats():
    t = Tournament.start(SEATS).record_loss("bob").record_loss("ann")
    assert t.next_game() == (("cid", "dee"), "cid")  # bob, right after ann, is already out
    t = Tournament.start(SEATS).record_loss("ann").record_loss("dee")
    assert t.next_game() == (("bob", "cid"), "bob")  # wraps round over ann


def test_the_last_player_standing_wins_and_the_ranking_runs_backwards_through_eliminations():
    t = Tournament.start(SEATS)
    for loser in ("cid", "ann", "dee"):
        assert not t.is_over
        t = t.record_loss(loser)
    assert t.is_over
    assert t.winner == "bob"
    assert t.games_played == 3
    assert t.ranking() == ("bob", "dee", "ann", "cid")
    with pytest.raises(RuleViolation) as refused:
        t.next_game()
    assert refused.value.code is ErrorCode.GAME_OVER


def test_the_ranking_of_a_running_tournament_lists_the_remaining_first():
    t = Tournament.start(SEATS).record_loss("bob")
    assert t.ranking() == ("ann", "cid", "dee", "bob")


def test_leaving_between_games_is_an_elimination():
    t = Tournament.start(SEATS).record_loss("ann").withdraw("cid")
    assert t.eliminated == ("ann", "cid")
    assert t.games_played == 1  # no game was played for it
    assert t.next_game() == (("bob", "dee"), "dee")  # the starter follows the most recently eliminated
    assert t.withdraw("bob").winner == "dee"
    assert t.withdraw("bob").ranking() == ("dee", "bob", "cid", "ann")


@pytest.mark.parametrize(
    ("seats", "code"),
    [
        ([], ErrorCode.NOT_ENOUGH_PLAYERS),
        (["ann"], ErrorCode.NOT_ENOUGH_PLAYERS),
        ([f"p{i}" for i in range(9)], ErrorCode.TOO_MANY_PLAYERS),
        (["ann", "bob", "ann"], ErrorCode.DUPLICATE_PLAYER),
    ],
)
def test_a_tournament_seats_two_to_eight_distinct_players(seats, code):
    with pytest.raises(RuleViolation) as refused:
        Tournament.start(seats)
    assert refused.value.code is code


def test_eight_players_may_play():
    assert Tournament.start([f"p{i}" for i in range(8)]).next_game()[1] == "p0"


@pytest.mark.parametrize("who", ["zed", "bob"])
def test_only_remaining_players_can_be_eliminated(who):
    t = Tournament.start(SEATS).record_loss("bob")
    for eliminate in (t.record_loss, t.withdraw):
        with pytest.raises(RuleViolation) as refused:
            eliminate(who)
        assert refused.value.code is ErrorCode.PLAYER_NOT_FOUND


def test_leaving_mid_game_loses_that_game_at_once():
    t = TableHarness(position({"ann": "5H 9H", "bob": "5S", "cid": "5C 9C 2D", "dee": ""}, top="9D", finished=["dee"]))
    events = t.leave("cid")  # not cid's turn: leaving needs no turn
    ended = only(events, rules.GameEnded)
    assert ended.reason is EndReason.LEFT
    assert ended.loser == "cid"
    assert ended.placements[0] == "dee"
    assert ended.placements[-1] == "cid"
    assert t.state.is_over
    assert t.seen_by("ann", "game_finished")[0]["reason"] == "left"
    # the tournament sees exactly one elimination for the game
    tournament = Tournament.start(t.state.players).record_loss(ended.loser)
    assert tournament.eliminated == ("cid",)
    assert tournament.next_game() == (("ann", "bob", "dee"), "dee")


def test_leaving_ends_the_game_even_with_many_players_left():
    state, _ = rules.new_game(SEATS, seed=3)
    state, events = rules.apply(state, rules.Leave("ann"))
    assert state.loser == "ann"
    assert state.current is None
    assert only(events, rules.GameEnded).reason is EndReason.LEFT
    assert refuse(state, rules.Draw("bob")) is ErrorCode.GAME_OVER


def test_leaving_voids_a_pending_penalty_or_suit_choice():
    attacked = position({"ann": "5H", "bob": "5S", "cid": "5C"}, top="7D", penalty=2, current="bob")
    state, _ = rules.apply(attacked, rules.Leave("bob"))
    assert (state.penalty, state.current) == (0, None)
    choosing, _ = play(position({"ann": "JH 5H", "bob": "5S", "cid": "5C"}, top="9H"), "ann", "JH")
    state, _ = rules.apply(choosing, rules.Leave("ann"))
    assert (state.awaiting_suit, state.loser) == (False, "ann")
    state, _ = rules.apply(choosing, rules.Leave("cid"))  # somebody else leaves while ann chooses
    assert (state.awaiting_suit, state.loser) == (False, "cid")


def test_placements_after_a_leave_fewest_cards_first_ties_by_seat_after_the_leaver():
    state = position(
        {"ann": "", "bob": "5S 6S 8S", "cid": "5C 6C", "dee": "5D", "eve": "5H 6H 8H", "fay": "9H 9S"},
        top="KC",
        finished=["ann"],
        current="bob",
    )
    state, events = rules.apply(state, rules.Leave("cid"))
    # dee 1 card; fay 2; then eve and bob with 3 each: eve sits nearer after cid
    assert only(events, rules.GameEnded).placements == ("ann", "dee", "fay", "eve", "bob", "cid")


def test_a_finished_player_cannot_lose_the_game_by_leaving():
    state = position({"ann": "", "bob": "5S", "cid": "5C"}, top="KC", finished=["ann"], current="bob")
    assert refuse(state, rules.Leave("ann")) is ErrorCode.PLAYER_FINISHED
    assert refuse(state, rules.Leave("zed")) is ErrorCode.PLAYER_NOT_FOUND
    # the tournament eliminates them directly; the game's loser is eliminated as usual
    state, _ = rules.apply(state, rules.Draw("bob"))
    state, events = play(state, "cid", "5C")
    loser = only(events, rules.GameEnded).loser
    t = Tournament.start(["ann", "bob", "cid"]).withdraw("ann").record_loss(loser)
    assert t.winner == "cid"
    assert t.ranking() == ("cid", "bob", "ann")


def test_a_whole_tournament_eliminates_one_player_per_game():
    seats = ("ann", "bob", "cid", "dee", "eve")
    t = Tournament.start(seats)
    rng = random.Random(5)
    previous_loser = None
    games = 0
    while not t.is_over:
        table, first = t.next_game()
        assert len(table) == len(seats) - games
        if previous_loser is None:
            assert first == "ann"
        else:
            after = seats.index(previous_loser)
            assert first == next(seats[(after + k) % 5] for k in range(1, 5) if seats[(after + k) % 5] in table)
        final, _, events = run_game(GameSetup(table, seed=games, first_player=first), rng, Policy())
        assert isinstance(events[0], rules.GameStarted)
        assert events[0].first_player == first
        assert final.loser is not None
        previous_loser = final.loser
        t = t.record_loss(final.loser)
        games += 1
    assert games == len(seats) - 1
    assert sorted(t.ranking()) == sorted(seats)
    assert t.ranking()[1] == previous_loser
    assert t.winner == t.ranking()[0]
