"""The session machine: seats, tournament progression around the engine, deadlines (RULES.md §5, §13, §14)."""

from __future__ import annotations

import dataclasses
import json

import msgspec
import pytest

from checkgame import rules, sessions
from checkgame.errors import ClientError
from checkgame.sessions import GameAction, Join, LeaveSession, Seat, SessionSettings, Start, Status, Tick
from checkgame.sessions.machine import RECORD_RETRY_S, SeatReleased, SeatTaken, TournamentResult, TournamentStarted
from checkgame.store.base import GameResult
from tests.support.wire import wire

SETTINGS = SessionSettings(max_players=4, turn_timeout_s=30, next_game_delay_s=5, grace_s=60)


def waiting(*players: str, settings: SessionSettings = SETTINGS, connected: bool = True) -> sessions.SessionState:
    """A session seating ``players``, each with an open connection unless ``connected`` is False."""
    state = sessions.new_session("S", Seat(players[0], players[0].upper()), 99, settings, 0.0)
    for p in players[1:]:
        state = sessions.apply(state, Join(p, p.upper()), 1.0).state
    for p in players if connected else ():
        state = sessions.apply(state, sessions.Connect(p), 1.0).state
    return state


def started(*players: str) -> sessions.SessionState:
    return sessions.apply(waiting(*players), Start(players[0]), 2.0).state


def refused(state: sessions.SessionState, command: sessions.Command, code: str) -> None:
    with pytest.raises(ClientError) as info:
        sessions.apply(state, command, 3.0)
    assert info.value.code == code


def play_out_game(
    state: sessions.SessionState, now: float = 10.0
) -> tuple[sessions.SessionState, list[sessions.Entry]]:
    """Play the running game to its end with the first legal non-draw action (or a draw)."""
    entries: list[sessions.Entry] = []
    number = state.game_number
    while state.status is Status.PLAYING and state.game_number == number:
        game = state.game
        assert game is not None
        assert game.current is not None
        legal = rules.legal_actions(game, game.players[game.current])
        outcome = sessions.apply(state, GameAction(legal[0]), now)  # type: ignore[arg-type]
        state, now = outcome.state, now + 1
        entries.extend(outcome.entries)
    return state, entries


# -- seats


def test_join_takes_the_next_seat_and_logs_it() -> None:
    state = waiting("ann")
    outcome = sessions.apply(state, Join("bob", "Bob"), 1.0)
    assert [s.player_id for s in outcome.state.seats] == ["ann", "bob"]
    (entry,) = outcome.entries
    assert (entry.seq, entry.type, wire(entry.data)) == (
        1,
        "player_joined_session",
        {"player": "bob", "name": "Bob", "seat": 2},
    )
    assert outcome.state.version == state.version + 1


def test_a_full_session_refuses_a_player() -> None:
    refused(waiting("a", "b", "c", "d"), Join("e", "E"), "SESSION_FULL")


def test_joining_twice_is_refused_and_changes_nothing() -> None:
    state = waiting("ann", "bob")
    refused(state, Join("bob", "Bob"), "ALREADY_JOINED")


def test_nobody_joins_after_the_start() -> None:
    refused(started("ann", "bob"), Join("cid", "Cid"), "SESSION_STARTED")


def test_a_player_who_left_before_the_start_may_come_back() -> None:
    state = sessions.apply(waiting("ann", "bob"), LeaveSession("bob"), 1.0).state
    assert state.seated == ("ann",)
    state = sessions.apply(state, Join("bob", "Bob"), 2.0).state
    assert state.seated == ("ann", "bob")


def test_when_the_creator_leaves_before_the_start_the_next_seat_may_start() -> None:
    outcome = sessions.apply(waiting("ann", "bob", "cid"), LeaveSession("ann"), 1.0)
    assert outcome.state.creator == "bob"
    assert [e.type for e in outcome.entries] == ["player_left_session", "creator_changed"]


