"""The WebSocket wire format, pure: client frames in, server frames out (docs/protocol.md).

Client frames are ``{"type": ..., "data": {...}}``. Decoding is strict: a frame
that is not JSON, has an unknown ``type`` or a malformed ``data`` becomes a
:class:`~checkgame.errors.BadMessageError` with a precise code, never a crash.
Server frames are the envelope ``{type, data, seq, timestamp, sessionId, gameId}``
(:class:`checkgame.protocol.Envelope`); a log entry's ``data`` is its typed payload.
"""

from __future__ import annotations

from typing import Any

import msgspec

from checkgame import protocol, rules
from checkgame.errors import BadMessageError
from checkgame.sessions import Entry
from checkgame.sessions.entries import wire_data

__all__ = [
    "ACTIONS",
    "BATCH_MAX_CHARS",
    "BATCH_MAX_FRAMES",
    "Chat",
    "ChooseSuit",
    "ClientMessage",
    "DrawCard",
    "LeaveGame",
    "Ping",
    "PlayCard",
    "Pong",
    "ReportChat",
    "Resume",
    "StartGame",
    "batch",
    "decode",
    "encode",
    "encode_entry",
]


class PlayCard(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Play a card: ``{"suit": "hearts", "rank": "7"}`` or ``"7H"``; a Jack may carry ``chosenSuit``."""

    card: dict[str, str] | str
    chosenSuit: str | None = None  # noqa: N815 -- wire name
    actionId: str | None = None  # noqa: N815


class DrawCard(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Draw one card, or the pending penalty."""

    actionId: str | None = None  # noqa: N815


class ChooseSuit(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Name the suit after a Jack played without one."""

    suit: str
    actionId: str | None = None  # noqa: N815


class LeaveGame(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Leave the session (and lose the running game)."""


class StartGame(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """The creator starts the tournament (same as the REST call)."""


class Ping(msgspec.Struct, frozen=True):
    """Keep-alive; answered with ``pong`` echoing ``data``."""

    nonce: Any = None


class Pong(msgspec.Struct, frozen=True):
    """The answer to a server ``ping``, echoing its ``nonce`` (measures the round trip)."""

    nonce: Any = None


class Resume(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Send again every entry after ``lastSeq`` (or a snapshot when they are gone)."""

    lastSeq: int  # noqa: N815


class Chat(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Say ``text`` in the table's chat: a player in the players' chat, a spectator in the spectators'."""

    text: str


class ReportChat(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Flag the chat message whose entry is ``seq`` for the operators."""

    seq: int
    reason: str = ""


ClientMessage = PlayCard | DrawCard | ChooseSuit | LeaveGame | StartGame | Ping | Pong | Resume | Chat | ReportChat

ACTIONS = (PlayCard, DrawCard, ChooseSuit, LeaveGame, StartGame)
"""The messages that act on the session as a seated player (a spectator's are refused)."""

_TYPES: dict[str, type[ClientMessage]] = {
    "play_card": PlayCard,
    "draw_card": DrawCard,
    "choose_suit": ChooseSuit,
    "leave_game": LeaveGame,
    "start_game": StartGame,
    "ping": Ping,
    "pong": Pong,
    "resume": Resume,
    "chat": Chat,
    "report_chat": ReportChat,
}


class _Frame(msgspec.Struct, forbid_unknown_fields=True):
    type: str
    data: dict[str, Any] | None = None


_frame_decoder = msgspec.json.Decoder(_Frame)
_encoder = msgspec.json.Encoder()


def decode(raw: str | bytes) -> ClientMessage:
    """Parse one client frame.

    Raises:
        BadMessageError: ``MALFORMED_MESSAGE`` (not JSON, or not ``{type, data}``),
            ``UNKNOWN_MESSAGE_TYPE``, or ``VALIDATION_ERROR`` (bad ``data``).
    """
    try:
        frame = _frame_decoder.decode(raw)
    except msgspec.DecodeError as exc:
        raise BadMessageError(f"not a valid frame: {exc}", code="MALFORMED_MESSAGE") from None
    except RecursionError:  # msgspec's own depth limit, met by JSON nested about a thousand deep
        raise BadMessageError("not a valid frame: nested too deeply", code="MALFORMED_MESSAGE") from None
    kind = _TYPES.get(frame.type)
    if kind is None:
        raise BadMessageError(
            f"unknown message type {frame.type!r}", code="UNKNOWN_MESSAGE_TYPE", details={"known": sorted(_TYPES)}
        )
    try:
        return msgspec.convert(frame.data or {}, kind)
    except msgspec.ValidationError as exc:
        raise BadMessageError(f"bad {frame.type} data: {exc}", code="VALIDATION_ERROR") from None


def to_action(player: str, message: PlayCard | DrawCard | ChooseSuit) -> rules.Play | rules.Draw | rules.ChooseSuit:
    """The engine action a game message asks for.

    Raises:
        BadMessageError: ``VALIDATION_ERROR`` when the card names no card.
    """
    match message:
        case PlayCard():
            try:
                card = rules.card_from_wire(message.card)
            except ValueError as exc:
                raise BadMessageError(str(exc), code="VALIDATION_ERROR") from None
            return rules.Play(player, card, message.chosenSuit)
        case DrawCard():
            return rules.Draw(player)
        case ChooseSuit():
            return rules.ChooseSuit(player, message.suit)


def encode(
    type_: str,
    data: Any,
    *,
    session_id: str | None,
    seq: int | None = None,
    timestamp: float | None = None,
    game_id: str | None = None,
) -> str:
    """One server frame in the protocol envelope, as text (browsers read text frames directly)."""
    return _encoder.encode(protocol.Envelope(type_, data, seq, timestamp, session_id, game_id)).decode()


def encode_entry(entry: Entry, viewer: str | None, session_id: str) -> str:
    """A log entry as ``viewer`` may see it (RULES.md §16): its typed payload encoded straight into the envelope."""
    data = entry.data_for(viewer)
    return _encoder.encode(
        protocol.Envelope(data.TYPE, wire_data(data), entry.seq, entry.timestamp, session_id, entry.game_id)
    ).decode()


BATCH_MAX_FRAMES = 64
"""At most this many frames in one array, so one message never holds up the next for long."""
BATCH_MAX_CHARS = 64 * 1024
"""A batch takes no further frame once it holds this many characters (one frame may take it past)."""


def batch(frames: list[str]) -> str:
    """Several encoded frames as one JSON array, in order, without decoding them again."""
    return "[" + ",".join(frames) + "]"
