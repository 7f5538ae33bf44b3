"""What an administrator can do to a session: kick a player, end the session, post a notice."""

from __future__ import annotations

from datetime import UTC, datetime

from checkgame import rules, sessions
from checkgame.sessions import EndSession, GameAction, Kick, Notice, Start, Status, Tick
from checkgame.sessions.machine import SeatReleased, SessionEnded
from tests.support.wire import wire
from tests.unit.sessions.test_machine import play_out_game, refused, started, waiting


def types(outcome: sessions.Outcome) -> list[str]:
    return [entry.type for entry in outcome.entries]


def test_a_kicked_player_is_announced_then_leaves_and_loses_the_running_game() -> None:
    state = started("ann", "bob", "cat")
    outcome = sessions.apply(state, Kick("bob", "abusive chat"), 5.0)
    assert outcome.entries[0].type == "player_kicked"
    assert wire(outcome.entries[0].data) == {"player": "bob", "reason": "abusive chat"}
    assert outcome.entries[1].type == "player_left_session"
    assert "bob" in outcome.state.left
    assert outcome.state.game is not None
    assert outcome.state.game.loser == "bob"  # a leaver loses the running game (RULES.md §14)
    assert outcome.state.status is Status.BETWEEN  # ann and cat play on


def test_kicking_the_second_of_two_players_ends_the_game_and_the_tournament() -> None:
    outcome = sessions.apply(started("ann", "bob"), Kick("bob"), 5.0)
    assert "game_finished" in types(outcome)
    assert outcome.state.status is Status.FINISHED
    assert outcome.state.tournament is not None
    assert outcome.state.tournament.ranking() == ("ann", "bob")


def test_a_player_kicked_before_the_start_frees_the_seat() -> None:
    outcome = sessions.apply(waiting("ann", "bob"), Kick("bob"), 5.0)
    assert types(outcome) == ["player_kicked", "player_left_session"]
    assert outcome.effects == (SeatReleased("S", "bob"),)
    assert outcome.state.seated == ("ann",)


def test_kicking_someone_without_a_seat_is_refused() -> None:
    state = started("ann", "bob")
    refused(state, Kick("zed"), "NOT_IN_SESSION")
    gone = sessions.apply(state, Kick("bob"), 5.0).state
    refused(gone, Kick("bob"), "NOT_IN_SESSION")


def test_ending_a_session_finishes_it_without_a_result_and_stops_its_timers() -> None:
    state = started("ann", "bob", "cat")
    outcome = sessions.apply(state, EndSession("server maintenance"), 7.0)
    assert types(outcome) == ["session_ended"]
    assert wire(outcome.entries[0].data) == {"reason": "server maintenance", "gameNumber": 1, "by": "operator"}
    assert outcome.effects == (SessionEnded("S", datetime.fromtimestamp(7.0, UTC)),)
    ended = outcome.state
    assert ended.status is Status.FINISHED
    assert ended.wake_at() is None
    assert ended.pending_results == ()  # no game result is invented
    game = ended.game
    assert game is not None
    assert game.current is not None
    refused(ended, GameAction(rules.Draw(game.players[game.current])), "GAME_OVER")
    assert sessions.apply(ended, Tick(), 1e9).entries == ()


def test_a_waiting_session_can_be_ended_and_then_nobody_starts_it() -> None:
    ended = sessions.apply(waiting("ann", "bob"), EndSession(), 3.0).state
    assert ended.status is Status.FINISHED
    refused(ended, Start("ann"), "SESSION_STARTED")


def test_a_finished_session_cannot_be_ended_again() -> None:
    ended = sessions.apply(waiting("ann", "bob"), EndSession(), 3.0).state
    refused(ended, EndSession(), "SESSION_FINISHED")


def test_ending_between_games_keeps_the_results_already_due() -> None:
    state, _ = play_out_game(started("ann", "bob", "cat"))
    assert state.status is Status.BETWEEN
    outcome = sessions.apply(state, EndSession(), 50.0)
    assert outcome.state.status is Status.FINISHED
    assert len(outcome.state.pending_results) == 1  # game 1 is still written to the database


def test_a_notice_is_a_public_entry_and_changes_nothing_else() -> None:
    state = started("ann", "bob")
    outcome = sessions.apply(state, Notice("the server restarts at 22:00"), 6.0)
    assert [(e.type, wire(e.data), wire(e.private)) for e in outcome.entries] == [
        ("notice", {"message": "the server restarts at 22:00", "from": "admin"}, None)
    ]
    assert outcome.state.seq == state.seq + 1
    assert outcome.state.version == state.version + 1
    assert outcome.state.game == state.game
    assert outcome.effects == ()
