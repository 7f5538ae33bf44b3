"""RULES.md §7: what may be played when no attack is running — every clause and every listed consequence.

Each case is checked three ways: ``is_playable``, ``legal_actions`` and ``apply`` (accepted, or refused
with ``INVALID_PLAY`` and nothing changed).
"""

from __future__ import annotations

import pytest

from checkgame import rules
from checkgame.rules import ErrorCode, Rank
from tests.support.positions import card, play, position, refuse
from tests.support.reference import reference_playable

# (discard pile, demanded suit, card, legal)
CASES = [
    # 1. a 2 is always legal
    ("5S", None, "2H", True),
    ("KD", None, "2C", True),
    ("JOKER_RED", None, "2S", True),
    ("JOKER_BLACK", None, "2H", True),
    ("JS", "hearts", "2C", True),
    ("7C", None, "2D", True),
    ("AD", None, "2S", True),
    # 2. a Jack is always legal, a Jack on a Jack too
    ("5S", None, "JH", True),
    ("JD", None, "JS", True),
    ("JD", "clubs", "JH", True),
    ("JOKER_RED", None, "JC", True),
    ("7H", None, "JS", True),
    # 3. a Joker: on a Joker of either colour ...
    ("JOKER_BLACK", None, "JOKER_RED", True),
    ("JOKER_RED", None, "JOKER_BLACK", True),
    # ... or the colour of D when D is set ...
    ("JS", "hearts", "JOKER_RED", True),
    ("JS", "hearts", "JOKER_BLACK", False),
    ("JH", "clubs", "JOKER_BLACK", True),
    ("JH", "clubs", "JOKER_RED", False),
    ("JD", "diamonds", "JOKER_RED", True),
    # ... otherwise the colour of T
    ("5H", None, "JOKER_RED", True),
    ("5H", None, "JOKER_BLACK", False),
    ("KS", None, "JOKER_BLACK", True),
    ("KS", None, "JOKER_RED", False),
    ("JS", None, "JOKER_BLACK", True),  # a Jack with no demand (the starter) counts by its colour
    ("JS", None, "JOKER_RED", False),
    ("2D", None, "JOKER_RED", True),
    # 4. any other card, D set: of suit D only
    ("JS", "hearts", "5H", True),
    ("JS", "hearts", "AH", True),
    ("JS", "hearts", "7H", True),
    ("JS", "hearts", "KD", False),  # the right colour is not enough
    ("JS", "hearts", "9S", False),  # not the Jack's own suit ...
    ("JS", "spades", "9S", True),  # ... unless that is the suit that was named
    ("JS", "diamonds", "7S", False),
    # 4. T a Joker: the Joker's colour
    ("JOKER_RED", None, "5H", True),
    ("JOKER_RED", None, "QD", True),
    ("JOKER_RED", None, "5S", False),
    ("JOKER_RED", None, "AC", False),
    ("JOKER_BLACK", None, "AS", True),
    ("JOKER_BLACK", None, "9C", True),
    ("JOKER_BLACK", None, "9D", False),
    # 4. otherwise: the suit or the rank of T
    ("9H", None, "5H", True),
    ("9H", None, "9S", True),
    ("9H", None, "5S", False),
    ("9H", None, "AD", False),
    ("AH", None, "AS", True),
    ("AH", None, "KH", True),
    ("QC", None, "KD", False),
    ("10D", None, "10C", True),
    ("10D", None, "9C", False),
    # consequence: after a 2, match the 2 itself, never the card under it
    ("5S 2H", None, "5H", True),
    ("5S 2H", None, "5C", False),  # the rank of the card under the 2 does not count
    ("5S 2H", None, "2C", True),
    ("5S 2H", None, "9S", False),  # nor its suit
    # consequence: a 7 on a 7 of another suit (same rank); 7 on a Joker and a Joker on a 7 need the colour
    ("7C", None, "7D", True),
    ("7C", None, "7S", True),
    ("7C", None, "5C", True),
    ("7C", None, "5D", False),
    ("JOKER_RED", None, "7H", True),
    ("JOKER_RED", None, "7D", True),
    ("JOKER_RED", None, "7C", False),
    ("JOKER_BLACK", None, "7S", True),
    ("JOKER_BLACK", None, "7H", False),
    ("7H", None, "JOKER_RED", True),
    ("7H", None, "JOKER_BLACK", False),
    ("7S", None, "JOKER_BLACK", True),
    ("7S", None, "JOKER_RED", False),
]


def case_id(case: tuple[str, str | None, str, bool]) -> str:
    pile, demanded, code, legal = case
    return f"{code}-on-{pile.replace(' ', '_')}" + (f"-D={demanded}" if demanded else "") + ("-ok" if legal else "-no")


