"""A small reference model of RULES.md, written from the rules text and not from the engine.

- :func:`reference_playable` is §7 and §8 for one card;
- :func:`expected_error` is the §15 validation order for one action (``None``: accepted);
- :class:`PublicModel` follows the *public* part of a game (§16) — hand sizes, pile sizes, top card,
  current player, P, D, the awaiting-suit flag, finish order, loser — and predicts how each accepted
  action changes it and which events it produces. Nothing in a game's public part depends on the
  hidden order of the cards, so the model can predict it exactly.

The model compares itself with a spectator's :func:`checkgame.rules.state_view`, so it checks the
engine and the public view together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from checkgame import rules
from checkgame.rules import Action, Card, ChooseSuit, Draw, ErrorCode, Event, GameState, Leave, Play

SUIT_NAMES = ("spades", "hearts", "diamonds", "clubs")
"""The four suit names of §2, in no particular significance."""

RED_SUITS = ("hearts", "diamonds")

ATTACK = {"7": 2, "Joker": 4}
"""§8: what a 7 and a Joker add to the pending penalty."""


def colour_of(card: Card) -> str:
    """A card's colour per §2: hearts and diamonds red, spades and clubs black, Jokers their own."""
    if card.suit is None:
        return card.color.value
    return "red" if card.suit.value in RED_SUITS else "black"


def suit_colour(suit: str) -> str:
    """The colour of a suit name."""
    return "red" if suit in RED_SUITS else "black"


def reference_playable(card: Card, top: Card, demanded: str | None, penalty: int) -> bool:
    """§7 and §8: may ``card`` be played on ``top`` with demand ``demanded`` and penalty ``penalty``."""
    rank = card.rank.value
    if penalty > 0:
        return rank in ATTACK  # §8: any 7 or Joker counters, whatever the suit or colour
    if rank in ("2", "J"):  # §7.1, §7.2
        return True
    if rank == "Joker":  # §7.3
        if top.rank.value == "Joker":
            return True
        wanted = suit_colour(demanded) if demanded is not None else colour_of(top)
        return colour_of(card) == wanted
    assert card.suit is not None
    if demanded is not None:  # §7.4
        return card.suit.value == demanded
    if top.rank.value == "Joker":
        return colour_of(card) == colour_of(top)
    return card.suit == top.suit or card.rank == top.rank


def _is_suit_name(value: object) -> bool:
    return isinstance(value, str) and value in SUIT_NAMES


def expected_error(state: GameState, action: Action) -> ErrorCode | None:
    """The code RULES.md §15 gives ``action`` in ``state``, or ``None`` when it is accepted.

    ``Leave`` (§14) is accepted from any seated player still holding cards, whoever's turn it is; the
    engine refuses it from a finished player with ``PLAYER_FINISHED`` (docs/engine.md).
    """
    if state.loser is not None:  # 1
        return ErrorCode.GAME_OVER
    if action.player not in state.players:  # 2
        return ErrorCode.PLAYER_NOT_FOUND
    if isinstance(action, Leave):
        return ErrorCode.PLAYER_FINISHED if action.player in state.finished else None
    to_act = state.current_player
    if state.awaiting_suit:  # 3
        if action.player != to_act:
            return ErrorCode.NOT_YOUR_TURN
        if not isinstance(action, ChooseSuit):
            return ErrorCode.SUIT_CHOICE_PENDING
        return None if _is_suit_name(action.suit) else ErrorCode.INVALID_SUIT
    if action.player != to_act:  # 4
        return ErrorCode.NOT_YOUR_TURN
    if isinstance(action, Play):  # 5
        if action.card not in state.hand_of(action.player):
            return ErrorCode.CARD_NOT_IN_HAND
        if state.penalty > 0 and action.card.rank.value not in ATTACK:
            return ErrorCode.MUST_COUNTER_OR_DRAW
        demanded = None if state.demanded_suit is None else state.demanded_suit.value
        if not reference_playable(action.card, state.top_card, demanded, state.penalty):
            return ErrorCode.INVALID_PLAY
        if action.suit is not None and (action.card.rank.value != "J" or not _is_suit_name(action.suit)):
            return ErrorCode.INVALID_SUIT
        return None
    if isinstance(action, ChooseSuit):  # 6
        return ErrorCode.NO_SUIT_CHOICE_PENDING
    return None  # a draw is always allowed on one's turn


def candidate_actions(state: GameState, player: str) -> list[Action]:
    """Every well-formed action of ``player`` that could make sense: each card of the deck with and
    without each suit, a draw, each suit choice (not ``Leave``)."""
    found: list[Action] = [Draw(player)]
    for card in rules.DECK:
        found.append(Play(player, card))
        found.extend(Play(player, card, suit) for suit in SUIT_NAMES)
    found.extend(ChooseSuit(player, suit) for suit in SUIT_NAMES)
    return found


