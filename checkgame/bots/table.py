"""What a networked computer player knows, and what it does about it — pure, no sockets.

:class:`Table` follows the server's frames (docs/protocol.md) and keeps only
what a player may see: its own hand, the top card, the demanded suit, the
pending penalty, whose turn it is. :class:`BotPlayer` wraps it: ``handle(frame)``
updates the table and returns the frame to send (a move when it is this
player's turn), or ``None``. Keeping this apart from the network loop in
:mod:`checkgame.bots.client` lets the tests drive a bot with scripted frames.

Why an *epoch*: the network loop waits a little before sending a move (to look
human, and to stay under the server's rate limits). Frames that arrive in
between may make the move stale (the turn timer fired, a player left and the
game ended). Every frame that changes the position bumps :attr:`BotPlayer.epoch`;
a move is only sent while :meth:`BotPlayer.still_wants` says its epoch is current.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from typing import Any

import msgspec

from checkgame import protocol
from checkgame.bots.levels import Inference, NormalStrategy, Seen, Strategy
from checkgame.bots.strategy import favourite_suit
from checkgame.rules import DECK, Card, Rank, Suit, card_from_wire, card_to_wire

__all__ = ["BotPlayer", "Table"]

Frame = dict[str, Any]

_MOVES_ON: frozenset[type[protocol.EntryData]] = frozenset(
    {
        protocol.GameStarted,
        protocol.CardPlayed,
        protocol.SuitChosen,
        protocol.CardDrawn,
        protocol.TurnTimeout,
        protocol.TurnChanged,
        protocol.PlayerFinished,
        protocol.GameFinished,
        protocol.PlayerEliminated,
        protocol.TournamentFinished,
        protocol.SessionEnded,
    }
)
"""Entries that change whose move it is or what it should be; any other entry leaves a decided move valid (one's
own ``player_kicked`` ends the game for this player, which :meth:`Table.my_turn` already says)."""


def _suit(value: object) -> Suit | None:
    return Suit(value) if isinstance(value, str) else None


def _cards(values: object) -> list[Card]:
    return [card_from_wire(v) for v in values] if isinstance(values, list) else []


_CARDS = {protocol.WireCard(**card_to_wire(card)): card for card in DECK}
"""The engine's card for each card the protocol can name."""


def _hand(cards: tuple[protocol.WireCard, ...] | None) -> list[Card]:
    return [_CARDS[card] for card in cards or ()]


