"""RULES.md §11: ordinary and penalty draws, the reshuffle of the discard pile, and exhausted piles."""

from __future__ import annotations

from collections import Counter

from checkgame import rules
from checkgame.rules import Suit
from tests.support.harness import TableHarness
from tests.support.positions import all_cards, card, codes, draw, event_types, hand, only, position


def test_an_ordinary_draw_takes_the_top_card_and_ends_the_turn():
    t = TableHarness(position({"ann": "5H 9H", "bob": "5S"}, top="9C", draw="KD QD 3S"))
    events = t.draw("ann")
    assert event_types(events) == ["card_drawn", "turn_changed"]
    assert t.hand("ann") == ["5H", "9H", "KD"]
    assert [c.code for c in t.state.draw_pile] == ["QD", "3S"]
    assert t.state.current_player == "bob"
    drawn = only(events, rules.CardsDrawn)
    assert (drawn.player, drawn.cards, drawn.penalty) == ("ann", (card("KD"),), False)
    assert t.seen_by("ann", "card_drawn") == [
        {"player": "ann", "count": 1, "penalty": False, "cards": [{"rank": "K", "suit": "diamonds"}]}
    ]
    assert t.seen_by("bob", "card_drawn") == [{"player": "ann", "count": 1, "penalty": False}]
    assert t.seen_by(None, "card_drawn") == [{"player": "ann", "count": 1, "penalty": False}]


def test_a_player_may_draw_while_holding_a_legal_card():
    state = position({"ann": "9H 2C JD", "bob": "5S"}, top="9C")
    assert rules.playable_cards(state.hand_of("ann"), state.top_card, None, 0)
    after, _ = draw(state, "ann")
    assert len(after.hand_of("ann")) == 4


def test_the_drawn_card_may_not_be_played_this_turn():
    state = position({"ann": "5H", "bob": "5S"}, top="9C", draw="9D KD")
    after, _ = draw(state, "ann")
    assert after.current_player == "bob"  # the drawn 9D matches, but the turn is over
    assert rules.legal_actions(after, "ann") == []


def test_a_penalty_draw_takes_p_cards_one_by_one():
    pile = "KD QD 3S 4S 5S"
    state = position({"ann": "5H", "bob": "9S"}, top="JOKER_RED", penalty=4, draw=pile)
    after, events = draw(state, "ann")
    assert hand(after, "ann") == ["5H", "KD", "QD", "3S", "4S"]
    assert hand(after, "bob") == ["9S"]
    drawn = only(events, rules.CardsDrawn)
    assert drawn.penalty is True
    assert [c.code for c in drawn.cards] == ["KD", "QD", "3S", "4S"]
    assert after.penalty == 0
    assert after.current_player == "bob"


def test_the_discard_pile_is_reshuffled_when_the_draw_pile_runs_empty():
    discard = "3C 4C 5C 6C 8C 9C 7C"
    state = position({"ann": "5H", "bob": "9S", "cid": "KH"}, top=discard, penalty=4, draw="KD", seed=11)
    t = TableHarness(state)
    events = t.draw("ann")
    assert event_types(events) == ["pile_reshuffled", "card_drawn", "turn_changed"]
    assert only(events, rules.PileReshuffled).size == 6  # all discards but the top card
    drawn = only(events, rules.CardsDrawn).cards
    assert len(drawn) == 4  # P was not changed by the reshuffle
    assert drawn[0] == card("KD")  # the old pile first
    assert set(drawn[1:]) <= {card(c) for c in codes(discard)[:-1]}
    after = t.state
    assert after.discard_pile == (card("7C"),)  # the top card stays
    assert Counter(after.draw_pile) + Counter(drawn[1:]) == Counter(card(c) for c in codes(discard)[:-1])
    assert after.reshuffles == 1
    assert t.seen_by("bob", "pile_reshuffled") == [{"drawPileSize": 6}]


def test_the_reshuffle_leaves_the_demand_and_the_top_jack_alone():
    state = position({"ann": "5H", "bob": "9S", "cid": "KH"}, top="3C 4C 5C JS", demanded="hearts", draw="")
    after, events = draw(state, "ann")
    assert event_types(events) == ["pile_reshuffled", "card_drawn", "turn_changed"]
    assert after.top_card == card("JS")
    assert after.demanded_suit is Suit.HEARTS
    assert only(events, rules.TurnChanged).demanded_suit is Suit.HEARTS
    assert len(after.draw_pile) == 2
    assert hand(after, "ann")[0] == "5H"
    assert hand(after, "ann")[1] in {"3C", "4C", "5C"}


