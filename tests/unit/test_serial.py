"""``rules.to_dict`` / ``rules.from_dict``: lossless, JSON-compatible, and refusing incoherent positions."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from checkgame import rules
from checkgame.rules import PositionError
from tests.support.positions import play, position, position_dict


def base() -> dict[str, Any]:
    """A coherent running position; each case below breaks one thing."""
    return position_dict({"ann": "5H 9H", "bob": "", "cid": "5C JD"}, top="3D 9D", finished=["bob"])


def test_the_documented_example_is_a_valid_position():
    example = {
        "format": 1,
        "players": ["ann", "bob"],
        "hands": {"ann": ["7H", "JOKER_RED"], "bob": ["2C"]},
        "draw_pile": ["5S", "KD"],
        "discard_pile": ["9H", "9C"],
        "current_player": "ann",
        "pending_penalty": 0,
        "demanded_suit": None,
        "awaiting_suit": False,
        "finished": [],
        "loser": None,
        "seed": 1,
        "reshuffles": 0,
    }
    state = rules.from_dict(example)
    assert state.top_card == rules.parse_card("9C")
    assert state.draw_pile[0] == rules.parse_card("5S")  # top card first
    assert rules.to_dict(state) == example


def test_round_trip_of_a_fresh_game():
    state, _ = rules.new_game(["ann", "bob", "cid"], seed=123, first_player="bob")
    data = rules.to_dict(state)
    assert rules.from_dict(data) == state
    assert rules.from_dict(json.loads(json.dumps(data))) == state
    assert data["current_player"] == "bob"
    assert len(data["draw_pile"]) == 54 - 21 - 1


def test_round_trip_of_positions_in_every_phase():
    awaiting, _ = play(position({"ann": "JH 5H", "bob": "5S"}, top="9H", seed=-3), "ann", "JH")
    finisher_choosing, _ = play(position({"ann": "JH", "bob": "5S", "cid": "5C"}, top="9H"), "ann", "JH")
    attacked = position({"ann": "5H", "bob": "5S"}, top="7H JOKER_RED", penalty=6, reshuffles=4)
    demanded = position({"ann": "5H", "bob": "5S"}, top="JS", demanded="clubs", current="bob")
    over, _ = play(position({"ann": "5H", "bob": "5S"}, top="9H"), "ann", "5H")
    left, _ = rules.apply(position({"ann": "5H", "bob": "5S", "cid": "KD"}, top="9H"), rules.Leave("bob"))
    for state in (awaiting, finisher_choosing, attacked, demanded, over, left):
        data = rules.to_dict(state)
        assert rules.from_dict(data) == state
        assert rules.from_dict(json.loads(json.dumps(data))) == state
    assert rules.to_dict(finisher_choosing)["current_player"] == "ann"
    assert rules.to_dict(left)["loser"] == "bob"


def test_a_position_may_leave_cards_out():
    state = position({"ann": "5H", "bob": "5S"}, top="9H", draw="")
    assert sum(len(h) for h in state.hands) + len(state.discard_pile) == 3


def test_a_restored_position_plays_on_exactly_like_the_original():
    state, _ = rules.new_game(["ann", "bob"], seed=8)
    restored = rules.from_dict(rules.to_dict(state))
    for action in (rules.Draw("ann"), rules.Draw("bob")):
        state, events = rules.apply(state, action)
        restored, restored_events = rules.apply(restored, action)
        assert (state, events) == (restored, restored_events)


def setter(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data[key] = value

    return change


def deleter(key: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        del data[key]

    return change


def hands(**changes: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["hands"].update(changes)

    return change


def both(*changes: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        for each in changes:
            each(data)

    return change


INCOHERENT: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "no format": (deleter("format"), "unknown position format"),
    "unknown format": (setter("format", 2), "unknown position format"),
    "format as text": (setter("format", "1"), "unknown position format"),
    "no players": (deleter("players"), "malformed position"),
    "a player id is not a string": (
        setter("players", ["ann", 7, "cid"]),
        "player ids are non-empty strings",
    ),
    "an empty player id": (setter("players", ["ann", "", "cid"]), "player ids are non-empty strings"),
    "one player": (
        both(setter("players", ["ann"]), setter("hands", {"ann": ["5H"]})),
        "a game seats 2 to 8 players",
    ),
    "nine players": (setter("players", [f"p{i}" for i in range(9)]), "a game seats 2 to 8 players"),
    "a player twice": (setter("players", ["ann", "bob", "ann"]), "a player appears twice"),
    "a hand missing": (
        setter("hands", {"ann": ["5H"], "bob": []}),
        "hands must be given for exactly the seated players",
    ),
    "a hand too many": (hands(zed=["KD"]), "hands must be given for exactly the seated players"),
    "a hand is not a list": (hands(ann="5H 9H"), "expected a list of cards"),
    "an unknown card": (hands(ann=["5H", "1H"]), "malformed position"),
    "a card is not a string": (hands(ann=["5H", 5]), "malformed position"),
    "the draw pile is not a list": (setter("draw_pile", None), "expected a list of cards"),
    "a card twice in one hand": (hands(ann=["5H", "5H"]), "a card appears twice"),
    "a card in two hands": (hands(ann=["5C"]), "a card appears twice"),
    "a card in a hand and a pile": (hands(ann=["9D"]), "a card appears twice"),
    "a card in both piles": (setter("draw_pile", ["3D", "KD"]), "a card appears twice"),
    "an empty discard pile": (setter("discard_pile", []), "the discard pile holds at least the top card"),
    "no discard pile": (deleter("discard_pile"), "malformed position"),
    "a finisher twice": (setter("finished", ["bob", "bob"]), "bad finishing order"),
    "an unknown finisher": (setter("finished", ["bob", "zed"]), "bad finishing order"),
    "a finisher holding cards": (setter("finished", ["bob", "ann"]), "a finished player holds cards"),
    "finished is missing": (deleter("finished"), "malformed position"),
    "a negative penalty": (setter("pending_penalty", -2), "bad pending penalty"),
    "a boolean penalty": (setter("pending_penalty", True), "bad pending penalty"),
    "a text penalty": (setter("pending_penalty", "2"), "bad pending penalty"),
    "awaiting_suit not a boolean": (setter("awaiting_suit", 1), "awaiting_suit is a boolean"),
    "a running game with one active player": (
        both(hands(ann=[]), setter("finished", ["bob", "ann"])),
        "a running game has at least two active players",
    ),
    "a running game without a current player": (
        setter("current_player", None),
        "a running game has a current player",
    ),
    "a current player not seated": (setter("current_player", "zed"), "a running game has a current player"),
    "a finished current player not choosing a suit": (
        setter("current_player", "bob"),
        "only the player who just finished with a Jack may act after finishing",
    ),
    "a demanded suit without a Jack on top (9D)": (
        setter("demanded_suit", "hearts"),
        "a suit is demanded only while a Jack is on top",
    ),
    "a penalty without an attack card on top (9D)": (
        setter("pending_penalty", 2),
        "a penalty is pending only while a 7 or a Joker is on top",
    ),
    "a suit awaited without a Jack on top (9D)": (
        setter("awaiting_suit", True),
        "a suit is awaited only for a Jack",
    ),
    "a loser not seated": (
        both(setter("loser", "zed"), setter("current_player", None)),
        "the loser is a seated player who did not finish",
    ),
    "a loser who finished": (
        both(setter("loser", "bob"), setter("current_player", None)),
        "the loser is a seated player who did not finish",
    ),
    "a current player once over": (setter("loser", "cid"), "nothing is pending once a game is over"),
    "awaiting a suit once over": (
        both(setter("loser", "cid"), setter("current_player", None), setter("awaiting_suit", True)),
        "nothing is pending once a game is over",
    ),
    "a penalty once over": (
        both(setter("loser", "cid"), setter("current_player", None), setter("pending_penalty", 2)),
        "nothing is pending once a game is over",
    ),
    "an unknown demanded suit": (setter("demanded_suit", "stars"), "malformed position"),
    "a seed that is not an integer": (setter("seed", "1"), "bad seed or reshuffles"),
    "negative reshuffles": (setter("reshuffles", -1), "bad seed or reshuffles"),
    "reshuffles not an integer": (setter("reshuffles", 1.5), "bad seed or reshuffles"),
    "no seed": (deleter("seed"), "malformed position"),
}


@pytest.mark.parametrize("name", list(INCOHERENT))
def test_incoherent_positions_raise_position_error(name):
    data = base()
    rules.from_dict(copy.deepcopy(data))  # the base itself is fine
    change, message = INCOHERENT[name]
    change(data)
    with pytest.raises(PositionError, match=message):
        rules.from_dict(data)


def test_position_error_is_a_value_error_with_a_message():
    data = base()
    data["discard_pile"] = []
    with pytest.raises(ValueError, match="discard pile"):
        rules.from_dict(data)
    data = base()
    del data["seed"]
    with pytest.raises(PositionError, match="malformed position"):
        rules.from_dict(data)


def test_a_finisher_may_be_the_current_player_while_choosing_a_suit():
    data = position_dict({"ann": "", "bob": "5S", "cid": "5C"}, top="9H JH", finished=["ann"], current="ann")
    data["awaiting_suit"] = True
    state = rules.from_dict(data)
    assert state.current_player == "ann"
    assert state.awaiting_suit


def test_a_game_ended_by_leave_may_have_several_players_with_cards():
    data = position_dict({"ann": "5H", "bob": "5S", "cid": "KD"}, top="9H", loser="bob")
    state = rules.from_dict(data)
    assert state.is_over
    assert state.current_player is None