@dataclass
class Table:
    """The public position of the running game plus this player's hand (RULES.md §16)."""

    me: str | None = None
    hand: list[Card] = field(default_factory=list)
    top: Card | None = None
    demanded: Suit | None = None
    penalty: int = 0
    current: str | None = None
    """Whose move it is; ``None`` between a move and the ``turn_changed`` that follows it."""
    awaiting_suit: bool = False
    in_game: bool = False
    """A game is running and this player is in it (not finished, not eliminated)."""
    game_number: int = 0
    players: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    eliminated: bool = False
    ranking: list[str] | None = None
    """The final ranking, winner first, once the tournament is over."""
    stopped: str | None = None
    """``"kicked"`` (an operator removed this player) or ``"ended"`` (an operator ended the session): this
    player's tournament is over without a ranking."""
    stop_reason: str = ""
    """The operator's reason, when one was given."""
    hand_sizes: dict[str, int] = field(default_factory=dict)
    """Cards each player of the running game holds (public)."""
    finished: list[str] = field(default_factory=list)
    """Who emptied their hand this game, in finishing order."""
    discard: list[Card] = field(default_factory=list)
    """The discard pile as far as it was watched (bottom first): since the last reshuffle, or only the top card
    after a snapshot (which does not list the pile)."""
    draw_pile_size: int | None = None
    inference: Inference = field(default_factory=Inference)
    """What the others' moves tell about their hands (for a searching level)."""
    timed_out: str | None = None
    """The player the turn timer is moving for: their draw was not their choice."""

    @property
    def my_turn(self) -> bool:
        """This player must move now."""
        return self.in_game and self.me is not None and self.current == self.me and self.top is not None

    def seen(self) -> Seen:
        """What this player knows now, for a level to decide on (only when :attr:`my_turn`)."""
        assert self.me is not None
        assert self.top is not None
        discard = tuple(self.discard) if self.discard and self.discard[-1] == self.top else (self.top,)
        ruled_out, drawn_since = self.inference.for_seats(tuple(self.players))
        return Seen(
            me=self.me,
            hand=tuple(self.hand),
            top=self.top,
            demanded=self.demanded,
            penalty=self.penalty,
            players=tuple(self.players),
            hand_sizes=tuple(self.hand_sizes.get(p, 0) for p in self.players),
            finished=tuple(self.finished),
            discard=discard,
            draw_pile_size=self.draw_pile_size,
            ruled_out=ruled_out,
            drawn_since=drawn_since,
        )

    def name_of(self, player: str) -> str:
        """A player's display name, or their id when it is not known."""
        return self.names.get(player, player)

    def stop(self, why: str, reason: object = "") -> None:
        """An operator stopped this player's tournament (``why``: ``"kicked"`` or ``"ended"``); nothing more to play."""
        if self.stopped is None:
            self.stopped, self.stop_reason = why, str(reason or "")
        self.in_game, self.current = False, None

    def load_snapshot(self, data: Frame) -> None:
        """Replace everything with a ``session_state`` snapshot."""
        for seat in data.get("seats") or []:
            self.names[seat["player"]] = seat["name"]
        self.eliminated = self.me in (data.get("eliminated") or [])
        ranking = data.get("ranking")
        self.ranking = list(ranking) if ranking is not None else None
        self.game_number = int(data.get("gameNumber") or 0)
        if data.get("status") == "finished" and ranking is None:  # only an operator ends a session unranked
            self.stop("ended")
            return
        game = data.get("game")
        if game is None:
            self.in_game, self.current, self.hand, self.players = False, None, [], []
            return
        self.players = [p["id"] for p in game["players"]]
        self.hand = _cards(game.get("hand"))
        self.top = card_from_wire(game["topCard"])
        self.hand_sizes = {p["id"]: int(p.get("handSize") or 0) for p in game["players"]}
        self.finished = list(game.get("finishOrder") or [])
        self.discard = [self.top]
        self.draw_pile_size = game.get("drawPileSize")
        self.inference.reset()  # the moves in between were not watched
        self.demanded = _suit(game.get("demandedSuit"))
        self.penalty = int(game.get("pendingPenalty") or 0)
        self.awaiting_suit = bool(game.get("awaitingSuit"))
        self.current = game.get("currentPlayer")
        mine = next((p for p in game["players"] if p["id"] == self.me), None)
        self.in_game = data.get("status") == "playing" and mine is not None and bool(mine["active"])

    def apply(self, entry: protocol.EntryData) -> None:
        """Follow one event of the session's log."""
        me = self.me
        match entry:
            case protocol.PlayerJoinedSession(player=player, name=name):
                self.names[player] = name
            case protocol.GameStarted():
                self.players = list(entry.players)
                self.game_number += 1
                self.in_game = me in self.players
                self.hand = _hand(entry.hand) if self.in_game else []
                self.top = _CARDS[entry.starter_card]
                self.demanded, self.penalty, self.awaiting_suit = None, 0, False
                self.current = entry.first_player
                self.hand_sizes = dict(entry.hand_sizes)
                self.finished, self.discard = [], [self.top]
                self.draw_pile_size = entry.draw_pile_size
                self.inference.reset()
            case protocol.CardPlayed():
                card = _CARDS[entry.card]
                if self.top is not None:
                    self.inference.played(entry.player, card, self.top, self.demanded, self.penalty)
                self.hand_sizes[entry.player] = max(0, self.hand_sizes.get(entry.player, 0) - 1)
                self.discard.append(card)
                if entry.player == me and card in self.hand:
                    self.hand.remove(card)
                self.top = card
                self.demanded = _suit(entry.chosen_suit)  # any card on a Jack clears the demand
                self.penalty = entry.pending_penalty
                self.awaiting_suit = entry.awaiting_suit
                # The player of a Jack without a suit keeps the move until they name one.
                self.current = entry.player if self.awaiting_suit else None
            case protocol.SuitChosen(suit=suit):
                self.demanded, self.awaiting_suit, self.current = _suit(suit), False, None
            case protocol.CardDrawn(player=player, count=count, cards=cards):
                if player == self.timed_out:
                    self.inference.drew_for_them(player, count)
                elif self.top is not None:
                    self.inference.drew(player, count, self.top, self.demanded, self.penalty)
                self.timed_out = None
                self.hand_sizes[player] = self.hand_sizes.get(player, 0) + count
                if self.draw_pile_size is not None:
                    self.draw_pile_size = max(0, self.draw_pile_size - count)
                if player == me:
                    self.hand.extend(_hand(cards))
                self.penalty, self.current = 0, None
            case protocol.TurnTimeout(player=player):
                self.timed_out = player
                self.current = None  # the server moves for that player; turn_changed follows
            case protocol.TurnChanged():
                self.current = entry.player
                self.penalty = entry.pending_penalty
                self.demanded = _suit(entry.demanded_suit)
                self.awaiting_suit = False
            case protocol.PileReshuffled(draw_pile_size=size):
                self.discard = self.discard[-1:]
                # A reshuffle happens in the middle of a draw that emptied the old pile: the card_drawn that
                # follows counts those cards too, so they are added back here to come out right.
                self.draw_pile_size = size + (self.draw_pile_size or 0)
            case protocol.PlayerFinished(player=player):
                self.finished.append(player)
                if player == me:
                    self.in_game = False
            case protocol.GameFinished():
                self.in_game, self.current, self.awaiting_suit = False, None, False
            case protocol.PlayerEliminated(player=player):
                if player == me:
                    self.eliminated, self.in_game = True, False
            case protocol.TournamentFinished(ranking=ranking):
                self.ranking = list(ranking)
                self.in_game, self.current = False, None
            case protocol.PlayerKicked(player=player, reason=reason):
                if player == me:
                    self.stop("kicked", reason)
            case protocol.SessionEnded(reason=reason):
                self.stop("ended", reason)
            case _:
                pass  # joins, leaves, presence, skips: nothing this player must track