def test_leaving_without_a_seat_is_refused() -> None:
    refused(waiting("ann"), LeaveSession("zed"), "NOT_IN_SESSION")


# -- start


def test_a_waiting_table_nobody_sits_at_closes() -> None:
    """A creator alone who leaves does not strand a "0 of 4" table that nobody may start (NOT_CREATOR)."""
    outcome = sessions.apply(waiting("ann"), LeaveSession("ann"), 3.0)
    assert outcome.state.status is Status.FINISHED
    assert [e.type for e in outcome.entries] == ["player_left_session", "session_ended"]
    assert wire(outcome.entries[-1].data) == {"reason": "everybody left the table", "gameNumber": 0, "by": "server"}
    assert [type(e).__name__ for e in outcome.effects] == ["SeatReleased", "SessionEnded"]
    assert outcome.state.wake_at() is None
    refused(outcome.state, Join("bob", "Bob"), "SESSION_FINISHED")


def test_a_waiting_table_closes_after_its_idle_time_and_each_join_or_leave_renews_it() -> None:
    settings = dataclasses.replace(SETTINGS, waiting_idle_s=600.0)
    state = waiting("ann", "bob", settings=settings)  # bob joined at 1.0
    assert state.waiting_until == 601.0
    assert state.wake_at() == 601.0
    state = sessions.apply(state, Join("cy", "CY"), 500.0).state
    assert state.waiting_until == 1100.0
    assert sessions.apply(state, Tick(), 1099.0).state.status is Status.WAITING
    outcome = sessions.apply(state, Tick(), 1100.0)
    assert outcome.state.status is Status.FINISHED
    assert wire(outcome.entries[-1].data)["reason"] == "nobody joined, left or started it for 10 minutes"
    assert wire(outcome.entries[-1].data)["by"] == "server"
    started_state = sessions.apply(state, Start("ann"), 600.0).state
    assert started_state.waiting_until is None  # a running tournament never expires


def test_only_the_creator_starts() -> None:
    refused(waiting("ann", "bob"), Start("bob"), "NOT_CREATOR")


def test_a_tournament_needs_two_players() -> None:
    refused(waiting("ann"), Start("ann"), "NOT_ENOUGH_PLAYERS")


def test_start_deals_game_one_with_seat_one_first() -> None:
    outcome = sessions.apply(waiting("ann", "bob", "cid"), Start("ann"), 2.0)
    state = outcome.state
    assert state.status is Status.PLAYING
    assert state.game is not None
    assert state.game.current_player == "ann"  # §5: game 1 starts with seat 1
    assert [e.type for e in outcome.entries] == ["tournament_started", "game_started"]
    assert outcome.effects == (TournamentStarted("S"),)
    assert state.turn_deadline == 2.0 + SETTINGS.turn_timeout_s
    refused(state, Start("ann"), "SESSION_STARTED")


def test_game_started_shows_each_player_only_their_own_hand() -> None:
    outcome = sessions.apply(waiting("ann", "bob"), Start("ann"), 2.0)
    dealt = outcome.entries[-1]
    assert "hand" not in wire(dealt.data)
    game = outcome.state.game
    assert game is not None
    for player in ("ann", "bob"):
        hand = wire(dealt.data_for(player))["hand"]
        assert hand == [rules.card_to_wire(c) for c in game.hand_of(player)]
    assert "hand" not in wire(dealt.data_for("stranger"))
    assert "hand" not in wire(dealt.data_for(None))


def test_session_seeds_make_games_reproducible_and_distinct() -> None:
    a, b = started("ann", "bob"), started("ann", "bob")
    assert a.game == b.game
    other = msgspec.structs.replace(waiting("ann", "bob"), seed=100)
    assert sessions.apply(other, Start("ann"), 2.0).state.game != a.game


# -- game actions


def test_no_move_before_the_start() -> None:
    refused(waiting("ann", "bob"), GameAction(rules.Draw("ann")), "GAME_OVER")


