"""The server's side of the WebSocket protocol as types (docs/protocol.md): one msgspec Struct per log entry.

A session's log entry travels as the envelope ``{type, data, seq, timestamp,
sessionId, gameId}``. Its ``data`` is one of the Structs of :data:`EntryData`,
each naming its ``type`` in a class variable (``CardPlayed.TYPE ==
"card_played"``), so the union is tagged by the envelope's ``type`` and mypy
checks every producer (the session machine) and consumer (rendering, the
console's descriptions, the bots) of a field.

The frames without a ``seq``, which concern one connection (the greeting,
``ping``/``pong``, ``action_ack``, refusals), are typed the same way:
:data:`ConnectionData`. Only the ``session_state`` snapshot stays plain JSON
values (:func:`checkgame.sessions.snapshot`).

The Structs encode to exactly the documented JSON: camelCase names, and an
optional field (a dealt ``hand``, drawn ``cards``) left out rather than sent
as null. This package imports nothing else of checkgame: it is the vocabulary
the server and its clients share.

Adding an entry type: write its Struct (subclassing :class:`EntryPayload`,
``TYPE`` set to the wire name), add it to :data:`EntryData`, and document it
in docs/protocol.md; :data:`ENTRY_TYPES`, the decoders and the round-trip
tests pick it up from the union.
"""

from checkgame.protocol.connection import CONNECTION_TYPES as CONNECTION_TYPES
from checkgame.protocol.connection import ActionAck as ActionAck
from checkgame.protocol.connection import ConnectionData as ConnectionData
from checkgame.protocol.connection import ConnectionEstablished as ConnectionEstablished
from checkgame.protocol.connection import ConnectionPayload as ConnectionPayload
from checkgame.protocol.connection import Error as Error
from checkgame.protocol.connection import InvalidAction as InvalidAction
from checkgame.protocol.connection import Ping as Ping
from checkgame.protocol.connection import Pong as Pong
from checkgame.protocol.entries import ENTRY_TYPES as ENTRY_TYPES
from checkgame.protocol.entries import CardDrawn as CardDrawn
from checkgame.protocol.entries import CardPlayed as CardPlayed
from checkgame.protocol.entries import ChatDeleted as ChatDeleted
from checkgame.protocol.entries import ChatMessage as ChatMessage
from checkgame.protocol.entries import ChatMuted as ChatMuted
from checkgame.protocol.entries import ChatReported as ChatReported
from checkgame.protocol.entries import CreatorChanged as CreatorChanged
from checkgame.protocol.entries import EntryData as EntryData
from checkgame.protocol.entries import EntryPayload as EntryPayload
from checkgame.protocol.entries import GameFinished as GameFinished
from checkgame.protocol.entries import GameRecorded as GameRecorded
from checkgame.protocol.entries import GameStarted as GameStarted
from checkgame.protocol.entries import Notice as Notice
from checkgame.protocol.entries import PileReshuffled as PileReshuffled
from checkgame.protocol.entries import PlayerDisconnected as PlayerDisconnected
from checkgame.protocol.entries import PlayerEliminated as PlayerEliminated
from checkgame.protocol.entries import PlayerFinished as PlayerFinished
from checkgame.protocol.entries import PlayerJoinedSession as PlayerJoinedSession
from checkgame.protocol.entries import PlayerKicked as PlayerKicked
from checkgame.protocol.entries import PlayerLeftSession as PlayerLeftSession
from checkgame.protocol.entries import PlayerReconnected as PlayerReconnected
from checkgame.protocol.entries import SessionEnded as SessionEnded
from checkgame.protocol.entries import SpectatorsChanged as SpectatorsChanged
from checkgame.protocol.entries import SuitChosen as SuitChosen
from checkgame.protocol.entries import TournamentFinished as TournamentFinished
from checkgame.protocol.entries import TournamentStarted as TournamentStarted
from checkgame.protocol.entries import TurnChanged as TurnChanged
from checkgame.protocol.entries import TurnSkipped as TurnSkipped
from checkgame.protocol.entries import TurnTimeout as TurnTimeout
from checkgame.protocol.entries import UnknownEntry as UnknownEntry
from checkgame.protocol.entries import UnknownEntryTypeError as UnknownEntryTypeError
from checkgame.protocol.entries import WireCard as WireCard
from checkgame.protocol.entries import decode_data as decode_data
from checkgame.protocol.envelope import Envelope as Envelope

__all__ = [
    "CONNECTION_TYPES",
    "ENTRY_TYPES",
    "ActionAck",
    "CardDrawn",
    "CardPlayed",
    "ChatDeleted",
    "ChatMessage",
    "ChatMuted",
    "ChatReported",
    "ConnectionData",
    "ConnectionEstablished",
    "ConnectionPayload",
    "CreatorChanged",
    "EntryData",
    "EntryPayload",
    "Envelope",
    "Error",
    "GameFinished",
    "GameRecorded",
    "GameStarted",
    "InvalidAction",
    "Notice",
    "PileReshuffled",
    "Ping",
    "PlayerDisconnected",
    "PlayerEliminated",
    "PlayerFinished",
    "PlayerJoinedSession",
    "PlayerKicked",
    "PlayerLeftSession",
    "PlayerReconnected",
    "Pong",
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