@dataclass
class PublicModel:
    """The public part of a game, moved forward by the rules text (see the module docstring)."""

    players: list[str]
    hand_sizes: dict[str, int]
    draw_size: int
    discard_size: int
    top: Card
    current: str | None
    penalty: int
    demanded: str | None
    awaiting: bool
    finished: list[str] = field(default_factory=list)
    loser: str | None = None
    reshuffles: int = 0
    placements: list[str] = field(default_factory=list)
    """Set when a game ends by ``Leave``; otherwise see :meth:`final_placements`."""

    @classmethod
    def of(cls, state: GameState) -> PublicModel:
        """The model of ``state``'s public part."""
        return cls(
            players=list(state.players),
            hand_sizes={p: len(h) for p, h in zip(state.players, state.hands, strict=True)},
            draw_size=len(state.draw_pile),
            discard_size=len(state.discard_pile),
            top=state.top_card,
            current=state.current_player,
            penalty=state.penalty,
            demanded=None if state.demanded_suit is None else state.demanded_suit.value,
            awaiting=state.awaiting_suit,
            finished=list(state.finished),
            loser=state.loser,
            reshuffles=state.reshuffles,
        )

    @property
    def active(self) -> list[str]:
        """Players still holding cards in the running game, in seat order."""
        if self.loser is not None:
            return []
        return [p for p in self.players if p not in self.finished]

    def after(self, player: str, steps: int = 1) -> str:
        """The ``steps``-th active player clockwise after ``player``'s seat (§3, §9, §12)."""
        n = len(self.players)
        seat = self.players.index(player)
        while True:
            seat = (seat + 1) % n
            if self.players[seat] not in self.finished:
                steps -= 1
                if steps == 0:
                    return self.players[seat]

    def apply(self, action: Action) -> list[str]:
        """Move forward by an accepted ``action``; returns the event types it must produce, in order."""
        if isinstance(action, Leave):
            return self._leave(action.player)
        if isinstance(action, ChooseSuit):
            self.demanded, self.awaiting = str(action.suit), False
            self.current = self.after(action.player)
            return ["suit_chosen", "turn_changed"]
        if isinstance(action, Draw):
            return self._draw(action.player)
        return self._play(action)

    def _play(self, action: Play) -> list[str]:
        player, card = action.player, action.card
        rank = card.rank.value
        types = ["card_played"]
        self.hand_sizes[player] -= 1
        self.discard_size += 1
        self.top = card
        self.penalty += ATTACK.get(rank, 0)
        self.demanded = None if action.suit is None else str(action.suit)
        self.awaiting = rank == "J" and action.suit is None
        if self.hand_sizes[player] == 0:
            self.finished.append(player)
            types.append("player_finished")
        if len(self.players) - len(self.finished) == 1:
            (self.loser,) = (p for p in self.players if p not in self.finished)
            self.current, self.penalty, self.awaiting = None, 0, False
            return [*types, "game_finished"]
        if self.awaiting:
            self.current = player
            return types
        if rank == "A":
            types.append("turn_skipped")
            self.current = self.after(player, 2)
        else:
            self.current = self.after(player)
        return [*types, "turn_changed"]

    def _draw(self, player: str) -> list[str]:
        types = []
        wanted = self.penalty or 1
        if wanted <= self.draw_size:
            taken = wanted
            self.draw_size -= wanted
        else:
            if self.discard_size > 1:
                self.reshuffles += 1
                types.append("pile_reshuffled")
            available = self.draw_size + self.discard_size - 1
            taken = min(wanted, available)
            self.draw_size, self.discard_size = available - taken, 1
        self.hand_sizes[player] += taken
        self.penalty = 0
        self.current = self.after(player)
        return [*types, "card_drawn", "turn_changed"]

    def _leave(self, player: str) -> list[str]:
        seat, n = self.players.index(player), len(self.players)
        others = sorted(
            (p for p in self.active if p != player),
            key=lambda p: (self.hand_sizes[p], (self.players.index(p) - seat) % n),
        )
        self.placements = [*self.finished, *others, player]
        self.loser, self.current, self.penalty, self.awaiting = player, None, 0, False
        return ["game_finished"]

    def final_placements(self) -> list[str]:
        """The placements of the finished game."""
        assert self.loser is not None
        return self.placements or [*self.finished, self.loser]

    def check_events(self, events: list[Event]) -> None:
        """The facts the events state agree with the model just moved forward by the same action."""
        for event in events:
            if isinstance(event, rules.TurnChanged):  # always the last event: what the next player faces
                assert event is events[-1]
                assert (event.player, event.penalty) == (self.current, self.penalty)
                assert (None if event.demanded_suit is None else event.demanded_suit.value) == self.demanded
            elif isinstance(event, rules.GameEnded):
                assert event is events[-1]
                assert event.loser == self.loser
                assert list(event.placements) == self.final_placements()
            elif isinstance(event, rules.PlayerFinished):
                assert (event.player, event.place) == (self.finished[-1], len(self.finished))
            elif isinstance(event, rules.CardPlayed):
                assert event.card == self.top

    def check(self, state: GameState) -> None:
        """Assert that ``state``'s spectator view shows exactly this model."""
        view: dict[str, Any] = rules.state_view(state, None)
        assert "hand" not in view
        assert view["players"] == [
            {
                "id": p,
                "handSize": self.hand_sizes[p],
                "finished": p in self.finished,
                "active": self.loser is None and p not in self.finished,
            }
            for p in self.players
        ]
        assert view["currentPlayer"] == self.current
        assert rules.card_from_wire(view["topCard"]) == self.top
        assert view["demandedSuit"] == self.demanded
        assert view["pendingPenalty"] == self.penalty
        assert view["awaitingSuit"] == self.awaiting
        assert view["drawPileSize"] == self.draw_size
        assert view["discardPileSize"] == self.discard_size
        assert view["finishOrder"] == self.finished
        assert view["loser"] == self.loser
        assert view["direction"] == "clockwise"
        assert state.reshuffles == self.reshuffles
