"""RULES.md §1–§2: the 54 cards, suits, colours, special cards; card codes and the wire form."""

from __future__ import annotations

from collections import Counter

import pytest

from checkgame import rules
from checkgame.rules import Card, Color, Rank, Suit
from tests.support.positions import all_cards


def test_the_deck_has_54_distinct_cards():
    assert len(rules.DECK) == 54
    assert len(set(rules.DECK)) == 54
    assert len({card.code for card in rules.DECK}) == 54


def test_four_suits_of_thirteen_ranks_plus_two_jokers():
    suited = [card for card in rules.DECK if card.suit is not None]
    assert Counter(card.suit for card in suited) == dict.fromkeys(Suit, 13)
    for suit in Suit:
        ranks = {card.rank.value for card in suited if card.suit is suit}
        assert ranks == {"A", "2", "3", "4", "5", "6", "7", "8", "9", "10", "J", "Q", "K"}
    jokers = [card for card in rules.DECK if card.rank is Rank.JOKER]
    assert len(jokers) == 2
    assert {card.suit for card in jokers} == {None}


@pytest.mark.parametrize(
    ("suit", "colour"),
    [(Suit.HEARTS, Color.RED), (Suit.DIAMONDS, Color.RED), (Suit.SPADES, Color.BLACK), (Suit.CLUBS, Color.BLACK)],
)
def test_suit_colours(suit, colour):
    assert suit.color is colour
    assert all(card.color is colour for card in rules.DECK if card.suit is suit)


def test_one_joker_is_red_and_the_other_black():
    assert rules.parse_card("JOKER_RED").color is Color.RED
    assert rules.parse_card("JOKER_BLACK").color is Color.BLACK
    assert rules.parse_card("JOKER_RED") != rules.parse_card("JOKER_BLACK")


def test_attack_cards_are_exactly_the_sevens_and_the_jokers():
    attack = {card.code for card in rules.DECK if card.is_attack}
    assert attack == {"7S", "7H", "7D", "7C", "JOKER_RED", "JOKER_BLACK"}


def test_suit_names_and_letters():
    assert [suit.value for suit in Suit] == ["spades", "hearts", "diamonds", "clubs"]
    assert [suit.letter for suit in Suit] == ["S", "H", "D", "C"]


@pytest.mark.parametrize(
    ("code", "rank", "suit", "colour"),
    [
        ("7H", Rank.SEVEN, Suit.HEARTS, Color.RED),
        ("10S", Rank.TEN, Suit.SPADES, Color.BLACK),
        ("10s", Rank.TEN, Suit.SPADES, Color.BLACK),
        ("jd", Rank.JACK, Suit.DIAMONDS, Color.RED),
        ("AS", Rank.ACE, Suit.SPADES, Color.BLACK),
        ("2C", Rank.TWO, Suit.CLUBS, Color.BLACK),
        ("QD", Rank.QUEEN, Suit.DIAMONDS, Color.RED),
        ("KC", Rank.KING, Suit.CLUBS, Color.BLACK),
        ("JOKER_RED", Rank.JOKER, None, Color.RED),
        ("joker_black", Rank.JOKER, None, Color.BLACK),
    ],
)
def test_parse_card(code, rank, suit, colour):
    card = rules.parse_card(code)
    assert (card.rank, card.suit, card.color) == (rank, suit, colour)
    assert card.code == code.upper()
    assert str(card) == code.upper()
    assert repr(card) == f"Card({code.upper()})"


def test_parsed_cards_are_the_deck_cards():
    for card in rules.DECK:
        assert rules.parse_card(card.code) is card


@pytest.mark.parametrize("code", ["", "1H", "11S", "7X", "JOKER", "JOKER_GREEN", "H7", " 7H", None, 7, b"7H"])
def test_parse_card_rejects_what_is_not_a_card(code):
    with pytest.raises(ValueError, match="not a card"):
        rules.parse_card(code)


@pytest.mark.parametrize(
    ("rank", "suit", "colour"),
    [
        (Rank.JOKER, Suit.HEARTS, Color.RED),  # a Joker has no suit
        (Rank.SEVEN, None, Color.RED),  # every other card has one
        (Rank.SEVEN, Suit.HEARTS, Color.BLACK),  # hearts are red
        (Rank.KING, Suit.CLUBS, Color.RED),  # clubs are black
    ],
)
def test_impossible_cards_cannot_be_built(rank, suit, colour):
    with pytest.raises(ValueError, match=r"has no suit|cards are"):
        Card(rank, suit, colour)


def test_an_equal_card_built_separately_is_the_same_card():
    copy = Card(Rank.SEVEN, Suit.HEARTS, Color.RED)
    assert copy == rules.parse_card("7H")
    assert hash(copy) == hash(rules.parse_card("7H"))


@pytest.mark.parametrize(
    ("code", "wire"),
    [
        ("7H", {"rank": "7", "suit": "hearts"}),
        ("10S", {"rank": "10", "suit": "spades"}),
        ("JD", {"rank": "J", "suit": "diamonds"}),
        ("AC", {"rank": "A", "suit": "clubs"}),
        ("JOKER_RED", {"rank": "Joker", "color": "red"}),
        ("JOKER_BLACK", {"rank": "Joker", "color": "black"}),
    ],
)
def test_wire_form(code, wire):
    card = rules.parse_card(code)
    assert rules.card_to_wire(card) == wire
    assert rules.card_from_wire(wire) is card
    assert rules.card_from_wire(code) is card


def test_every_card_round_trips_through_the_wire_form():
    for card in rules.DECK:
        assert rules.card_from_wire(rules.card_to_wire(card)) is card


def test_card_to_wire_returns_a_fresh_dict():
    card = rules.parse_card("7H")
    rules.card_to_wire(card)["rank"] = "8"
    assert rules.card_to_wire(card) == {"rank": "7", "suit": "hearts"}


@pytest.mark.parametrize(
    "value",
    [
        {"rank": "7"},
        {"rank": "7", "suit": "stars"},
        {"rank": "Joker", "suit": "hearts"},
        {"rank": "7", "suit": "hearts", "color": "red"},
        {"rank": 7, "suit": "hearts"},
        {},
        ["7", "hearts"],
        None,
        "7X",
    ],
)
def test_card_from_wire_rejects_what_is_not_a_card(value):
    with pytest.raises(ValueError, match="not a card"):
        rules.card_from_wire(value)


def test_every_game_uses_one_whole_deck():
    for n in range(rules.MIN_PLAYERS, rules.MAX_PLAYERS + 1):
        state, _ = rules.new_game([f"p{i}" for i in range(n)], seed=n)
        assert all_cards(state) == Counter(rules.DECK)
