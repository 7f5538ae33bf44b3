"""One Struct per type of session log entry: the ``data`` of each server frame that has a ``seq``.

Field names are Python's; ``rename="camel"`` gives the wire names
(``pending_penalty`` is ``pendingPenalty``). Only a field with a default may
be absent on the wire (``omit_defaults``): the private parts (``hand``,
``cards``) and ``player_eliminated``'s ``left``. Every other field is always
sent, null included (``card_played``'s ``chosenSuit``). The Structs are
frozen and not tracked by the garbage collector (they hold no cycles), so a
busy server's log costs the collector nothing.
"""

from __future__ import annotations

import typing
from typing import Any, ClassVar

import msgspec

__all__ = [
    "ENTRY_TYPES",
    "CardDrawn",
    "CardPlayed",
    "ChatDeleted",
    "ChatMessage",
    "ChatMuted",
    "ChatReported",
    "CreatorChanged",
    "EntryData",
    "EntryPayload",
    "GameFinished",
    "GameRecorded",
    "GameStarted",
    "Notice",
    "PileReshuffled",
    "PlayerDisconnected",
    "PlayerEliminated",
    "PlayerFinished",
    "PlayerJoinedSession",
    "PlayerKicked",
    "PlayerLeftSession",
    "PlayerReconnected",
    "SessionEnded",
    "SpectatorsChanged",
    "SuitChosen",
    "TournamentFinished",
    "TournamentStarted",
    "TurnChanged",
    "TurnSkipped",
    "TurnTimeout",
    "UnknownEntry",
    "UnknownEntryTypeError",
    "WireCard",
    "decode_data",
]


class WireCard(msgspec.Struct, frozen=True, gc=False, omit_defaults=True):
    """A card as the protocol writes it: ``{"rank": "7", "suit": "hearts"}``, ``{"rank": "Joker", "color": "red"}``."""

    rank: str
    suit: str | None = None
    color: str | None = None


class EntryPayload(msgspec.Struct, frozen=True, gc=False, rename="camel", omit_defaults=True):
    """The base of every entry's ``data``; ``TYPE`` is the envelope's ``type``."""

    TYPE: ClassVar[str]


# -- seats and presence ---------------------------------------------------------------------------------------


class PlayerJoinedSession(EntryPayload, frozen=True):
    """A player took seat number ``seat`` (1 for the first) before the start."""

    TYPE: ClassVar[str] = "player_joined_session"
    player: str
    name: str
    seat: int


class PlayerLeftSession(EntryPayload, frozen=True):
    """A player left (or was dropped after the grace period, or removed by an operator)."""

    TYPE: ClassVar[str] = "player_left_session"
    player: str


class CreatorChanged(EntryPayload, frozen=True):
    """The creator left before the start: ``player`` now runs the table."""

    TYPE: ClassVar[str] = "creator_changed"
    player: str


class PlayerDisconnected(EntryPayload, frozen=True):
    """A player's last connection dropped; the seat is held for ``grace_seconds``."""

    TYPE: ClassVar[str] = "player_disconnected"
    player: str
    grace_seconds: float


class PlayerReconnected(EntryPayload, frozen=True):
    """A disconnected player is back within the grace period."""

    TYPE: ClassVar[str] = "player_reconnected"
    player: str


class PlayerKicked(EntryPayload, frozen=True):
    """An administrator removed ``player``; a ``player_left_session`` follows."""

    TYPE: ClassVar[str] = "player_kicked"
    player: str
    reason: str


# -- the tournament -------------------------------------------------------------------------------------------


class TournamentStarted(EntryPayload, frozen=True):
    """The creator started the tournament with ``players`` in seat order."""

    TYPE: ClassVar[str] = "tournament_started"
    players: tuple[str, ...]


class GameRecorded(EntryPayload, frozen=True):
    """The game's result and action log are stored."""

    TYPE: ClassVar[str] = "game_recorded"
    game_id: str


class PlayerEliminated(EntryPayload, frozen=True):
    """``player`` lost game ``game_number`` (or ``left`` between games) and is out of the tournament."""

    TYPE: ClassVar[str] = "player_eliminated"
    player: str
    game_number: int
    left: bool = False
    """Sent (as true) only for a player who left between games."""


class TournamentFinished(EntryPayload, frozen=True):
    """One player remains: ``ranking`` runs from the ``winner`` to the first eliminated."""

    TYPE: ClassVar[str] = "tournament_finished"
    winner: str
    ranking: tuple[str, ...]
    games: int


class Notice(EntryPayload, frozen=True):
    """A message from the operators to everyone in the session."""

    TYPE: ClassVar[str] = "notice"
    message: str
    from_: str = msgspec.field(name="from")
    """Who speaks: ``"admin"``."""


class SessionEnded(EntryPayload, frozen=True):
    """The session finished without a winner; ``by`` is ``operator`` or ``server``."""

    TYPE: ClassVar[str] = "session_ended"
    reason: str
    game_number: int
    by: str


# -- a game (the engine's events, RULES.md §16) ---------------------------------------------------------------


class GameStarted(EntryPayload, frozen=True):
    """Cards were dealt; ``hand`` only in the version of each player's own entry."""

    TYPE: ClassVar[str] = "game_started"
    players: tuple[str, ...]
    hand_sizes: dict[str, int]
    starter_card: WireCard
    first_player: str
    draw_pile_size: int
    hand: tuple[WireCard, ...] | None = None