def test_a_refused_move_carries_the_rules_code_and_changes_nothing() -> None:
    state = started("ann", "bob")
    refused(state, GameAction(rules.Draw("bob")), "NOT_YOUR_TURN")


def test_a_retried_action_id_is_applied_once() -> None:
    state = started("ann", "bob")
    first = sessions.apply(state, GameAction(rules.Draw("ann"), "x1"), 3.0)
    assert [e.type for e in first.entries] == ["card_drawn", "turn_changed"]
    again = sessions.apply(first.state, GameAction(rules.Draw("ann"), "x1"), 4.0)
    assert again.duplicate
    assert again.state is first.state
    assert again.entries == ()


def test_the_same_action_id_from_another_player_is_a_different_action() -> None:
    state = sessions.apply(started("ann", "bob"), GameAction(rules.Draw("ann"), "x1"), 3.0).state
    outcome = sessions.apply(state, GameAction(rules.Draw("bob"), "x1"), 4.0)
    assert not outcome.duplicate


def test_drawn_cards_are_private_to_the_drawer() -> None:
    outcome = sessions.apply(started("ann", "bob"), GameAction(rules.Draw("ann")), 3.0)
    drawn = outcome.entries[0]
    assert "cards" not in wire(drawn.data)
    assert "cards" not in wire(drawn.data_for("bob"))
    assert len(wire(drawn.data_for("ann"))["cards"]) == 1


def test_entries_are_numbered_without_gaps_and_survive_json() -> None:
    state = started("ann", "bob", "cid")
    state, entries = play_out_game(state)
    seqs = [e.seq for e in entries]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    assert state.seq == seqs[-1]
    for entry in entries:
        assert sessions.Entry.from_dict(json.loads(json.dumps(entry.to_dict()))) == entry


# -- end of a game, tournament


def test_the_loser_is_eliminated_and_the_next_game_waits_for_the_pause() -> None:
    state, entries = play_out_game(started("ann", "bob", "cid"), now=10.0)
    assert state.status is Status.BETWEEN
    types = [e.type for e in entries]
    assert types[-2:] == ["game_finished", "player_eliminated"]
    loser = wire(entries[-1].data)["player"]
    assert state.tournament is not None
    assert state.tournament.eliminated == (loser,)
    assert state.next_game_at is not None
    assert state.wake_at() == state.next_game_at
    early = sessions.apply(state, Tick(), state.next_game_at - 0.1)
    assert early.state.status is Status.BETWEEN
    assert early.entries == ()
    later = sessions.apply(state, Tick(), state.next_game_at)
    assert later.state.status is Status.PLAYING
    assert later.state.game_number == 2
    game = later.state.game
    assert game is not None
    assert loser not in game.players
    seats = ["ann", "bob", "cid"]
    expected_first = next(
        seats[(seats.index(loser) + k) % 3] for k in (1, 2) if seats[(seats.index(loser) + k) % 3] != loser
    )
    assert game.current_player == expected_first  # §5


def test_a_finished_game_is_recorded_with_everything_needed_to_replay_it() -> None:
    state = started("ann", "bob")
    game0 = state.game
    assert game0 is not None
    effects: list[sessions.machine.Effect] = []
    now = 10.0
    while state.status is Status.PLAYING:
        game = state.game
        assert game is not None
        assert game.current is not None
        legal = rules.legal_actions(game, game.players[game.current])
        outcome = sessions.apply(state, GameAction(legal[0]), now)  # type: ignore[arg-type]
        state, now = outcome.state, now + 1
        effects.extend(outcome.effects)
    result, final = effects
    assert isinstance(result, GameResult)
    assert isinstance(final, TournamentResult)
    replay = rules.new_game(result.players, result.seed, hand_size=result.hand_size, first_player=result.first_player)[
        0
    ]
    assert replay == game0
    for record in result.actions:
        player = str(record["player"])
        action: rules.Action
        if record["type"] == "play":
            action = rules.Play(player, rules.parse_card(record["card"]), record.get("suit"))
        elif record["type"] == "choosesuit":
            action = rules.ChooseSuit(player, str(record["suit"]))
        else:
            action = rules.Draw(player)
        replay = rules.apply(replay, action)[0]
    assert replay.loser == result.loser
    assert replay.finished == result.placements[:-1]
    assert final.ranking == (result.placements[0], result.loser)
    assert state.status is Status.FINISHED
    assert state.pending_results == (result, final)  # kept until a recorder says they are stored
    assert state.wake_at() == state.results_retry_at
    for stored in (result.id, "tournament"):
        state = sessions.apply(state, sessions.Recorded(stored), now).state
    assert state.pending_results == ()
    assert state.wake_at() is None


