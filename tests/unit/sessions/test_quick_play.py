"""Quick-play tables in the session machine: they start when full, or when their wait ends (a deadline in the
state, acted on by Tick), with computer players only if everyone seated agreed."""

from __future__ import annotations

import json

import msgspec
import pytest

from checkgame import sessions
from checkgame.errors import ClientError
from checkgame.sessions import Join, QuickJoin, QuickPlay, Seat, SessionSettings, Status, Tick
from checkgame.sessions.machine import ComputersSeated, SeatTaken, TournamentStarted

WAIT_S = 30.0
OPENED_AT = 100.0


def table(size: int = 4, *, accepts: bool = True) -> sessions.SessionState:
    """A quick-play table that ``ann`` opened at ``OPENED_AT``."""
    state = sessions.new_session("T1", Seat("ann", "Ann", "u-ann"), 5, SessionSettings(max_players=size), OPENED_AT)
    quick = QuickPlay(OPENED_AT + WAIT_S, WAIT_S, ("ann",) if accepts else ())
    return msgspec.structs.replace(state, quick_play=quick)


def quick_join(
    state: sessions.SessionState, player: str, *, accepts: bool = True, at: float = 101.0
) -> sessions.Outcome:
    return sessions.apply(state, QuickJoin(player, player.title(), None, accepts), at)


def test_a_join_records_who_accepts_computer_players() -> None:
    state = quick_join(table(), "bob", accepts=False).state
    state = quick_join(state, "cat").state
    assert state.seated == ("ann", "bob", "cat")
    assert state.quick_play is not None
    assert state.quick_play.accepts_computers == ("ann", "cat")
    assert state.status is Status.WAITING


def test_the_join_that_fills_the_table_starts_it() -> None:
    state = quick_join(table(3), "bob").state
    outcome = quick_join(state, "cat", at=110.0)
    assert outcome.state.status is Status.PLAYING
    assert outcome.state.game_number == 1
    assert [e.type for e in outcome.entries][:2] == ["player_joined_session", "tournament_started"]
    assert TournamentStarted("T1", 10.0) in outcome.effects  # it waited 10 s from opening


def test_a_plain_join_that_fills_a_quick_play_table_starts_it_too() -> None:
    state = sessions.apply(table(2), Join("bob", "Bob"), 101.0).state
    assert state.status is Status.PLAYING


def test_nothing_happens_before_the_wait_ends() -> None:
    state = table()
    assert state.wake_at() == OPENED_AT + WAIT_S
    outcome = sessions.apply(state, Tick(), OPENED_AT + WAIT_S - 0.001)
    assert outcome.state.status is Status.WAITING
    assert outcome.entries == ()


def test_when_the_wait_ends_computer_players_fill_the_table_if_everyone_agreed() -> None:
    state = quick_join(table(4), "bob").state
    outcome = sessions.apply(state, Tick(), OPENED_AT + WAIT_S)
    after = outcome.state
    assert after.status is Status.PLAYING
    assert after.seated[:2] == ("ann", "bob")
    computers = after.seats[2:]
    assert [s.name for s in computers] == ["Bot 3", "Bot 4"]
    assert all(s.user_id is None for s in computers)
    assert ComputersSeated("T1", tuple((s.player_id, s.name) for s in computers)) in outcome.effects
    taken = [e.player.player_id for e in outcome.effects if isinstance(e, SeatTaken)]
    assert taken == [s.player_id for s in computers]  # stored like any seat
    assert TournamentStarted("T1", WAIT_S) in outcome.effects
    assert after.wake_at() == after.turn_deadline  # the quick-play deadline is gone with the wait


def test_computer_player_ids_are_unique_even_after_someone_left() -> None:
    state = quick_join(table(4), "bob").state
    state = sessions.apply(state, sessions.LeaveSession("bob"), 102.0).state
    after = sessions.apply(state, Tick(), OPENED_AT + WAIT_S).state
    ids = [s.player_id for s in after.seats]
    assert len(ids) == len(set(ids))
    assert len(after.seated) == 4


def test_without_everyone_agreeing_two_people_start_alone() -> None:
    state = quick_join(table(4), "bob", accepts=False).state
    outcome = sessions.apply(state, Tick(), OPENED_AT + WAIT_S)
    assert outcome.state.status is Status.PLAYING
    assert outcome.state.seated == ("ann", "bob")
    assert not any(isinstance(e, ComputersSeated) for e in outcome.effects)


def test_a_lone_player_who_refused_computers_waits_another_round() -> None:
    state = table(4, accepts=False)
    after = sessions.apply(state, Tick(), OPENED_AT + WAIT_S + 1).state
    assert after.status is Status.WAITING
    assert after.quick_play is not None
    assert after.quick_play.start_at == OPENED_AT + WAIT_S + 1 + WAIT_S
    assert after.wake_at() == after.quick_play.start_at


def test_quick_join_is_refused_at_an_ordinary_table() -> None:
    state = sessions.new_session("S", Seat("ann", "Ann"), 5, SessionSettings(), 0.0)
    with pytest.raises(ClientError) as info:
        sessions.apply(state, QuickJoin("bob", "Bob"), 1.0)
    assert info.value.code == "NOT_QUICK_PLAY"


def test_a_full_table_refuses_the_next_quick_join() -> None:
    state = quick_join(table(2), "bob").state
    with pytest.raises(ClientError) as info:
        quick_join(state, "cat")
    assert info.value.code == "SESSION_STARTED"


def test_the_snapshot_shows_when_a_waiting_table_starts() -> None:
    assert sessions.snapshot(table(), None)["quickPlayStartsAt"] == OPENED_AT + WAIT_S
    started = quick_join(table(2), "bob").state
    assert sessions.snapshot(started, None)["quickPlayStartsAt"] is None


def test_quick_play_survives_serialisation() -> None:
    state = quick_join(table(), "bob", accepts=False).state
    raw = json.loads(json.dumps(sessions.to_dict(state)))
    assert sessions.from_dict(raw) == state
    ordinary = sessions.new_session("S", Seat("ann", "Ann"), 5, SessionSettings(), 0.0)
    assert "quick_play" not in sessions.to_dict(ordinary)  # older readers see the format they know