class CardPlayed(EntryPayload, frozen=True):
    """``player`` played ``card``; ``awaiting_suit`` when a Jack came without its suit."""

    TYPE: ClassVar[str] = "card_played"
    player: str
    card: WireCard
    chosen_suit: str | None
    pending_penalty: int
    awaiting_suit: bool


class SuitChosen(EntryPayload, frozen=True):
    """The Jack's player named ``suit`` in a separate message."""

    TYPE: ClassVar[str] = "suit_chosen"
    player: str
    suit: str


class PileReshuffled(EntryPayload, frozen=True):
    """The discard pile became the new draw pile."""

    TYPE: ClassVar[str] = "pile_reshuffled"
    draw_pile_size: int


class CardDrawn(EntryPayload, frozen=True):
    """``player`` drew ``count`` cards; ``cards`` only in the drawer's own version."""

    TYPE: ClassVar[str] = "card_drawn"
    player: str
    count: int
    penalty: bool
    cards: tuple[WireCard, ...] | None = None


class TurnSkipped(EntryPayload, frozen=True):
    """An Ace made ``player`` lose their turn."""

    TYPE: ClassVar[str] = "turn_skipped"
    player: str


class TurnTimeout(EntryPayload, frozen=True):
    """The turn timer ran out: the server moves for ``player`` (a draw or a suit choice)."""

    TYPE: ClassVar[str] = "turn_timeout"
    player: str


class PlayerFinished(EntryPayload, frozen=True):
    """``player`` emptied their hand, at ``place``."""

    TYPE: ClassVar[str] = "player_finished"
    player: str
    place: int


class TurnChanged(EntryPayload, frozen=True):
    """It is ``player``'s turn, facing ``pending_penalty`` and ``demanded_suit``."""

    TYPE: ClassVar[str] = "turn_changed"
    player: str
    pending_penalty: int
    demanded_suit: str | None


class GameFinished(EntryPayload, frozen=True):
    """The game is over: ``placements`` runs from first place to ``loser``; ``reason`` is ``last_player``/``left``."""

    TYPE: ClassVar[str] = "game_finished"
    loser: str
    placements: tuple[str, ...]
    reason: str


# -- chat and spectators (checkgame/sessions/social.py) -------------------------------------------------------


class ChatMessage(EntryPayload, frozen=True):
    """``name`` said ``text`` in the ``channel`` chat (``players`` or ``spectators``); sent to that side only."""

    TYPE: ClassVar[str] = "chat_message"
    channel: str
    from_: str = msgspec.field(name="from")
    """The sender: a seated player's id, or a signed-in spectator's account id."""
    name: str
    text: str


class ChatDeleted(EntryPayload, frozen=True):
    """An operator removed the chat message whose entry is ``message_seq``."""

    TYPE: ClassVar[str] = "chat_deleted"
    message_seq: int


class ChatMuted(EntryPayload, frozen=True):
    """An operator muted (or, ``muted`` false, unmuted) ``player`` in this table's chat."""

    TYPE: ClassVar[str] = "chat_muted"
    player: str
    muted: bool


class ChatReported(EntryPayload, frozen=True):
    """``reporter`` flagged the chat message at ``message_seq``; for the operators only (sent to no socket)."""

    TYPE: ClassVar[str] = "chat_reported"
    message_seq: int
    reporter: str
    reason: str


class SpectatorsChanged(EntryPayload, frozen=True):
    """``count`` spectators watch the table now, on every node."""

    TYPE: ClassVar[str] = "spectators_changed"
    count: int


EntryData = (
    PlayerJoinedSession
    | PlayerLeftSession
    | CreatorChanged
    | PlayerDisconnected
    | PlayerReconnected
    | PlayerKicked
    | TournamentStarted
    | GameRecorded
    | PlayerEliminated
    | TournamentFinished
    | Notice
    | SessionEnded
    | GameStarted
    | CardPlayed
    | SuitChosen
    | PileReshuffled
    | CardDrawn
    | TurnSkipped
    | TurnTimeout
    | PlayerFinished
    | TurnChanged
    | GameFinished
    | ChatMessage
    | ChatDeleted
    | ChatMuted
    | ChatReported
    | SpectatorsChanged
)
"""The ``data`` of a log entry: the union, tagged by each member's ``TYPE``."""

ENTRY_TYPES: dict[str, type[EntryData]] = {kind.TYPE: kind for kind in typing.get_args(EntryData)}
"""Each entry type's Struct, by wire name."""


class UnknownEntry(msgspec.Struct, frozen=True, gc=False):
    """An entry of a type this version does not know, kept as it came (a newer node's, during a rolling upgrade):
    it is stored and forwarded unchanged, so a mixed-version cluster still delivers every entry."""

    type: str
    raw: Any
    """The entry's ``data`` exactly as received (plain JSON values)."""

    @property
    def TYPE(self) -> str:  # noqa: N802 -- the name every payload answers to
        """The envelope's ``type``."""
        return self.type


class UnknownEntryTypeError(ValueError):
    """An entry ``type`` this protocol version does not know (a newer server's, or a corrupt record)."""


def decode_data(type_: str, data: Any) -> EntryData:
    """The typed ``data`` of an entry of ``type_``, from its JSON-compatible form (a decoded envelope's ``data``).

    Raises:
        UnknownEntryTypeError: ``type_`` is no entry type of this protocol.
        msgspec.ValidationError: ``data`` does not have that type's shape.
    """
    kind = ENTRY_TYPES.get(type_)
    if kind is None:
        raise UnknownEntryTypeError(f"unknown entry type {type_!r}")
    return msgspec.convert(data, kind)
