"""Replays of finished games: rebuilt from the stored deal and action log, cut down to what the viewer saw.

The games come from the session machine itself (random legal moves, turn timeouts, players leaving), so the
action logs are exactly those a server stores.
"""

from __future__ import annotations

import dataclasses
import json
import random
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checkgame import rules, sessions
from checkgame.sessions import GameAction, Join, LeaveSession, Seat, SessionSettings, Start, Status, Tick
from checkgame.sessions.replay import ReplayError, action_from_record, replay
from checkgame.store.base import GameResult
from tests.support.budget import examples

SETTINGS = SessionSettings(max_players=6, turn_timeout_s=30, next_game_delay_s=5, grace_s=600)


def tournament(players: list[str], seed: int, rng: random.Random) -> list[GameResult]:
    """Play a whole tournament: mostly random legal moves, some turn timeouts, now and then a player leaving."""
    state = sessions.new_session("S", Seat(players[0], players[0].upper()), seed, SETTINGS, 0.0)
    for p in players[1:]:
        state = sessions.apply(state, Join(p, p.upper()), 1.0).state
    state = sessions.apply(state, Start(players[0]), 2.0).state
    results: list[GameResult] = []
    now = 3.0
    while state.status is not Status.FINISHED:
        command: sessions.Command
        if state.status is Status.BETWEEN:
            assert state.next_game_at is not None
            now = max(now, state.next_game_at)
            command = Tick()
        else:
            game = state.game
            assert game is not None
            assert game.current is not None
            roll = rng.random()
            if roll < 0.05 and state.turn_deadline is not None:
                now = max(now, state.turn_deadline)  # the server moves for a player who let the timer run out
                command = Tick()
            elif roll < 0.06:
                command = LeaveSession(rng.choice(game.active_players))
            else:
                command = GameAction(rng.choice(rules.legal_actions(game, game.players[game.current])))  # type: ignore[arg-type]
        outcome = sessions.apply(state, command, now)
        state, now = outcome.state, now + 1
        results.extend(e for e in outcome.effects if isinstance(e, GameResult))
    return results


def true_positions(game: GameResult) -> Iterator[rules.GameState]:
    """Every position of the game with all hands, as the server held them."""
    state, _ = rules.new_game(game.players, game.seed, hand_size=game.hand_size, first_player=game.first_player)
    yield state
    for record in game.actions:
        state, _ = rules.apply(state, action_from_record(record))
        yield state


def cards_in(value: Any) -> Iterator[rules.Card]:
    """Every card written anywhere in a JSON value (a dict with a ``rank``)."""
    if isinstance(value, dict):
        if "rank" in value:
            yield rules.card_from_wire(value)
        else:
            for item in value.values():
                yield from cards_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from cards_in(item)


@pytest.mark.slow
@examples(8)  # each example is a whole tournament, replayed for every player of every game
@given(count=st.integers(2, 5), seed=st.integers(0, 2**63 - 1), moves=st.integers(0, 2**32))
def test_no_other_players_card_ever_appears_in_a_replay(count: int, seed: int, moves: int) -> None:
    players = [f"p{i}" for i in range(count)]
    for game in tournament(players, seed, random.Random(moves)):
        positions = list(true_positions(game))
        for viewer in game.players:
            steps = json.loads(json.dumps(replay(game, viewer)))  # exactly what goes on the wire
            assert len(steps) == len(positions) == len(game.actions) + 1
            for step, truth in zip(steps, positions, strict=True):
                seen = set(cards_in(step))
                for other, hand in zip(truth.players, truth.hands, strict=True):
                    if other != viewer:
                        assert not seen & set(hand), f"step {step['step']}: {viewer} sees {other}'s cards"
                # ... and what the viewer does see is the truth: their hand, the others' counts, the top card.
                view = step["state"]
                assert sorted(map(rules.card_from_wire, view["hand"]), key=str) == sorted(
                    truth.hand_of(viewer), key=str
                )
                assert [p["handSize"] for p in view["players"]] == [len(h) for h in truth.hands]
                assert rules.card_from_wire(view["topCard"]) == truth.top_card
                assert "seed" not in json.dumps(step)


def three_player_game() -> GameResult:
    (game, *_) = tournament(["ann", "bob", "cid"], 7, random.Random(1))
    return game


def test_step_zero_is_the_deal_and_each_step_follows_one_action() -> None:
    game = three_player_game()
    steps = replay(game, "bob")
    assert [s["step"] for s in steps] == list(range(len(game.actions) + 1))
    assert steps[0]["action"] is None
    assert [e["type"] for e in steps[0]["events"]] == ["game_started"]
    assert len(steps[0]["events"][0]["data"]["hand"]) == game.hand_size
    kinds = {"play": "play_card", "draw": "draw_card", "choosesuit": "choose_suit", "leave": "leave"}
    for step, record in zip(steps[1:], game.actions, strict=True):
        assert step["action"]["type"] == kinds[str(record["type"])]
        assert step["action"]["player"] == record["player"]
        assert step["action"]["at"] == record["at"]
    assert steps[-1]["events"][-1]["type"] == "game_finished"
    assert steps[-1]["state"]["loser"] == game.loser


def test_the_viewer_sees_their_own_draws_and_only_counts_of_the_others() -> None:
    game = three_player_game()
    steps = replay(game, "ann")
    drawn = [e["data"] for s in steps for e in s["events"] if e["type"] == "card_drawn"]
    assert {d["player"] for d in drawn} >= {"ann", "bob"}, "the sample game has draws by both"
    assert all(("cards" in d) == (d["player"] == "ann") for d in drawn)
    spectator = replay(game, None)
    assert all("hand" not in s["state"] for s in spectator)


def test_a_log_that_does_not_replay_to_the_recorded_result_is_refused() -> None:
    game = three_player_game()
    wrong_loser = next(p for p in game.players if p != game.loser)
    with pytest.raises(ReplayError, match="replays to"):
        replay(dataclasses.replace(game, loser=wrong_loser), game.players[0])
    with pytest.raises(ReplayError, match="refused on replay"):
        replay(dataclasses.replace(game, actions=game.actions[1:]), game.players[0])
    with pytest.raises(ReplayError):  # another deal: the first card played is not even in that hand
        replay(dataclasses.replace(game, seed=game.seed + 1), game.players[0])


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        ({"type": "play", "player": "ann", "card": "XX"}, "unreadable"),
        ({"type": "play", "player": "ann"}, "unreadable"),
        ({"type": "choosesuit", "player": "ann"}, "unreadable"),
        ({"type": "shuffle", "player": "ann"}, "unknown action type"),
        ({"type": "draw"}, "without a player"),
    ],
)
def test_unreadable_log_lines_are_named(record: dict[str, Any], problem: str) -> None:
    with pytest.raises(ReplayError, match=problem):
        action_from_record(record)


def test_log_lines_become_the_engine_actions_they_record() -> None:
    assert action_from_record({"type": "play", "player": "a", "card": "JH", "suit": "clubs", "at": 1.0}) == rules.Play(
        "a", rules.parse_card("JH"), "clubs"
    )
    assert action_from_record({"type": "draw", "player": "a"}) == rules.Draw("a")
    assert action_from_record({"type": "choosesuit", "player": "a", "suit": "hearts"}) == rules.ChooseSuit(
        "a", "hearts"
    )
    assert action_from_record({"type": "leave", "player": "a"}) == rules.Leave("a")
