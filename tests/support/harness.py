"""A table of N seats (and a spectator) driven through the engine, checking what everyone observes.

:class:`TableHarness` applies actions to a game on behalf of its seats and, after every action:

- sends every event to every seat and to a spectator through :func:`checkgame.rules.event_view`,
  and checks no view holds a card that is in another player's hand (§16);
- rebuilds each seat's hand from *that seat's own messages only* (its dealt hand, the cards it
  played, the cards it drew) and checks it is the hand its :func:`checkgame.rules.state_view` shows;
- checks everybody's state view agrees on the public part, which is the spectator's view;
- moves a :class:`~tests.support.reference.PublicModel` forward and checks the spectator view and the
  event types against it, and checks each action against the §15 reference.

Every view must also be JSON-serialisable.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from checkgame import rules
from checkgame.rules import Action, Card, ErrorCode, Event, GameState
from tests.support import positions
from tests.support.reference import PublicModel, expected_error

Viewer = str | None


def wire_cards(data: Any) -> list[Card]:
    """Every card (in wire form) anywhere inside a view."""
    found: list[Card] = []
    if isinstance(data, dict):
        if "rank" in data and ("suit" in data or "color" in data):
            return [rules.card_from_wire(data)]
        for value in data.values():
            found.extend(wire_cards(value))
    elif isinstance(data, list):
        for value in data:
            found.extend(wire_cards(value))
    return found


def assert_no_foreign_cards(data: Any, viewer: Viewer, state: GameState) -> None:
    """``data``, shown to ``viewer``, holds no card of another player's hand in ``state``."""
    shown = set(wire_cards(data))
    for player, cards in zip(state.players, state.hands, strict=True):
        if player != viewer:
            leaked = shown.intersection(cards)
            assert not leaked, f"{viewer!r} sees {sorted(map(str, leaked))} from {player}'s hand: {data}"


class TableHarness:
    """See the module docstring."""

    def __init__(self, state: GameState, events: Sequence[Event] = ()) -> None:
        self.state = state
        self.viewers: list[Viewer] = [*state.players, None]
        self.seen: dict[Viewer, list[tuple[str, dict[str, Any]]]] = {viewer: [] for viewer in self.viewers}
        self.known: dict[str, Counter[Card]] = {
            player: Counter(rules.card_from_wire(c) for c in rules.state_view(state, player)["hand"])
            for player in state.players
        }
        self.model = PublicModel.of(state)
        self.actions: list[Action] = []
        self.events: list[Event] = list(events)
        self._observe(events)
        self.check()

    @classmethod
    def new(cls, players: Iterable[str], seed: int, **options: Any) -> TableHarness:
        """A table for a freshly dealt game (``options`` go to :func:`checkgame.rules.new_game`)."""
        state, events = rules.new_game(players, seed, **options)
        return cls(state, events)

    # ------------------------------------------------------------------ acting

    def do(self, action: Action) -> list[Event]:
        """Apply an action that must be accepted; returns its events."""
        assert expected_error(self.state, action) is None, f"the reference refuses {action}"
        self.state, events = rules.apply(self.state, action)
        assert positions.event_types(events) == self.model.apply(action)
        self.model.check_events(events)
        self.actions.append(action)
        self.events.extend(events)
        self._observe(events)
        self.check()
        return events

    def refuse(self, action: Action) -> ErrorCode:
        """Apply an action that must be refused; returns its code (checked against the reference)."""
        code = positions.refuse(self.state, action)
        assert code is expected_error(self.state, action)
        self.check()
        return code

    def play(self, player: str, code: str, suit: str | None = None) -> list[Event]:
        """``player`` plays ``code``."""
        return self.do(rules.Play(player, positions.card(code), suit))

    def draw(self, player: str) -> list[Event]:
        """``player`` draws."""
        return self.do(rules.Draw(player))

    def choose(self, player: str, suit: str) -> list[Event]:
        """``player`` names ``suit``."""
        return self.do(rules.ChooseSuit(player, suit))

    def leave(self, player: str) -> list[Event]:
        """``player`` leaves."""
        return self.do(rules.Leave(player))

    # ------------------------------------------------------------------ observing

    def seen_by(self, viewer: Viewer, kind: str) -> list[dict[str, Any]]:
        """The data of every ``kind`` message ``viewer`` received, in order."""
        return [data for seen_kind, data in self.seen[viewer] if seen_kind == kind]

    def hand(self, player: str) -> list[str]:
        """``player``'s hand as codes."""
        return positions.hand(self.state, player)

    def _observe(self, events: Iterable[Event]) -> None:
        for event in events:
            kind = rules.event_type(event)
            for viewer in self.viewers:
                data = rules.event_view(event, viewer)
                json.dumps(data)
                assert_no_foreign_cards(data, viewer, self.state)
                self.seen[viewer].append((kind, data))
                if viewer is None:
                    assert "hand" not in data
                    assert "cards" not in data
                elif kind == "game_started":
                    self.known[viewer] = Counter(rules.card_from_wire(c) for c in data["hand"])
                elif kind == "card_played" and data["player"] == viewer:
                    self.known[viewer][rules.card_from_wire(data["card"])] -= 1
                elif kind == "card_drawn" and data["player"] == viewer:
                    assert len(data["cards"]) == data["count"]
                    self.known[viewer].update(rules.card_from_wire(c) for c in data["cards"])
                elif kind == "card_drawn":
                    assert "cards" not in data

    def check(self) -> None:
        """Every seat's and the spectator's view of the current state (see the module docstring)."""
        state = self.state
        self.model.check(state)
        spectator = rules.state_view(state, None)
        json.dumps(spectator)
        assert_no_foreign_cards(spectator, None, state)
        for player in state.players:
            view = rules.state_view(state, player)
            json.dumps(view)
            assert {key: value for key, value in view.items() if key != "hand"} == spectator
            shown = [rules.card_from_wire(c) for c in view["hand"]]
            assert shown == list(state.hand_of(player))
            assert Counter(shown) == +self.known[player], f"{player} cannot account for their hand"
            # so a seat's view is the spectator's (no foreign card, checked above) plus its own hand
