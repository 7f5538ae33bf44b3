"""Session states survive their JSON form exactly (:mod:`checkgame.sessions.serial`).

Every node of a cluster rebuilds the states other nodes committed, so the
round trip must be lossless for every state a session can reach; the states
here come from random sessions driven through :func:`checkgame.sessions.apply`.
"""

from __future__ import annotations

import json
import random

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from checkgame import rules, sessions
from checkgame.errors import ClientError
from checkgame.sessions import SessionSettings, SessionState, Status
from tests.support.budget import examples


def random_session(rng: random.Random, max_steps: int = 400) -> list[SessionState]:
    """Every state of one random session: joins, a start, moves, timeouts, leaves and reconnections."""
    players = [f"p{i}" for i in range(rng.randint(2, 6))]
    settings = SessionSettings(
        max_players=len(players),
        hand_size=rng.choice([3, 5, 7]),
        turn_timeout_s=rng.choice([30.0, 15, 0.5]),
        next_game_delay_s=rng.choice([5.0, 2]),
        grace_s=rng.choice([60.0, 10.5]),
    )
    now = 1_700_000_000.0 + rng.random()
    creator = sessions.Seat(players[0], "Creator", user_id=rng.choice([None, "u-creator"]))
    state = sessions.new_session("S1", creator, rng.getrandbits(63), settings, now)
    states = [state]

    def run(command: sessions.Command) -> None:
        nonlocal state
        try:
            state = sessions.apply(state, command, now).state
        except ClientError:
            return
        states.append(state)

    for player in players[1:]:
        run(sessions.Join(player, f"Name {player} ✓", user_id=rng.choice([None, f"u-{player}"])))
    for player in players:
        if rng.random() < 0.8:
            run(sessions.Connect(player))
    run(sessions.Start(players[0]))
    for step in range(max_steps):
        if state.status is Status.FINISHED:
            break
        now += rng.choice([0.25, 1.0, 3.5, settings.turn_timeout_s, settings.grace_s])
        roll = rng.random()
        player = rng.choice(players)
        if roll < 0.6 and state.game is not None and state.game.current is not None:
            mover = state.game.players[state.game.current]
            action = rng.choice(rules.legal_actions(state.game, mover))
            assert isinstance(action, rules.Play | rules.Draw | rules.ChooseSuit)
            run(sessions.GameAction(action, action_id=rng.choice([None, f"a{step}"])))
        elif roll < 0.8:
            run(sessions.Tick())
        elif roll < 0.88:
            run(sessions.Disconnect(player))
        elif roll < 0.97:
            run(sessions.Connect(player))
        else:
            run(sessions.LeaveSession(player))
    return states


def assert_round_trips(state: SessionState) -> None:
    data = sessions.to_dict(state)
    via_json = json.loads(json.dumps(data))
    assert sessions.from_dict(via_json) == state
    encoded = msgspec.json.encode(data)
    assert sessions.from_dict(msgspec.json.decode(encoded)) == state
    assert msgspec.json.encode(sessions.to_dict(sessions.from_dict(via_json))) == encoded  # deterministic
    assert json.loads(encoded) == data


@pytest.mark.slow
@given(st.randoms(use_true_random=False))
@examples(40)
def test_every_state_of_a_random_session_round_trips(rng: random.Random) -> None:
    states = random_session(rng)
    assert len(states) > 3
    for state in states:
        assert_round_trips(state)


def test_random_sessions_reach_every_status() -> None:
    seen = {state.status for seed in range(10) for state in random_session(random.Random(seed))}
    assert seen == set(Status)


def test_equal_states_encode_to_equal_bytes() -> None:
    states = random_session(random.Random(3))
    again = random_session(random.Random(3))
    assert [msgspec.json.encode(sessions.to_dict(s)) for s in states] == [
        msgspec.json.encode(sessions.to_dict(s)) for s in again
    ]


def test_numbers_keep_their_type() -> None:
    state = msgspec.structs.replace(
        random_session(random.Random(5))[-1],
        created_at=12,
        settings=SessionSettings(turn_timeout_s=30, grace_s=7.5),
        absent=(("p1", 10),),
        game_actions=({"type": "draw", "player": "p1", "at": 3},),
    )
    back = sessions.from_dict(json.loads(json.dumps(sessions.to_dict(state))))
    assert back == state
    assert type(back.created_at) is int
    assert type(back.settings.turn_timeout_s) is int
    assert type(back.settings.grace_s) is float
    assert type(back.absent[0][1]) is int


def test_the_format_is_documented_json() -> None:
    state = random_session(random.Random(1), max_steps=5)[-1]
    data = sessions.to_dict(state)
    assert data["format"] == 1
    assert data["status"] == state.status.value
    assert data["seats"][0] == [state.seats[0].player_id, state.seats[0].name, state.seats[0].user_id]
    assert data["game"] == (None if state.game is None else rules.to_dict(state.game))


@pytest.mark.parametrize(
    "change",
    [
        {"format": 2},
        {"format": None},
        {"status": "paused"},
        {"settings": [4, 7]},
        {"seats": [["only-an-id"]]},
        {"version": None, "id": None, "creator": None} | {"tournament": {"seats": []}},
    ],
)
def test_a_malformed_dict_is_a_value_error(change: dict[str, object]) -> None:
    data = sessions.to_dict(random_session(random.Random(2), max_steps=5)[-1]) | change
    with pytest.raises(ValueError):
        sessions.from_dict(data)


def test_a_missing_field_is_a_value_error() -> None:
    data = sessions.to_dict(random_session(random.Random(2), max_steps=5)[-1])
    del data["seq"]
    with pytest.raises(ValueError, match="malformed"):
        sessions.from_dict(data)


def test_an_incoherent_game_is_a_position_error() -> None:
    state = random_session(random.Random(4), max_steps=5)[-1]
    assert state.game is not None
    data = sessions.to_dict(state)
    data["game"] = {**data["game"], "players": ["solo"]}
    with pytest.raises(rules.PositionError):
        sessions.from_dict(data)