def test_a_result_nobody_acknowledges_is_offered_again_and_acknowledged_once() -> None:
    ended = sessions.apply(started("ann", "bob", "cid"), LeaveSession("bob"), 5.0)
    (result,) = [e for e in ended.effects if isinstance(e, GameResult)]
    state = ended.state
    assert state.results_retry_at == 5.0 + RECORD_RETRY_S
    early = sessions.apply(state, Tick(), 5.0 + SETTINGS.next_game_delay_s)  # the next game, no retry yet
    assert result not in early.effects
    again = sessions.apply(early.state, Tick(), 5.0 + RECORD_RETRY_S)  # its recorder's node may have died
    assert result in again.effects
    assert again.state.results_retry_at == 5.0 + 2 * RECORD_RETRY_S
    acked = sessions.apply(again.state, sessions.Recorded(result.id), 40.0)
    assert [(e.type, wire(e.data)) for e in acked.entries] == [("game_recorded", {"gameId": result.id})]
    assert acked.state.pending_results == ()
    assert acked.state.results_retry_at is None
    late = sessions.apply(acked.state, sessions.Recorded(result.id), 41.0)  # the first recorder, late
    assert late.entries == ()


def test_a_whole_tournament_eliminates_one_player_per_game() -> None:
    state = started("a", "b", "c", "d")
    now, games = 10.0, 0
    while state.status is not Status.FINISHED:
        if state.status is Status.BETWEEN:
            assert state.next_game_at is not None
            now = state.next_game_at
            state = sessions.apply(state, Tick(), now).state
        state, _ = play_out_game(state, now)
        games += 1
        now += 500
    assert games == 3
    assert state.tournament is not None
    ranking = state.tournament.ranking()
    assert sorted(ranking) == ["a", "b", "c", "d"]
    assert ranking[1:] == tuple(reversed(state.tournament.eliminated))
    refused(state, GameAction(rules.Draw("a")), "GAME_OVER")


# -- leaving (§14)


def test_leaving_mid_game_loses_that_game_at_once() -> None:
    outcome = sessions.apply(started("ann", "bob", "cid"), LeaveSession("bob"), 5.0)
    types = [e.type for e in outcome.entries]
    assert types == ["player_left_session", "game_finished", "player_eliminated"]
    assert wire(outcome.entries[1].data)["loser"] == "bob"
    assert wire(outcome.entries[1].data)["reason"] == "left"
    assert outcome.state.status is Status.BETWEEN
    assert outcome.state.tournament is not None
    assert outcome.state.tournament.eliminated == ("bob",)


def test_leaving_between_games_is_an_elimination_and_may_end_the_tournament() -> None:
    state, _ = play_out_game(started("ann", "bob", "cid"))
    assert state.tournament is not None
    survivor, leaver = state.tournament.remaining
    outcome = sessions.apply(state, LeaveSession(leaver), 50.0)
    assert [e.type for e in outcome.entries] == ["player_left_session", "player_eliminated", "tournament_finished"]
    assert outcome.state.status is Status.FINISHED
    assert wire(outcome.entries[-1].data)["winner"] == survivor