@dataclass
class BotPlayer:
    """A computer player driven by server frames; :meth:`handle` says what to send back."""

    name: str
    rng: random.Random = field(default_factory=random.Random)
    strategy: Strategy = field(default_factory=NormalStrategy)
    """The level it plays at (``normal`` unless told)."""
    table: Table = field(default_factory=Table)
    last_seq: int = -1
    """The highest ``seq`` processed (``-1``: none yet); reconnect with ``lastSeq`` = this."""
    epoch: int = 0
    action_prefix: str = field(default_factory=lambda: secrets.token_hex(4))
    log: list[str] = field(default_factory=list)
    """Refusals and errors the server reported, for the caller to show."""
    resync_requested: bool = False
    """The bot's picture may be wrong (a refused move): the caller should fetch a fresh snapshot."""
    games_played: int = 0
    moves_applied: int = 0
    """This player's moves the server applied (its own or the turn timer's), as seen in the log."""
    _actions: int = 0
    _decision: tuple[int, Frame] | None = None

    @property
    def player_id(self) -> str | None:
        """This player's id, known from the ``connection_established`` frame."""
        return self.table.me

    @property
    def done(self) -> bool:
        """Nothing more will happen for this player: the tournament is over, or an operator stopped it."""
        return self.table.ranking is not None or self.table.stopped is not None

    @property
    def rank(self) -> int | None:
        """Final place (1 = winner), once the tournament is over."""
        ranking, me = self.table.ranking, self.table.me
        return ranking.index(me) + 1 if ranking is not None and me in ranking else None

    def still_wants(self, epoch: int) -> bool:
        """A move decided at ``epoch`` is still the right one to send."""
        return epoch == self.epoch and self.table.my_turn and not self.resync_requested

    def handle(self, frame: Frame) -> Frame | None:
        """Take in one server frame; return the frame to send (a move), or ``None``."""
        kind, data, seq = frame.get("type"), frame.get("data") or {}, frame.get("seq")
        table = self.table
        if kind == "connection_established":
            table.me = data.get("playerId", table.me)
            if self.resync_requested:
                return None  # a fresh snapshot follows: decide on that, not on the picture that was refused
            # After a reconnect, offer the undecided move again with the same actionId: the
            # server applies it at most once, and the entries we missed (if it was applied)
            # arrive right behind this frame and make it stale before it is sent.
            if self._decision is not None and self._decision[0] == self.epoch and table.my_turn:
                return self._decision[1]
            return self._decide()
        if kind == "session_state":
            self.resync_requested = False
            table.load_snapshot(data)
            self.games_played = max(self.games_played, self._games_in(data))
            self.last_seq = seq if isinstance(seq, int) else self.last_seq
        elif isinstance(seq, int):
            if seq <= self.last_seq:
                return None  # already processed (a resumed connection may repeat entries)
            self.last_seq = seq
            try:
                entry = protocol.decode_data(str(kind), data)
            except protocol.UnknownEntryTypeError:
                return None  # a newer server's entry (chat, spectators...): nothing this player must track
            except msgspec.ValidationError as exc:
                self.log.append(f"malformed {kind}: {exc}")
                self.resync_requested = True  # the picture may have missed a change: start again from a snapshot
                return None
            table.apply(entry)
            if (
                isinstance(entry, protocol.CardPlayed | protocol.CardDrawn | protocol.SuitChosen)
                and entry.player == table.me
            ):
                self.moves_applied += 1
            if isinstance(entry, protocol.GameStarted) and table.in_game:
                self.games_played += 1
            if type(entry) not in _MOVES_ON:
                return None
        elif kind in ("invalid_action", "error"):
            self.log.append(f"{kind} {data.get('code')}: {data.get('message')}")
            self.resync_requested = True
            return None
        else:
            return None  # pong, action_ack: nothing changes
        self.epoch += 1
        return self._decide()

    def _games_in(self, snapshot: Frame) -> int:
        """Games this player has been dealt into, as far as a snapshot tells (for the result after a resync)."""
        number = int(snapshot.get("gameNumber") or 0)
        eliminated = list(snapshot.get("eliminated") or [])
        if self.table.me in eliminated:  # one elimination per game (RULES.md §14)
            return min(number, eliminated.index(self.table.me) + 1)
        return number

    def _decide(self) -> Frame | None:
        """The move for the current epoch, once per epoch (or ``None`` when it is not our turn)."""
        table = self.table
        if self.resync_requested or not table.my_turn:
            return None
        if self._decision is not None and self._decision[0] == self.epoch:
            return None
        assert table.top is not None
        if table.awaiting_suit:
            frame = self._frame("choose_suit", {"suit": favourite_suit(table.hand).value})
        else:
            choice = self.strategy.choose(table.seen(), self.rng)
            if choice.card is None:
                frame = self._frame("draw_card", {})
            else:
                data: Frame = {"card": card_to_wire(choice.card)}
                if choice.card.rank is Rank.JACK:
                    data["chosenSuit"] = (choice.suit or favourite_suit(table.hand)).value
                frame = self._frame("play_card", data)
        self._decision = (self.epoch, frame)
        return frame

    def _frame(self, kind: str, data: Frame) -> Frame:
        self._actions += 1
        return {"type": kind, "data": {**data, "actionId": f"{self.name}-{self.action_prefix}-{self._actions}"}}
