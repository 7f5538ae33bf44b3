"""RULES.md §15: the validation order and every error code; a refused action changes nothing.

Most cases are built so that two (or more) checks fail at once; the expected code is the earliest one.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from checkgame import rules
from checkgame.errors import CheckgameError, ClientError
from checkgame.rules import Action, ErrorCode, GameState, RuleViolation
from tests.support.positions import card, play, position, refuse
from tests.support.reference import expected_error


def running() -> GameState:
    """ann to play on 9H; bob holds 5S 9S; cid holds 5C JD."""
    return position({"ann": "5H JC 7D 2S", "bob": "5S 9S", "cid": "5C JD"}, top="9H")


def attacked() -> GameState:
    """ann faces P = 2 on 7C."""
    return position({"ann": "5H JC 7D 2S KC", "bob": "5S 9S", "cid": "5C JD"}, top="7C", penalty=2)


def awaiting() -> GameState:
    """ann played JC without a suit and must choose."""
    return play(running(), "ann", "JC")[0]


def over() -> GameState:
    """ann finished, bob is the loser."""
    return play(position({"ann": "5H", "bob": "5S 9S"}, top="9H"), "ann", "5H")[0]


@dataclass(frozen=True)
class Case:
    name: str
    state: GameState
    action: Action
    code: ErrorCode


def put(player: str, code: str, suit: str | None = None) -> rules.Play:
    return rules.Play(player, card(code), suit)


CASES = [
    # 1. GAME_OVER before everything
    Case("over: stranger", over(), rules.Draw("zed"), ErrorCode.GAME_OVER),
    Case("over: loser plays a card not held", over(), put("bob", "KD"), ErrorCode.GAME_OVER),
    Case("over: winner leaves", over(), rules.Leave("ann"), ErrorCode.GAME_OVER),
    Case("over: choose_suit, nothing pending, bad suit", over(), rules.ChooseSuit("bob", "x"), ErrorCode.GAME_OVER),
    # 2. PLAYER_NOT_FOUND before the awaiting-suit and turn checks
    Case("stranger draws", running(), rules.Draw("zed"), ErrorCode.PLAYER_NOT_FOUND),
    Case("stranger chooses while awaiting", awaiting(), rules.ChooseSuit("zed", "x"), ErrorCode.PLAYER_NOT_FOUND),
    Case("stranger plays while awaiting", awaiting(), put("zed", "5H"), ErrorCode.PLAYER_NOT_FOUND),
    Case("stranger leaves", running(), rules.Leave("zed"), ErrorCode.PLAYER_NOT_FOUND),
    Case("stranger plays during an attack", attacked(), put("zed", "2S"), ErrorCode.PLAYER_NOT_FOUND),
    # 3. awaiting a suit
    Case("awaiting: another's choose_suit", awaiting(), rules.ChooseSuit("bob", "hearts"), ErrorCode.NOT_YOUR_TURN),
    Case("awaiting: another's bad suit", awaiting(), rules.ChooseSuit("bob", "stars"), ErrorCode.NOT_YOUR_TURN),
    Case("awaiting: chooser plays", awaiting(), put("ann", "5H"), ErrorCode.SUIT_CHOICE_PENDING),
    Case("awaiting: chooser plays a card not held", awaiting(), put("ann", "KD"), ErrorCode.SUIT_CHOICE_PENDING),
    Case("awaiting: chooser plays an illegal card", awaiting(), put("ann", "7D"), ErrorCode.SUIT_CHOICE_PENDING),
    Case("awaiting: chooser plays with a bad suit", awaiting(), put("ann", "5H", "x"), ErrorCode.SUIT_CHOICE_PENDING),
    Case("awaiting: chooser draws", awaiting(), rules.Draw("ann"), ErrorCode.SUIT_CHOICE_PENDING),
    Case("awaiting: another plays", awaiting(), put("bob", "5S"), ErrorCode.NOT_YOUR_TURN),
    Case("awaiting: another draws", awaiting(), rules.Draw("cid"), ErrorCode.NOT_YOUR_TURN),
    Case("awaiting: chooser names no suit", awaiting(), rules.ChooseSuit("ann", "stars"), ErrorCode.INVALID_SUIT),
    # 4. NOT_YOUR_TURN before the play checks and the choose_suit checks
    Case("not your turn: card not held", running(), put("bob", "KD"), ErrorCode.NOT_YOUR_TURN),
    Case("not your turn: illegal card", running(), put("bob", "5S"), ErrorCode.NOT_YOUR_TURN),
    Case("not your turn: during an attack", attacked(), put("bob", "5S"), ErrorCode.NOT_YOUR_TURN),
    Case("not your turn: draw", running(), rules.Draw("cid"), ErrorCode.NOT_YOUR_TURN),
    Case("not your turn: choose_suit", running(), rules.ChooseSuit("bob", "hearts"), ErrorCode.NOT_YOUR_TURN),
    Case("not your turn: Jack with bad suit", running(), put("cid", "JD", "x"), ErrorCode.NOT_YOUR_TURN),
    # 5. play: CARD_NOT_IN_HAND → MUST_COUNTER_OR_DRAW → INVALID_PLAY → INVALID_SUIT
    Case("not held, during an attack", attacked(), put("ann", "5D"), ErrorCode.CARD_NOT_IN_HAND),
    Case("not held, illegal, bad suit", running(), put("ann", "KD", "x"), ErrorCode.CARD_NOT_IN_HAND),
    Case("not held: another's card", running(), put("ann", "9S"), ErrorCode.CARD_NOT_IN_HAND),
    Case("not held: the top card", running(), put("ann", "9H"), ErrorCode.CARD_NOT_IN_HAND),
    Case("attack: plain card with a suit", attacked(), put("ann", "5H", "hearts"), ErrorCode.MUST_COUNTER_OR_DRAW),
    Case("attack: card of the right suit", attacked(), put("ann", "KC"), ErrorCode.MUST_COUNTER_OR_DRAW),
    Case("attack: a 2", attacked(), put("ann", "2S"), ErrorCode.MUST_COUNTER_OR_DRAW),
    Case("attack: Jack with a bad suit", attacked(), put("ann", "JC", "x"), ErrorCode.MUST_COUNTER_OR_DRAW),
    Case("illegal with a suit", running(), put("ann", "7D", "hearts"), ErrorCode.INVALID_PLAY),
    Case("illegal with a bad suit", running(), put("ann", "7D", "x"), ErrorCode.INVALID_PLAY),
    Case("legal plain card with a suit", running(), put("ann", "5H", "hearts"), ErrorCode.INVALID_SUIT),
    Case("legal 2 with a suit", running(), put("ann", "2S", "spades"), ErrorCode.INVALID_SUIT),
    Case("counter with a suit", attacked(), put("ann", "7D", "hearts"), ErrorCode.INVALID_SUIT),
    Case("Jack with an unknown suit", running(), put("ann", "JC", "stars"), ErrorCode.INVALID_SUIT),
    Case("Jack with an empty suit", running(), put("ann", "JC", ""), ErrorCode.INVALID_SUIT),
    # 6. choose_suit: NO_SUIT_CHOICE_PENDING before INVALID_SUIT
    Case("nothing pending", running(), rules.ChooseSuit("ann", "hearts"), ErrorCode.NO_SUIT_CHOICE_PENDING),
    Case("nothing pending, bad suit", running(), rules.ChooseSuit("ann", "x"), ErrorCode.NO_SUIT_CHOICE_PENDING),
    Case("nothing pending, attack", attacked(), rules.ChooseSuit("ann", "clubs"), ErrorCode.NO_SUIT_CHOICE_PENDING),
    # beyond §15 (docs/engine.md): a finished player cannot leave the running game
    Case(
        "finished player leaves",
        position({"ann": "", "bob": "5S", "cid": "5C"}, top="KC", finished=["ann"], current="bob"),
        rules.Leave("ann"),
        ErrorCode.PLAYER_FINISHED,
    ),
    Case(
        "finished player plays",
        position({"ann": "", "bob": "5S", "cid": "5C"}, top="KC", finished=["ann"], current="bob"),
        rules.Draw("ann"),
        ErrorCode.NOT_YOUR_TURN,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_the_first_failing_check_decides_and_nothing_changes(case):
    before = rules.to_dict(case.state)
    assert refuse(case.state, case.action) is case.code
    assert rules.to_dict(case.state) == before
    assert expected_error(case.state, case.action) is case.code  # the reference agrees


def test_every_game_action_code_is_exercised():
    creation = {ErrorCode.NOT_ENOUGH_PLAYERS, ErrorCode.TOO_MANY_PLAYERS, ErrorCode.DUPLICATE_PLAYER}
    assert {case.code for case in CASES} == set(ErrorCode) - creation


@pytest.mark.parametrize(
    ("players", "code"),
    [
        ([], ErrorCode.NOT_ENOUGH_PLAYERS),
        (["ann"], ErrorCode.NOT_ENOUGH_PLAYERS),
        ([f"p{i}" for i in range(9)], ErrorCode.TOO_MANY_PLAYERS),
        ([f"p{i}" for i in range(20)], ErrorCode.TOO_MANY_PLAYERS),
        (["ann", "ann"], ErrorCode.DUPLICATE_PLAYER),
        (["p0", "p1", "p2", "p0"], ErrorCode.DUPLICATE_PLAYER),
        (["ann"] * 9, ErrorCode.TOO_MANY_PLAYERS),  # the count is checked first
    ],
)
def test_game_creation_codes(players, code):
    with pytest.raises(RuleViolation) as refused:
        rules.new_game(players, seed=1)
    assert refused.value.code is code


@pytest.mark.parametrize("n", [2, 8])
def test_two_and_eight_players_are_accepted(n):
    state, _ = rules.new_game((f"p{i}" for i in range(n)), seed=1)
    assert len(state.players) == n


def test_a_rule_violation_is_a_client_error_with_its_wire_code():
    with pytest.raises(RuleViolation) as refused:
        rules.apply(running(), rules.Draw("bob"))
    error = refused.value
    assert isinstance(error, ClientError)
    assert isinstance(error, CheckgameError)
    assert error.code == "NOT_YOUR_TURN"
    assert error.code is ErrorCode.NOT_YOUR_TURN
    assert error.status_hint == 409
    assert "ann" in error.message
    assert str(error) == error.message


def test_every_code_is_its_own_wire_name():
    for code in ErrorCode:
        assert code.value == code.name
