"""RULES.md §16: what each player, and a spectator, may see; a saved game keeps everything."""

from __future__ import annotations

import json

import pytest

from checkgame import rules
from checkgame.rules import EndReason, GameState, Suit
from tests.support.harness import TableHarness, wire_cards
from tests.support.positions import card, play, position

PUBLIC_KEYS = {
    "players",
    "currentPlayer",
    "topCard",
    "demandedSuit",
    "pendingPenalty",
    "awaitingSuit",
    "drawPileSize",
    "discardPileSize",
    "finishOrder",
    "loser",
    "direction",
}


def sample() -> GameState:
    return position(
        {"ann": "5H 9H", "bob": "", "cid": "5C JOKER_RED 2D", "dee": "KS"},
        top="3D JS",
        finished=["bob"],
        current="cid",
        demanded="hearts",
        draw="AD AC",
    )


def test_a_spectator_sees_exactly_the_public_part():
    view = rules.state_view(sample(), None)
    assert set(view) == PUBLIC_KEYS
    assert view == {
        "players": [
            {"id": "ann", "handSize": 2, "finished": False, "active": True},
            {"id": "bob", "handSize": 0, "finished": True, "active": False},
            {"id": "cid", "handSize": 3, "finished": False, "active": True},
            {"id": "dee", "handSize": 1, "finished": False, "active": True},
        ],
        "currentPlayer": "cid",
        "topCard": {"rank": "J", "suit": "spades"},
        "demandedSuit": "hearts",
        "pendingPenalty": 0,
        "awaitingSuit": False,
        "drawPileSize": 2,
        "discardPileSize": 2,
        "finishOrder": ["bob"],
        "loser": None,
        "direction": "clockwise",
    }
    assert wire_cards(view) == [card("JS")]


@pytest.mark.parametrize("viewer", [None, "zed", "admin"])
def test_anyone_not_seated_sees_no_hand(viewer):
    state = sample()
    assert rules.state_view(state, viewer) == rules.state_view(state, None)


@pytest.mark.parametrize("player", ["ann", "bob", "cid", "dee"])
def test_a_player_sees_the_public_part_and_only_their_own_hand(player):
    state = sample()
    view = rules.state_view(state, player)
    assert set(view) == PUBLIC_KEYS | {"hand"}
    assert view["hand"] == [rules.card_to_wire(c) for c in state.hand_of(player)]
    assert {k: v for k, v in view.items() if k != "hand"} == rules.state_view(state, None)
    others = {c for p, hand in zip(state.players, state.hands, strict=True) if p != player for c in hand}
    assert not others & set(wire_cards(view))
    json.dumps(view)


def test_the_deal_is_private_per_player():
    state, events = rules.new_game(["ann", "bob", "cid"], seed=9)
    (started,) = events
    public = rules.event_view(started, None)
    assert public == {
        "players": ["ann", "bob", "cid"],
        "handSizes": {"ann": 7, "bob": 7, "cid": 7},
        "starterCard": rules.card_to_wire(state.top_card),
        "firstPlayer": "ann",
        "drawPileSize": 54 - 21 - 1,
    }
    for player in state.players:
        view = rules.event_view(started, player)
        assert view == {**public, "hand": [rules.card_to_wire(c) for c in state.hand_of(player)]}
    assert rules.event_view(started, "zed") == public


def test_drawn_cards_are_private_to_the_drawer():
    state = position({"ann": "5H", "bob": "9S"}, top="JOKER_RED", penalty=4, draw="KD QD 3S 4S 5S")
    _, events = rules.apply(state, rules.Draw("ann"))
    drawn = events[0]
    assert rules.event_type(drawn) == "card_drawn"
    public = {"player": "ann", "count": 4, "penalty": True}
    assert rules.event_view(drawn, None) == public
    assert rules.event_view(drawn, "bob") == public
    assert rules.event_view(drawn, "ann") == {
        **public,
        "cards": [rules.card_to_wire(card(c)) for c in ["KD", "QD", "3S", "4S"]],
    }


