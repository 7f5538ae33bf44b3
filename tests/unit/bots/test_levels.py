"""Computer player levels: easy, normal and hard play only legal moves, hard searches within its budget and
replays exactly from a seed, and a networked bot sees what the offline simulator shows it."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from typing import Any

import pytest

from checkgame import rules
from checkgame.bots import search
from checkgame.bots.easy import EasyStrategy
from checkgame.bots.levels import Inference, Level, NormalStrategy, Seen, Strategy, observe, parse_level
from checkgame.bots.roster import strategy_for
from checkgame.bots.search import SearchStrategy, determinize
from checkgame.bots.strategy import Choice, choose
from checkgame.bots.table import BotPlayer
from checkgame.rules import DECK, Card, Rank, Suit, card_from_wire, parse_card
from checkgame.simulate import play_levels

CHEAP_HARD = SearchStrategy(playouts=6, time_budget_s=None)


def cards(codes: str) -> tuple[Card, ...]:
    return tuple(parse_card(code) for code in codes.split())


def legal(state: rules.GameState, player: str, choice: Choice) -> bool:
    action = rules.Draw(player) if choice.card is None else rules.Play(player, choice.card, choice.suit)
    return action in rules.legal_actions(state, player)


# ---------------------------------------------------------------- levels by name


def test_levels_are_parsed_by_name_and_an_unknown_one_is_refused_with_the_names():
    assert [parse_level(name) for name in ("easy", "Normal", " HARD ")] == [Level.EASY, Level.NORMAL, Level.HARD]
    with pytest.raises(ValueError, match=r"unknown computer player level 'expert'; use easy, normal, hard"):
        parse_level("expert")
    assert isinstance(strategy_for("easy"), EasyStrategy)
    assert isinstance(strategy_for(Level.NORMAL), NormalStrategy)
    hard = strategy_for("hard", playouts=50, time_budget_s=None)
    assert hard == SearchStrategy(playouts=50, time_budget_s=None)
    assert all(strategy_for(level).level is level for level in Level)


def test_a_search_needs_a_budget():
    with pytest.raises(ValueError, match="at least one playout"):
        SearchStrategy(playouts=0)
    with pytest.raises(ValueError, match="must be positive"):
        SearchStrategy(time_budget_s=0)


# ---------------------------------------------------------------- legal moves, whole games


@pytest.mark.parametrize("level", list(Level))
def test_every_move_of_every_level_is_legal_in_many_seeded_games(level):
    strategy = CHEAP_HARD if level is Level.HARD else strategy_for(level)
    games = 6 if level is Level.HARD else 60
    checked = 0
    for seed in range(games):
        players = 2 + seed % 4
        state, _ = rules.new_game([f"p{i}" for i in range(players)], seed)
        inference = Inference()
        rng = random.Random(seed)
        while state.current is not None:
            player = state.players[state.current]
            choice = strategy.choose(observe(state, player, inference=inference), rng)
            assert legal(state, player, choice), (seed, player, choice)
            if choice.card is not None and choice.card.rank is Rank.JACK:
                assert choice.suit is not None  # every level names the suit with the Jack
            before = state
            state, events = rules.apply(
                state, rules.Draw(player) if choice.card is None else rules.Play(player, choice.card, choice.suit)
            )
            inference.watch(before, events)
            checked += 1
        assert state.loser is not None
    assert checked > games * 10


def test_levels_mixed_at_one_table_finish_their_games():
    strategies: dict[str, Strategy] = {"e": EasyStrategy(), "n": NormalStrategy(), "h": CHEAP_HARD}
    losers = Counter(play_levels(strategies, seed)[0].loser for seed in range(8))
    assert sum(losers.values()) == 8
    assert set(losers) <= {"e", "n", "h"}


def test_easy_plays_whatever_fits_and_draws_only_when_nothing_does():
    seen = Seen("me", cards("5H 9H KS 2C"), parse_card("9C"), None, 0)
    picked = {EasyStrategy().choose(seen, random.Random(seed)).card for seed in range(40)}
    assert picked == set(cards("9H 2C"))  # both fitting cards, a 2 as readily as a plain one
    stuck = Seen("me", cards("5H KS"), parse_card("9C"), None, 0)
    assert EasyStrategy().choose(stuck, random.Random(1)) == Choice(None)
    attacked = Seen("me", cards("5H 7S JOKER_RED"), parse_card("7C"), None, 2)
    assert {EasyStrategy().choose(attacked, random.Random(s)).card for s in range(30)} == set(cards("7S JOKER_RED"))


def test_easy_names_a_suit_it_holds_with_a_jack():
    seen = Seen("me", cards("JS 5H 6H"), parse_card("9C"), None, 0)
    for seed in range(20):
        choice = EasyStrategy().choose(seen, random.Random(seed))
        if choice.card == parse_card("JS"):
            assert choice.suit is Suit.HEARTS


# ---------------------------------------------------------------- the search


def test_hard_replays_exactly_from_its_seed():
    strategies: dict[str, Strategy] = {"h": SearchStrategy(playouts=12, time_budget_s=None), "n": NormalStrategy()}
    first, first_state = play_levels(strategies, 5)
    second, second_state = play_levels(strategies, 5)
    assert first == second
    assert rules.to_dict(first_state) == rules.to_dict(second_state)
    state, _ = rules.new_game(["h", "n"], 11)
    seen = observe(state, "h")
    choices = [SearchStrategy(playouts=30, time_budget_s=None).choose(seen, random.Random(3)) for _ in range(2)]
    assert choices[0] == choices[1]


def test_the_budget_is_a_number_of_playouts_split_over_the_moves(monkeypatch):
    calls: list[str] = []
    real = search.playout

    def counting(state: rules.GameState, me: str) -> float:
        calls.append(me)
        return real(state, me)

    monkeypatch.setattr(search, "playout", counting)
    # 7 fitting cards and the Jack's four suits: many candidate moves.
    seen = observe(*_position("h", "5H 6H 8H 9H QH KH JS 3C", "4H", others="3D 4D 5D 6D 7D"))
    SearchStrategy(playouts=60, time_budget_s=None).choose(seen, random.Random(1))
    moves = len(search._candidates(seen, Choice(parse_card("5H"))))
    assert moves >= 8
    assert len(calls) == (60 // moves) * moves
    calls.clear()
    SearchStrategy(playouts=3, time_budget_s=None).choose(seen, random.Random(1))
    assert len(calls) == moves  # at least one playout for every move, whatever the budget
    calls.clear()
    only_draw = observe(*_position("h", "5S 6S", "4H", others="3D 4D"))
    assert SearchStrategy(playouts=60, time_budget_s=None).choose(only_draw, random.Random(1)) == Choice(None)
    assert calls == []  # nothing to choose, nothing searched


def test_the_time_budget_stops_the_search_after_a_round(monkeypatch):
    calls: list[str] = []

    def counting(state: rules.GameState, me: str) -> float:
        calls.append(me)
        return 1.0

    monkeypatch.setattr(search, "playout", counting)
    ticks = itertools.count()
    clock = lambda: float(next(ticks))  # noqa: E731 - every reading is one second later
    seen = observe(*_position("h", "5H 6H 9C", "4H", others="3D 4D"))
    SearchStrategy(playouts=1000, time_budget_s=1.5, clock=clock).choose(seen, random.Random(1))
    moves = len(search._candidates(seen, Choice(parse_card("5H"))))
    assert len(calls) == 2 * moves  # started at 0, checked at 1 (go on) and at 2 (stop)


def test_hard_attacks_an_opponent_about_to_go_out_that_cannot_counter():
    # The opponent holds one card and countered the last attack with a Joker, so it held no 7 then. Normal sheds
    # a plain spade and lets it go out on a spade or a 5; the 7 makes it draw two instead.
    inference = Inference()
    inference.played("n", parse_card("JOKER_RED"), parse_card("7C"), None, 2)
    state = _state("h", hands={"h": "5S 7S", "n": "9D"}, top="KS", draw="2H 3H 4H 5H 6H 8H")
    assert NormalStrategy().choose(observe(state, "h"), random.Random(0)).card == parse_card("5S")
    seen = observe(state, "h", inference=inference)
    assert SearchStrategy(playouts=200, time_budget_s=None).choose(seen, random.Random(0)).card == parse_card("7S")


def _state(me: str, *, hands: dict[str, str], top: str, draw: str = "") -> rules.GameState:
    players = list(hands)
    used = set(cards(" ".join(hands.values()) + f" {top} {draw}"))
    rest = [card.code for card in DECK if card not in used]
    return rules.from_dict(
        {
            "format": 1,
            "players": players,
            "hands": {p: h.split() for p, h in hands.items()},
            "draw_pile": draw.split() or rest[:10],
            "discard_pile": ([] if draw else rest[10:]) + [top],
            "current_player": me,
            "pending_penalty": 0,
            "demanded_suit": None,
            "awaiting_suit": False,
            "finished": [],
            "loser": None,
            "seed": 1,
            "reshuffles": 0,
        }
    )


def _position(me: str, hand: str, top: str, *, others: str) -> tuple[rules.GameState, str]:
    return _state(me, hands={me: hand, "o": others}, top=top), me


# ---------------------------------------------------------------- determinizations


def test_a_determinization_agrees_with_everything_seen():
    for seed in range(40):
        state, _ = rules.new_game(["a", "b", "c"], seed)
        rng = random.Random(seed)
        inference = Inference()
        for _ in range(seed % 15):  # some way into the game
            if state.current is None:
                break
            player = state.players[state.current]
            choice = NormalStrategy().choose(observe(state, player), rng)
            before = state
            action = rules.Draw(player) if choice.card is None else rules.Play(player, choice.card, choice.suit)
            state, events = rules.apply(state, action)
            inference.watch(before, events)
        if state.current is None:
            continue
        me = state.players[state.current]
        seen = observe(state, me, inference=inference)
        guess = determinize(seen, random.Random(seed))
        assert guess is not None
        assert guess.hand_of(me) == state.hand_of(me)
        assert [len(h) for h in guess.hands] == [len(h) for h in state.hands]
        assert len(guess.draw_pile) == len(state.draw_pile)
        assert guess.discard_pile == state.discard_pile
        everything = [c for h in guess.hands for c in h] + list(guess.draw_pile) + list(guess.discard_pile)
        assert sorted(everything, key=DECK.index) == list(DECK)
        assert (guess.penalty, guess.demanded_suit, guess.current) == (
            state.penalty,
            state.demanded_suit,
            state.current,
        )
        for seat, player in enumerate(state.players):
            if player != me and not seen.drawn_since[seat]:
                assert not set(guess.hands[seat]) & seen.ruled_out[seat]


def test_a_determinization_fills_unwatched_cards_under_the_pile_and_refuses_what_cannot_be():
    seen = Seen("a", cards("5H 6H"), parse_card("9C"), None, 0, players=("a", "b"), hand_sizes=(2, 3),
                draw_pile_size=10)  # fmt: skip
    guess = determinize(seen, random.Random(1))
    assert guess is not None
    assert len(guess.hands[1]) == 3
    assert len(guess.draw_pile) == 10
    assert guess.top_card == parse_card("9C")
    assert len(guess.discard_pile) == 54 - 2 - 3 - 10
    assert determinize(Seen("a", (), parse_card("9C"), None, 0), random.Random(1)) is None  # no seat order
    too_many = Seen("a", (), parse_card("9C"), None, 0, players=("a", "b"), hand_sizes=(0, 60))
    assert determinize(too_many, random.Random(1)) is None


# ---------------------------------------------------------------- inference


def test_a_draw_rules_out_every_card_that_fits_until_cards_drawn_since_are_played():
    inference = Inference()
    inference.drew("b", 1, parse_card("9C"), None, 0)
    ruled_out = inference.ruled_out["b"]
    assert set(cards("3C 9H 2D JS JOKER_BLACK")) <= ruled_out
    assert not set(cards("5H KD JOKER_RED")) & ruled_out
    assert inference.drawn_since["b"] == 1
    inference.played("b", parse_card("4C"), parse_card("4H"), None, 0)  # a club it was thought not to hold
    assert inference.drawn_since["b"] == 0  # so it was the card it drew
    inference.drew("b", 2, parse_card("7H"), None, 2)  # a penalty draw: no 7, no Joker
    assert set(cards("7S 7D JOKER_RED JOKER_BLACK")) <= inference.ruled_out["b"]
    assert parse_card("3C") in inference.ruled_out["b"]  # every card held then was also held at the earlier draw


def test_a_special_card_played_rules_out_the_fitting_cards_shed_before_it():
    inference = Inference()
    inference.played("b", parse_card("2H"), parse_card("9H"), None, 0)
    assert set(cards("3H 9S AH")) <= inference.ruled_out["b"]
    assert not set(cards("JH 7H 2S")) & inference.ruled_out["b"]
    inference.played("b", parse_card("JOKER_RED"), parse_card("7H"), None, 2)  # a Joker to counter: no 7s
    assert set(cards("7S 7C")) <= inference.ruled_out["b"]
    inference.drew_for_them("b", 1)  # the turn timer drew: nothing learnt, one card unaccounted for
    assert inference.drawn_since["b"] == 1
    inference.reset()
    assert inference.for_seats(("a", "b")) == ((frozenset(), frozenset()), (0, 0))


# ---------------------------------------------------------------- networked bots see what the simulator shows


def play_over_frames(levels: dict[str, Any], seed: int) -> int:
    """Every player a BotPlayer fed the engine's events as frames; at each decision the table's picture must be
    exactly what :func:`observe` shows the mover of the real state. Returns the number of moves."""
    names = list(levels)
    state, events = rules.new_game(names, seed)
    bots = {name: BotPlayer(name, rng=random.Random(seed + i), strategy=levels[name]) for i, name in enumerate(names)}
    for name, bot in bots.items():
        bot.handle({"type": "connection_established", "data": {"playerId": name}})
    inference = Inference()
    seq, moves = 0, 0
    decided: dict[str, dict[str, Any]] = {}
    while True:
        for event in events:
            seq += 1
            for name, bot in bots.items():
                reply = bot.handle({"type": rules.event_type(event), "data": rules.event_view(event, name), "seq": seq})
                if reply is not None:
                    decided[name] = reply
        if state.loser is not None:
            return moves
        mover = state.current_player
        assert mover is not None
        assert bots[mover].table.seen() == observe(state, mover, inference=inference)
        data = decided.pop(mover)["data"]
        action: rules.Action
        if "card" in data:
            action = rules.Play(mover, card_from_wire(data["card"]), data.get("chosenSuit"))
        else:
            action = rules.Draw(mover)
        before = state
        state, events = rules.apply(state, action)
        inference.watch(before, events)
        moves += 1


def test_a_networked_bot_sees_what_the_simulator_shows_and_plays_its_level():
    total = 0
    for seed in range(6):
        total += play_over_frames({"e": EasyStrategy(), "n": NormalStrategy(), "h": CHEAP_HARD}, seed)
    for seed in range(40):  # long two-player games reshuffle the pile
        total += play_over_frames({"e": EasyStrategy(), "n": NormalStrategy()}, seed)
    assert total > 46 * 10


def test_a_snapshot_restarts_what_the_table_tracks():
    bot = BotPlayer("Bot", rng=random.Random(0), strategy=CHEAP_HARD)
    bot.handle({"type": "connection_established", "data": {"playerId": "me"}})
    bot.table.inference.drew("bob", 1, parse_card("9C"), None, 0)
    game = {
        "players": [
            {"id": "me", "handSize": 2, "finished": False, "active": True},
            {"id": "bob", "handSize": 0, "finished": True, "active": False},
            {"id": "cid", "handSize": 5, "finished": False, "active": True},
        ],
        "currentPlayer": "me",
        "topCard": {"rank": "9", "suit": "clubs"},
        "demandedSuit": None,
        "pendingPenalty": 0,
        "awaitingSuit": False,
        "drawPileSize": 20,
        "finishOrder": ["bob"],
        "hand": [{"rank": "5", "suit": "clubs"}, {"rank": "K", "suit": "hearts"}],
    }
    reply = bot.handle({"type": "session_state", "seq": 9, "data": {"status": "playing", "game": game}})
    seen = bot.table.seen()
    assert seen.hand_sizes == (2, 0, 5)
    assert (seen.finished, seen.discard, seen.draw_pile_size) == (("bob",), cards("9C"), 20)
    assert seen.ruled_out == (frozenset(),) * 3  # what was inferred before the gap may no longer hold
    assert reply is not None
    assert reply["type"] in ("play_card", "draw_card")


def test_the_playouts_quick_normal_moves_exactly_as_normal_does():
    rng = random.Random(7)
    for _ in range(5000):
        size = rng.randint(1, 12)
        dealt = rng.sample(DECK, size + 1)
        hand, top = tuple(dealt[:size]), dealt[size]
        penalty = rng.choice([0, 0, 2, 6]) if top.is_attack else 0
        demanded = rng.choice([None, *Suit]) if top.rank is Rank.JACK else None
        assert search.normal_move(hand, top, demanded, penalty) == choose(hand, top, demanded, penalty), (hand, top)