def test_an_eliminated_player_leaving_changes_no_standings() -> None:
    state, entries = play_out_game(started("ann", "bob", "cid"))
    loser = wire(entries[-1].data)["player"]
    outcome = sessions.apply(state, LeaveSession(loser), 50.0)
    assert [e.type for e in outcome.entries] == ["player_left_session"]
    assert outcome.state.tournament == state.tournament


# -- timers and absence


def test_the_turn_timer_draws_for_a_player_who_does_not_move() -> None:
    state = started("ann", "bob")
    assert state.turn_deadline is not None
    outcome = sessions.apply(state, Tick(), state.turn_deadline)
    assert [e.type for e in outcome.entries[:2]] == ["turn_timeout", "card_drawn"]
    assert wire(outcome.entries[0].data) == {"player": "ann"}
    assert outcome.state.game is not None
    assert outcome.state.game.current_player == "bob"


def test_the_turn_timer_takes_the_penalty_under_attack() -> None:
    state = started("ann", "bob")
    position = rules.to_dict(state.game)  # type: ignore[arg-type]
    position["hands"] = {"ann": ["2C", "3C"], "bob": ["4D", "5D"]}
    position["pending_penalty"] = 4
    position["current_player"] = "ann"
    used = {c for h in position["hands"].values() for c in h} | {"JOKER_RED"}
    position["draw_pile"] = [c for c in position["draw_pile"] if c not in used]
    position["discard_pile"] = [c for c in position["discard_pile"] if c not in used] + ["JOKER_RED"]
    state = msgspec.structs.replace(state, game=rules.from_dict(position), turn_deadline=10.0)
    outcome = sessions.apply(state, Tick(), 10.0)
    drawn = outcome.entries[1]
    assert drawn.type == "card_drawn"
    assert wire(drawn.data)["count"] == 4
    assert wire(drawn.data)["penalty"] is True


def test_the_turn_timer_names_the_suit_the_player_holds_most_of() -> None:
    state = started("ann", "bob")
    position = rules.to_dict(state.game)  # type: ignore[arg-type]
    position["hands"] = {"ann": ["3D", "5D", "4C"], "bob": ["4H", "5H"]}
    position["awaiting_suit"] = True
    position["current_player"] = "ann"
    used = {c for h in position["hands"].values() for c in h}
    position["draw_pile"] = [c for c in position["draw_pile"] if c not in used]
    position["discard_pile"] = [c for c in position["discard_pile"] if c not in used] + ["JS"]
    position["draw_pile"] = [c for c in position["draw_pile"] if c != "JS"]
    state = msgspec.structs.replace(state, game=rules.from_dict(position), turn_deadline=10.0)
    outcome = sessions.apply(state, Tick(), 10.0)
    chosen = outcome.entries[1]
    assert chosen.type == "suit_chosen"
    assert wire(chosen.data) == {"player": "ann", "suit": "diamonds"}


def test_a_dropped_player_keeps_the_seat_for_the_grace_period_then_loses() -> None:
    state = started("ann", "bob", "cid")
    away = sessions.apply(state, sessions.Disconnect("bob"), 5.0)
    assert [e.type for e in away.entries] == ["player_disconnected"]
    assert away.state.absent == (("bob", 5.0 + SETTINGS.grace_s),)
    back = sessions.apply(away.state, sessions.Connect("bob"), 6.0)
    assert [e.type for e in back.entries] == ["player_reconnected"]
    assert back.state.absent == ()
    gone = sessions.apply(away.state, Tick(), 5.0 + SETTINGS.grace_s)
    assert [e.type for e in gone.entries][:3] == ["player_left_session", "game_finished", "player_eliminated"]
    assert wire(gone.entries[1].data)["loser"] == "bob"


def test_connect_without_absence_and_repeated_disconnects_log_nothing() -> None:
    state = started("ann", "bob")
    assert sessions.apply(state, sessions.Connect("ann"), 1.0).entries == ()  # a second tab
    away = sessions.apply(state, sessions.Disconnect("ann"), 1.0).state
    assert sessions.apply(away, sessions.Disconnect("ann"), 2.0).entries == ()