@pytest.mark.parametrize(("pile", "demanded", "code", "legal"), CASES, ids=[case_id(c) for c in CASES])
def test_what_may_be_played_outside_an_attack(pile, demanded, code, legal):
    state = position(
        {"ann": [code, "QS" if code != "QS" else "QH"], "bob": "3C 4C", "cid": "3D"}, top=pile, demanded=demanded
    )
    played = card(code)
    assert rules.is_playable(played, state.top_card, state.demanded_suit) is legal
    assert (played in rules.playable_cards(state.hand_of("ann"), state.top_card, state.demanded_suit, 0)) is legal
    suit = "clubs" if played.rank is Rank.JACK else None
    assert (rules.Play("ann", played, suit) in rules.legal_actions(state, "ann")) is legal
    if legal:
        after, events = play(state, "ann", code, suit)
        assert after.top_card == played
        assert after.current_player == ("cid" if played.rank is Rank.ACE else "bob")
        assert isinstance(events[0], rules.CardPlayed)
    else:
        assert refuse(state, rules.Play("ann", played)) is ErrorCode.INVALID_PLAY


def test_after_a_jack_demanding_hearts_exactly_these_cards_are_legal():
    """Any heart, any 2, any Jack, or the red Joker; nothing else."""
    top = card("JS")
    for each in rules.DECK:
        if each == top:
            continue
        expected = each.suit is rules.Suit.HEARTS or each.rank in (Rank.TWO, Rank.JACK) or each.code == "JOKER_RED"
        assert rules.is_playable(each, top, rules.Suit.HEARTS) is expected, each


def test_any_card_played_on_a_jack_clears_the_demand():
    state = position({"ann": "5H 6H", "bob": "5C 9C KD", "cid": "KS"}, top="JS", demanded="hearts")
    state, events = play(state, "ann", "5H")
    assert state.demanded_suit is None
    turn = events[-1]
    assert isinstance(turn, rules.TurnChanged)
    assert turn.demanded_suit is None
    # bob now matches the 5H normally: its rank or its suit, no longer "hearts"
    assert rules.playable_cards(state.hand_of("bob"), state.top_card, state.demanded_suit, 0) == [card("5C")]
    assert refuse(state, rules.Play("bob", card("KD"))) is ErrorCode.INVALID_PLAY


@pytest.mark.parametrize("code", ["2H", "JOKER_RED"])
def test_a_two_or_joker_on_a_jack_clears_the_demand_too(code):
    state = position({"ann": [code, "6H"], "bob": "5C 9C"}, top="JS", demanded="hearts")
    state, _ = play(state, "ann", code)
    assert state.demanded_suit is None


def test_a_new_jack_on_a_jack_sets_a_new_demand():
    state = position({"ann": "JD 6H", "bob": "5C 9C"}, top="JS", demanded="hearts")
    state, _ = play(state, "ann", "JD", "clubs")
    assert state.demanded_suit is rules.Suit.CLUBS
    assert rules.playable_cards(state.hand_of("bob"), state.top_card, state.demanded_suit, 0) == [
        card("5C"),
        card("9C"),
    ]


def test_legal_actions_list_each_playable_card_a_jack_once_per_suit_and_the_draw():
    state = position({"ann": "5H JC 9S 2D", "bob": "5C"}, top="9H")
    assert rules.legal_actions(state, "ann") == [
        rules.Play("ann", card("5H")),
        *(rules.Play("ann", card("JC"), suit) for suit in rules.Suit),
        rules.Play("ann", card("9S")),
        rules.Play("ann", card("2D")),
        rules.Draw("ann"),
    ]


def test_a_jack_without_a_suit_is_legal_too():
    state = position({"ann": "5H JC", "bob": "5C"}, top="9D")
    after, _ = play(state, "ann", "JC")
    assert after.awaiting_suit


def test_a_suit_may_be_given_as_a_suit_value():
    state = position({"ann": "5H JC", "bob": "5C"}, top="9D")
    after, _ = rules.apply(state, rules.Play("ann", card("JC"), rules.Suit.DIAMONDS))
    assert after.demanded_suit is rules.Suit.DIAMONDS


def test_playable_cards_keeps_hand_order():
    hand = [card(c) for c in ["9S", "2C", "5H", "JD", "9H", "KH"]]
    assert rules.playable_cards(hand, card("9H"), None, 0) == [card(c) for c in ["9S", "2C", "5H", "JD", "9H", "KH"]]
    assert rules.playable_cards(hand, card("QC"), None, 0) == [card("2C"), card("JD")]


def test_every_card_on_every_top_with_every_demand_agrees_with_the_rules_text():
    """Exhaustive: 54 cards x 54 tops x (no demand or one of 4 suits), outside and during an attack."""
    for top in rules.DECK:
        demands: list[rules.Suit | None] = [None, *rules.Suit] if top.rank is Rank.JACK else [None]
        for demanded in demands:
            name = None if demanded is None else demanded.value
            for penalty in (0, 2) if top.is_attack else (0,):
                hand = [c for c in rules.DECK if c != top]
                expected = [c for c in hand if reference_playable(c, top, name, penalty)]
                assert rules.playable_cards(hand, top, demanded, penalty) == expected, (top, demanded, penalty)
                if penalty == 0:
                    assert [c for c in hand if rules.is_playable(c, top, demanded)] == expected
