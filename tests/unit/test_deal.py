"""RULES.md §4: a fresh seeded deck per game, the hand-size cap, the starter card and its (lack of) effect."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from checkgame import rules
from checkgame.rules import Card, ErrorCode, GameState, Rank, engine
from tests.support.positions import all_cards, position, refuse

PLAYERS3 = ("ann", "bob", "cid")


def players(n: int) -> list[str]:
    return [f"p{i}" for i in range(n)]


def seed_where(condition: Callable[[GameState], bool], n: int = 3, limit: int = 2_000) -> int:
    """The first seed whose deal of ``n`` players satisfies ``condition``."""
    for seed in range(limit):
        if condition(rules.new_game(players(n), seed)[0]):
            return seed
    raise AssertionError("no such seed")  # pragma: no cover - the scans below find one quickly


def documented_deck(seed: int) -> tuple[random.Random, list[Card]]:
    """The deck before the deal, shuffled as the engine documents: ``random.Random("<seed>/deal")``."""
    rng = random.Random(f"{seed}/deal")
    deck = list(rules.DECK)
    rng.shuffle(deck)
    return rng, deck


@pytest.mark.parametrize(
    ("n", "expected"),
    [(2, 7), (3, 7), (4, 7), (5, 7), (6, 7), (7, 6), (8, 6)],
)
def test_hand_size_is_seven_up_to_six_players_and_six_for_seven_or_eight(n, expected):
    assert rules.deal_size(n) == expected
    assert rules.deal_size(n, rules.DEFAULT_HAND_SIZE) == expected
    state, events = rules.new_game(players(n), seed=n)
    assert [len(hand) for hand in state.hands] == [expected] * n
    assert rules.event_view(events[0], None)["handSizes"] == dict.fromkeys(players(n), expected)


@pytest.mark.parametrize("n", range(2, 9))
@pytest.mark.parametrize("hand_size", [1, 3, 5, 6, 7, 8, 12, 24, 100])
def test_hand_size_is_min_of_h_and_48_over_n(n, hand_size):
    h = min(hand_size, 48 // n)
    assert rules.deal_size(n, hand_size) == h
    state, _ = rules.new_game(players(n), seed=hand_size, hand_size=hand_size)
    assert [len(hand) for hand in state.hands] == [h] * n
    assert len(state.discard_pile) == 1
    assert len(state.draw_pile) == 54 - n * h - 1
    assert len(state.draw_pile) >= 5  # at least 5 cards stay in the draw pile
    assert all_cards(state) == Counter(rules.DECK)


@pytest.mark.parametrize("hand_size", [0, -1])
def test_hand_size_below_one_is_refused(hand_size):
    with pytest.raises(ValueError, match="hand size"):
        rules.new_game(PLAYERS3, seed=1, hand_size=hand_size)


def test_the_same_seed_deals_the_same_game_and_others_differ():
    a, events_a = rules.new_game(PLAYERS3, seed=42)
    b, events_b = rules.new_game(PLAYERS3, seed=42)
    assert a == b
    assert events_a == events_b
    deals = {rules.new_game(PLAYERS3, seed=seed)[0].hands for seed in range(20)}
    assert len(deals) == 20


def test_the_deal_goes_round_the_table_one_card_at_a_time_from_seat_one():
    _, deck = documented_deck(7)
    state, _ = rules.new_game(players(4), seed=7)
    for seat in range(4):
        assert list(state.hands[seat]) == deck[seat : 4 * 7 : 4]


def test_the_starter_is_turned_up_from_the_draw_pile():
    state, events = rules.new_game(PLAYERS3, seed=3)
    started = events[0]
    assert isinstance(started, rules.GameStarted)
    assert state.discard_pile == (started.starter,)
    assert state.top_card == started.starter
    assert started.draw_pile_size == len(state.draw_pile)
    assert started.hands == state.hands
    assert started.first_player == "ann"


@pytest.mark.parametrize("n", range(2, 9))
def test_the_starter_is_never_a_seven_or_a_joker(n):
    for seed in range(150):
        state, _ = rules.new_game(players(n), seed)
        assert not state.top_card.is_attack
        assert state.penalty == 0


def test_a_seven_or_joker_starter_is_put_back_and_the_pile_reshuffled():
    def first_turned_up(seed: int) -> Card:
        return documented_deck(seed)[1][3 * 7]

    seed = next(s for s in range(1_000) if first_turned_up(s).is_attack)
    bad = first_turned_up(seed)
    _, deck = documented_deck(seed)
    state, _ = rules.new_game(players(3), seed)
    assert state.top_card != bad
    assert not state.top_card.is_attack
    assert bad in state.draw_pile  # put back, not discarded or dealt
    for seat in range(3):  # the deal itself is unaffected
        assert list(state.hands[seat]) == deck[seat : 3 * 7 : 3]
    assert Counter(state.draw_pile) + Counter(state.discard_pile) == Counter(deck[3 * 7 :])


def test_the_starter_is_redrawn_while_it_is_an_attack_card():
    """Follow the documented shuffle to a seed that needs two redraws, and compare."""

    def redraws(seed: int) -> tuple[int, list[Card]]:
        rng, deck = documented_deck(seed)
        pile, count = deck[2 * 7 :], 0
        while pile[0].is_attack:
            rng.shuffle(pile)
            count += 1
        return count, pile

    seed = next(s for s in range(5_000) if redraws(s)[0] >= 2)
    _, pile = redraws(seed)
    state, _ = rules.new_game(players(2), seed)
    assert state.discard_pile == (pile[0],)
    assert list(state.draw_pile) == pile[1:]


def has_starter(rank: Rank) -> Callable[[GameState], bool]:
    return lambda state: state.top_card.rank is rank


@pytest.mark.parametrize("rank", [Rank.ACE, Rank.JACK, Rank.TWO, Rank.KING])
@pytest.mark.parametrize("first", [None, "p1", "p2"])
def test_the_starter_has_no_effect(rank, first):
    seed = seed_where(has_starter(rank))
    state, events = rules.new_game(players(3), seed, first_player=first)
    assert [rules.event_type(e) for e in events] == ["game_started"]  # no skip, no turn change
    assert state.current_player == (first or "p0")  # an Ace starter skips nobody
    assert state.penalty == 0
    assert state.demanded_suit is None  # a Jack starter demands nothing
    assert not state.awaiting_suit


def test_an_ace_starter_skips_nobody():
    seed = seed_where(has_starter(Rank.ACE))
    state, _ = rules.new_game(players(3), seed)
    assert state.current_player == "p0"
    assert rules.legal_actions(state, "p0")
    assert rules.legal_actions(state, "p1") == []


def test_a_jack_starter_is_matched_by_its_own_suit_or_rank():
    seed = seed_where(has_starter(Rank.JACK))
    starter = rules.new_game(players(3), seed)[0].top_card
    assert starter.suit is not None
    for card in rules.DECK:
        if card.rank in (Rank.TWO, Rank.JACK):
            expected = True
        elif card.rank is Rank.JOKER:
            expected = card.color is starter.color
        else:
            expected = card.suit is starter.suit
        assert rules.is_playable(card, starter, None) is expected, card
    state = position({"ann": "5S 5H JH", "bob": "9C"}, top="JS")
    assert state.demanded_suit is None
    assert rules.legal_actions(state, "ann") == [
        rules.Play("ann", rules.parse_card("5S")),
        *(rules.Play("ann", rules.parse_card("JH"), suit) for suit in rules.Suit),
        rules.Draw("ann"),
    ]
    assert refuse(state, rules.Play("ann", rules.parse_card("5H"))) is ErrorCode.INVALID_PLAY


def test_a_two_starter_is_matched_by_its_suit_or_rank():
    seed = seed_where(has_starter(Rank.TWO))
    starter = rules.new_game(players(3), seed)[0].top_card
    assert starter.suit is not None
    same_suit = next(c for c in rules.DECK if c.suit is starter.suit and c.rank is Rank.NINE)
    other_suit = next(c for c in rules.DECK if c.suit not in (starter.suit, None) and c.rank is Rank.NINE)
    other_two = next(c for c in rules.DECK if c.rank is Rank.TWO and c != starter)
    assert rules.is_playable(same_suit, starter, None)
    assert rules.is_playable(other_two, starter, None)
    assert not rules.is_playable(other_suit, starter, None)


def test_first_player_must_be_seated():
    with pytest.raises(ValueError):
        rules.new_game(PLAYERS3, seed=1, first_player="zed")


class _AttackCardsLastOnce(random.Random):
    """A random stream whose first shuffle leaves exactly the six attack cards undealt."""

    shuffles = 0

    def shuffle(self, x: list[Any]) -> None:  # type: ignore[override]
        self.shuffles += 1
        super().shuffle(x)
        if self.shuffles == 1:
            x.sort(key=lambda card: card.is_attack)


def test_a_deal_that_leaves_only_attack_cards_is_dealt_again() -> None:
    rng = _AttackCardsLastOnce(7)
    hands, pile = engine.deal(8, 6, rng)
    assert rng.shuffles >= 2
    assert not pile[0].is_attack
    assert sorted(map(str, [c for h in hands for c in h] + list(pile))) == sorted(map(str, rules.DECK))