def test_seats_nobody_plays_start_their_grace_period_when_a_game_is_dealt() -> None:
    state = sessions.apply(waiting("ann", "bob", "cid", connected=False), sessions.Connect("ann"), 1.0).state
    assert sessions.snapshot(state, None)["seats"][1]["connected"] is False
    outcome = sessions.apply(state, Start("ann"), 2.0)
    away = [wire(e.data)["player"] for e in outcome.entries if e.type == "player_disconnected"]
    assert away == ["bob", "cid"]
    assert outcome.state.absent == (("bob", 62.0), ("cid", 62.0))
    back = sessions.apply(outcome.state, sessions.Connect("bob"), 3.0).state
    assert back.absent == (("cid", 62.0),)
    assert back.present == (("ann", "local"), ("bob", "local"))


def test_a_player_is_away_only_when_no_node_holds_a_connection() -> None:
    state = started("ann", "bob")
    state = sessions.apply(state, sessions.Connect("bob", "node-2"), 3.0).state  # a second tab, elsewhere
    one_left = sessions.apply(state, sessions.Disconnect("bob", "local"), 4.0)
    assert one_left.entries == ()
    assert one_left.state.is_present("bob")
    gone = sessions.apply(one_left.state, sessions.Disconnect("bob", "node-2"), 5.0)
    assert [e.type for e in gone.entries] == ["player_disconnected"]


def test_a_lost_node_takes_its_connections_with_it() -> None:
    state = started("ann", "bob", "cid")
    state = sessions.apply(state, sessions.Connect("cid", "node-2"), 3.0).state
    state = sessions.apply(state, sessions.Disconnect("cid", "local"), 3.5).state
    state = sessions.apply(state, sessions.Connect("bob", "node-2"), 4.0).state
    outcome = sessions.apply(state, sessions.NodeLost("node-2"), 5.0)
    assert [wire(e.data)["player"] for e in outcome.entries] == ["cid"]  # bob still has a connection on "local"
    assert outcome.state.absent == (("cid", 5.0 + SETTINGS.grace_s),)
    assert all(node != "node-2" for _, node in outcome.state.present)


def test_wake_at_is_the_earliest_deadline() -> None:
    state = sessions.apply(started("ann", "bob"), sessions.Disconnect("bob"), 1.0).state
    assert state.turn_deadline == 32.0
    assert state.wake_at() == 32.0
    assert msgspec.structs.replace(state, turn_deadline=None).wake_at() == 61.0


# -- snapshot (§16)


def test_the_snapshot_shows_the_viewer_only_their_own_hand() -> None:
    state = started("ann", "bob")
    mine = sessions.snapshot(state, "ann")
    assert mine["game"]["hand"]
    assert mine["seq"] == state.seq
    assert mine["status"] == "playing"
    assert "hand" not in sessions.snapshot(state, None)["game"]
    assert "bob" not in json.dumps(mine["game"].get("hand"))
    assert [s["player"] for s in mine["seats"]] == ["ann", "bob"]


def test_seat_changes_before_the_start_are_effects_in_order() -> None:
    joined = sessions.apply(waiting("ann"), Join("bob", "Bob", "u-bob"), 7.0)
    (taken,) = joined.effects
    assert isinstance(taken, SeatTaken)
    assert (taken.player.player_id, taken.player.seat, taken.player.user_id) == ("bob", 2, "u-bob")
    left = sessions.apply(joined.state, LeaveSession("bob"), 8.0)
    assert left.effects == (SeatReleased("S", "bob"),)
    started_leave = sessions.apply(started("ann", "bob", "cid"), LeaveSession("cid"), 9.0)
    assert not any(isinstance(e, SeatReleased) for e in started_leave.effects)  # after the start a seat stays