def test_every_event_type_and_its_public_shape():
    samples: list[tuple[rules.Event, str, dict[str, object]]] = [
        (
            rules.CardPlayed("ann", card("JD"), Suit.CLUBS, 0, False),
            "card_played",
            {
                "player": "ann",
                "card": {"rank": "J", "suit": "diamonds"},
                "chosenSuit": "clubs",
                "pendingPenalty": 0,
                "awaitingSuit": False,
            },
        ),
        (
            rules.CardPlayed("ann", card("JOKER_BLACK"), None, 6, False),
            "card_played",
            {
                "player": "ann",
                "card": {"rank": "Joker", "color": "black"},
                "chosenSuit": None,
                "pendingPenalty": 6,
                "awaitingSuit": False,
            },
        ),
        (rules.SuitChosen("bob", Suit.HEARTS), "suit_chosen", {"player": "bob", "suit": "hearts"}),
        (rules.PileReshuffled(12), "pile_reshuffled", {"drawPileSize": 12}),
        (rules.TurnSkipped("cid"), "turn_skipped", {"player": "cid"}),
        (rules.PlayerFinished("ann", 2), "player_finished", {"player": "ann", "place": 2}),
        (
            rules.TurnChanged("dee", 4, None),
            "turn_changed",
            {"player": "dee", "pendingPenalty": 4, "demandedSuit": None},
        ),
        (
            rules.TurnChanged("dee", 0, Suit.SPADES),
            "turn_changed",
            {"player": "dee", "pendingPenalty": 0, "demandedSuit": "spades"},
        ),
        (
            rules.GameEnded("bob", ("ann", "cid", "bob"), EndReason.LEFT),
            "game_finished",
            {"loser": "bob", "placements": ["ann", "cid", "bob"], "reason": "left"},
        ),
    ]
    for event, kind, public in samples:
        assert rules.event_type(event) == kind
        for viewer in (None, "ann", "bob"):
            assert rules.event_view(event, viewer) == public
            json.dumps(rules.event_view(event, viewer))


def test_the_awaiting_suit_flag_is_public():
    state, _ = play(position({"ann": "JH 5H", "bob": "5S"}, top="9H"), "ann", "JH")
    assert rules.state_view(state, "bob")["awaitingSuit"] is True
    assert rules.state_view(state, None)["currentPlayer"] == "ann"


def test_a_saved_and_restored_game_keeps_everything_including_the_awaiting_flag():
    state, _ = play(position({"ann": "JH 5H", "bob": "5S 6S"}, top="9H", seed=77, reshuffles=3), "ann", "JH")
    saved = json.dumps(rules.to_dict(state))
    restored = rules.from_dict(json.loads(saved))
    assert restored == state
    assert restored.awaiting_suit
    for viewer in (None, "ann", "bob"):
        assert rules.state_view(restored, viewer) == rules.state_view(state, viewer)
    after_original = rules.apply(state, rules.ChooseSuit("ann", "spades"))
    after_restored = rules.apply(restored, rules.ChooseSuit("ann", "spades"))
    assert after_original == after_restored


def test_after_the_end_the_view_shows_the_loser_and_nobody_active():
    state, _ = play(position({"ann": "5H", "bob": "5S 9S"}, top="9H"), "ann", "5H")
    view = rules.state_view(state, "ann")
    assert view["hand"] == []
    assert view["loser"] == "bob"
    assert view["currentPlayer"] is None
    assert [entry["active"] for entry in view["players"]] == [False, False]
    assert [entry["finished"] for entry in view["players"]] == [True, False]
    assert "hand" not in rules.state_view(state, None)


def test_a_scripted_game_observed_by_every_seat():
    """Each seat can account for its own hand from its own messages only, and sees nobody else's."""
    t = TableHarness.new(["ann", "bob", "cid"], seed=2024, hand_size=3)
    steps = 0
    while not t.state.is_over:
        player = t.state.current_player
        assert player is not None
        legal = rules.legal_actions(t.state, player)
        t.do(legal[0])  # the first listed: a card when one is playable, a Jack with spades, a choice
        steps += 1
    assert steps > 3
    assert t.seen_by(None, "game_finished")[0]["loser"] == t.state.loser
    for viewer in t.viewers:
        kinds = [kind for kind, _ in t.seen[viewer]]
        assert kinds[0] == "game_started"
        assert kinds[-1] == "game_finished"