def test_the_reshuffle_is_a_permutation_derived_from_the_seed():
    def reshuffled(seed: int, reshuffles: int) -> tuple[rules.Card, ...]:
        state = position(
            {"ann": "5H", "bob": "9S"}, top="3C 4C 5C 6C 8C 9C 10C QC KC", draw="", seed=seed, reshuffles=reshuffles
        )
        after, events = draw(state, "ann")
        return only(events, rules.CardsDrawn).cards + after.draw_pile

    assert reshuffled(1, 0) == reshuffled(1, 0)
    orders = {reshuffled(seed, n) for seed in range(4) for n in range(4)}
    assert len(orders) > 1
    for order in orders:
        assert Counter(order) == Counter(card(c) for c in codes("3C 4C 5C 6C 8C 9C 10C QC"))


def test_a_pile_emptied_exactly_is_reshuffled_by_the_next_draw_only():
    state = position({"ann": "5H", "bob": "9S"}, top="3C 4C 9C", draw="KD")
    state, events = draw(state, "ann")
    assert event_types(events) == ["card_drawn", "turn_changed"]
    assert state.draw_pile == ()
    assert len(state.discard_pile) == 3
    state, events = draw(state, "bob")
    assert event_types(events) == ["pile_reshuffled", "card_drawn", "turn_changed"]
    assert len(state.draw_pile) == 1


def test_with_both_piles_exhausted_an_ordinary_draw_takes_nothing_and_still_counts():
    t = TableHarness(position({"ann": "5H", "bob": "9S"}, top="9C", draw=""))
    events = t.draw("ann")
    assert event_types(events) == ["card_drawn", "turn_changed"]  # nothing to reshuffle
    assert only(events, rules.CardsDrawn).cards == ()
    assert t.hand("ann") == ["5H"]
    assert t.state.current_player == "bob"
    assert t.seen_by("ann", "card_drawn") == [{"player": "ann", "count": 0, "penalty": False, "cards": []}]


def test_with_both_piles_exhausted_a_penalty_draw_takes_what_exists_and_p_resets():
    t = TableHarness(position({"ann": "5H", "bob": "9S", "cid": "KH"}, top="4C 9C 7C", penalty=6, draw="KD"))
    events = t.draw("ann")
    assert event_types(events) == ["pile_reshuffled", "card_drawn", "turn_changed"]
    drawn = only(events, rules.CardsDrawn)
    assert len(drawn.cards) == 3  # KD, then the two reshuffled discards; 6 were due
    assert drawn.cards[0] == card("KD")
    assert (len(t.state.draw_pile), t.state.discard_pile) == (0, (card("7C"),))
    assert t.state.penalty == 0
    assert t.state.current_player == "bob"
    events = t.draw("bob")  # nothing left at all
    assert only(events, rules.CardsDrawn).cards == ()
    assert t.state.current_player == "cid"


def test_a_penalty_draw_on_empty_piles_takes_nothing_and_p_resets():
    state = position({"ann": "5H", "bob": "9S"}, top="JOKER_BLACK", penalty=4, draw="")
    after, events = draw(state, "ann")
    assert only(events, rules.CardsDrawn) == rules.CardsDrawn("ann", (), penalty=True)
    assert after.penalty == 0
    assert only(events, rules.TurnChanged) == rules.TurnChanged("bob", 0, None)


def test_reshuffles_are_counted_and_keep_every_card():
    state = position({"ann": "5H 6H", "bob": "9S 8S"}, top="3C 4C 5C 6C", draw="")
    cards = all_cards(state)
    drawn = []
    for player in ("ann", "bob", "ann", "bob"):
        state, events = draw(state, player)
        drawn.append(len(only(events, rules.CardsDrawn).cards))
        assert all_cards(state) == cards
    assert drawn == [1, 1, 1, 0]  # three discards came back once; then only the top card is left
    assert state.reshuffles == 1
    assert state.discard_pile == (card("6C"),)


def test_a_discard_pile_of_two_gives_its_lower_card_back():
    state = position({"ann": "5H", "bob": "9S"}, top="3C 9C", draw="")
    after, events = draw(state, "ann")
    assert event_types(events) == ["pile_reshuffled", "card_drawn", "turn_changed"]
    assert only(events, rules.PileReshuffled).size == 1
    assert hand(after, "ann") == ["5H", "3C"]
    assert (after.draw_pile, after.discard_pile) == ((), (card("9C"),))
