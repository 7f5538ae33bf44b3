"""The turn timer's move is a rule: the server draws for an absent player, or names the suit they hold most of."""

from __future__ import annotations

from typing import Any

import pytest

from checkgame import rules


def position(hands: dict[str, list[str]], top: str, **changes: Any) -> rules.GameState:
    """A running game of ann and bob with these hands and top card, ann to move."""
    state, _ = rules.new_game(["ann", "bob"], 3)
    raw = rules.to_dict(state)
    used = {code for hand in hands.values() for code in hand} | {top}
    raw["hands"] = hands
    raw["draw_pile"] = [code for code in raw["draw_pile"] + raw["discard_pile"] if code not in used]
    raw["discard_pile"] = [top]
    raw.update(
        {"current_player": "ann", "demanded_suit": None, "pending_penalty": 0, "awaiting_suit": False, **changes}
    )
    return rules.from_dict(raw)


def test_an_absent_player_draws() -> None:
    assert rules.timeout_action(position({"ann": ["3D", "9C"], "bob": ["4H"]}, "5D")) == rules.Draw("ann")


def test_under_attack_the_draw_takes_the_penalty() -> None:
    state = position({"ann": ["7D", "9C"], "bob": ["4H"]}, "7H", pending_penalty=2)
    action = rules.timeout_action(state)
    assert action == rules.Draw("ann")
    _, events = rules.apply(state, action)
    drawn = events[0]
    assert isinstance(drawn, rules.CardsDrawn)
    assert (drawn.player, len(drawn.cards), drawn.penalty) == ("ann", 2, True)


def test_after_a_jack_without_a_suit_it_names_the_suit_held_most_jacks_not_counted() -> None:
    hands = {"ann": ["3D", "5D", "4C", "JC", "JH"], "bob": ["4H"]}
    action = rules.timeout_action(position(hands, "JS", awaiting_suit=True))
    assert action == rules.ChooseSuit("ann", rules.Suit.DIAMONDS)
    assert rules.favourite_suit([rules.parse_card(c) for c in hands["ann"]]) is rules.Suit.DIAMONDS


def test_a_tie_goes_to_the_first_suit_and_an_empty_count_still_names_one() -> None:
    first = next(iter(rules.Suit))
    assert rules.favourite_suit([]) is first
    assert rules.favourite_suit([rules.parse_card("JOKER_RED"), rules.parse_card("JD")]) is first


def test_nobody_moves_once_the_game_is_over() -> None:
    state, _ = rules.new_game(["ann", "bob"], 3)
    raw = rules.to_dict(state)
    raw.update(current_player=None, loser="bob", finished=["ann"])
    raw["draw_pile"] = raw["draw_pile"] + raw["hands"]["ann"]
    raw["hands"]["ann"] = []
    with pytest.raises(ValueError, match="game is over"):
        rules.timeout_action(rules.from_dict(raw))
