"""``checkgame.bots.strategy``: the computer player only plays legal moves, keeps its attack cards, and names
the suit it holds most of."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checkgame import rules
from checkgame.bots.strategy import Choice, choose, favourite_suit
from checkgame.rules import Rank, Suit
from tests.support.budget import examples
from tests.support.positions import card
from tests.support.reference import reference_playable
from tests.support.strategies import cards


def cs(spec: str) -> list[rules.Card]:
    return [card(code) for code in spec.split()]


def test_a_choice_is_a_draw_when_it_has_no_card():
    assert Choice(None).is_draw
    assert not Choice(card("5H")).is_draw


def test_it_draws_when_nothing_is_playable():
    assert choose(cs("5S 8C KD"), card("9H"), None, 0) == Choice(None)


@pytest.mark.parametrize(
    ("hand", "top", "expected"),
    [
        ("7H JOKER_RED 5H", "9H", "5H"),  # a plain card before an attack card
        ("7H 2C", "9H", "2C"),  # a 2 before a 7
        ("7H JS", "9H", "JS"),  # a Jack before a 7
        ("JOKER_RED 2S", "9H", "2S"),  # a 2 before a Joker
        ("7H JOKER_RED", "9H", "7H"),  # only attack cards: the 7 before the Joker
        ("JOKER_RED", "9H", "JOKER_RED"),  # only when nothing else fits
        ("AH 2H JH", "9H", "AH"),  # an Ace is shed like a plain card
    ],
)
def test_it_keeps_sevens_and_jokers_while_it_has_alternatives(hand, top, expected):
    assert choose(cs(hand), card(top), None, 0).card == card(expected)


def test_it_sheds_from_the_suit_it_holds_most_of():
    choice = choose(cs("9H 9D 3D 4D 2C"), card("9S"), None, 0)
    assert choice.card == card("9D")


@pytest.mark.parametrize(
    ("hand", "expected"),
    [
        ("7D JOKER_BLACK 5H", "7D"),  # a 7 before a Joker, whatever the suit
        ("JOKER_BLACK 5H", "JOKER_BLACK"),
        ("5H 2C JD", None),  # nothing counters: draw
    ],
)
def test_under_attack_it_counters_with_a_seven_first_or_draws(hand, expected):
    choice = choose(cs(hand), card("7C"), None, 2)
    assert choice.card == (None if expected is None else card(expected))


def test_a_jack_names_the_suit_it_holds_most_of():
    choice = choose(cs("JS 5H 6H 9C 7S"), card("KD"), None, 0)
    assert choice == Choice(card("JS"), Suit.HEARTS)


def test_favourite_suit_ignores_jacks_and_jokers_and_breaks_ties_in_suit_order():
    assert favourite_suit(cs("JH JD 5C")) is Suit.CLUBS
    assert favourite_suit(cs("JOKER_RED JOKER_BLACK 5D")) is Suit.DIAMONDS
    assert favourite_suit(cs("5D 5H")) is Suit.HEARTS  # hearts come before diamonds in Suit order
    assert favourite_suit(cs("5C 5S")) is Suit.SPADES
    assert favourite_suit([]) is Suit.SPADES


def test_ties_are_broken_by_the_rng_among_equally_good_cards():
    hand = cs("9H 9D 3H 3D")  # 9H and 9D are equally good on 9S
    picks = {choose(hand, card("9S"), None, 0, random.Random(seed)).card for seed in range(30)}
    assert picks == {card("9H"), card("9D")}
    assert choose(hand, card("9S"), None, 0).card == card("9H")  # without an rng the first wins


hands = st.lists(cards, min_size=0, max_size=12, unique=True)


@pytest.mark.slow
@examples(300)
@given(
    hand=hands,
    top=cards,
    demanded=st.one_of(st.none(), st.sampled_from(list(Suit))),
    penalty=st.sampled_from([0, 0, 0, 2, 4, 6]),
    seed=st.one_of(st.none(), st.integers(0, 100)),
)
def test_the_bot_only_picks_legal_moves(hand, top, demanded, penalty, seed):
    rng = None if seed is None else random.Random(seed)
    choice = choose(hand, top, demanded, penalty, rng)
    demand = None if demanded is None else demanded.value
    legal = [c for c in hand if reference_playable(c, top, demand, penalty)]
    if choice.card is None:
        assert legal == []  # it draws only when it must
        return
    assert choice.card in hand
    assert choice.card in legal
    if choice.card.rank is Rank.JACK:
        rest = list(hand)
        rest.remove(choice.card)
        counts = Counter(c.suit for c in rest if c.suit is not None and c.rank is not Rank.JACK)
        assert choice.suit is not None
        assert counts[choice.suit] == max([counts[s] for s in Suit])
    else:
        assert choice.suit is None
    if penalty == 0 and choice.card.is_attack:
        assert all(c.is_attack for c in legal)  # it keeps 7s and Jokers while it has alternatives
    if penalty == 0 and choice.card.rank is Rank.JOKER:
        assert all(c.rank is Rank.JOKER for c in legal)
    if penalty > 0 and choice.card.rank is Rank.JOKER:
        assert all(c.rank is Rank.JOKER for c in legal)
