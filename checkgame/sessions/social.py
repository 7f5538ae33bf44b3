"""Chat and spectators of a session: the commands around the game, kept apart from the tournament's.

Chat travels in the session log like a move, so every node's hub hears it and
a reconnecting client replays it; who may read an entry is a view rule
(:func:`checkgame.sessions.view.audience`): the players' channel goes to the
seated players, the spectators' channel to the spectators, a report to the
operators alone. A message's id is the ``seq`` of its entry.

Spectators hold no seat: the state keeps only how many watch on each node
(``spectators``), so the table view and the lobby can count them across nodes
and a node that dies takes its count with it (:func:`node_lost`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from msgspec.structs import replace

from checkgame import protocol
from checkgame.errors import BadMessageError, ConflictError, ForbiddenError
from checkgame.sessions.commands import Chat, DeleteChat, MuteChat, ReportChat, Unwatch, Watch
from checkgame.sessions.state import SessionState

__all__ = [
    "CHANNELS",
    "CHAT_MAX_CHARS",
    "REPORT_MAX_CHARS",
    "SocialCommand",
    "apply_social",
    "node_lost",
]

CHAT_MAX_CHARS = 300
"""Longest chat message, in characters, after surrounding blanks are trimmed."""
REPORT_MAX_CHARS = 200
"""Longest reason a report may give."""
CHANNELS = ("players", "spectators")
"""The two chats of a table: its seated players', and its spectators'."""

SocialCommand = Chat | DeleteChat | MuteChat | ReportChat | Watch | Unwatch

Add = Callable[[protocol.EntryData], None]
"""Appends one entry, public, to the command's log."""


def apply_social(state: SessionState, command: SocialCommand, add: Add) -> SessionState:
    """Apply a chat or spectator command; a refusal raises a ClientError and changes nothing."""
    match command:
        case Chat():
            return _chat(state, command, add)
        case DeleteChat():
            add(protocol.ChatDeleted(command.seq))
            return state
        case MuteChat():
            muted = tuple(p for p in state.chat_muted if p != command.player_id)
            if command.muted:
                muted = (*muted, command.player_id)
            add(protocol.ChatMuted(command.player_id, command.muted))
            return replace(state, chat_muted=muted)
        case ReportChat():
            reason = _clean(command.reason)
            if len(reason) > REPORT_MAX_CHARS:
                raise BadMessageError(f"a report's reason is at most {REPORT_MAX_CHARS} characters")
            if not 0 < command.seq <= state.seq:
                raise BadMessageError("no such chat message", code="MESSAGE_NOT_FOUND")
            add(protocol.ChatReported(command.seq, command.reporter, reason))
            return state
        case Watch():
            if state.spectator_count >= command.cap:
                raise ConflictError(f"this table has its {command.cap} spectators", code="SPECTATORS_FULL")
            return _count(state, command.node, +1, add)
        case Unwatch():
            return _count(state, command.node, -1, add)


def node_lost(state: SessionState, node: str, add: Add) -> SessionState:
    """``node`` died: its spectators are gone with it."""
    if not any(n == node for n, _ in state.spectators):
        return state
    return _count(state, node, None, add)


def _chat(state: SessionState, command: Chat, add: Add) -> SessionState:
    if command.channel not in CHANNELS:
        raise BadMessageError(f"channel must be one of {', '.join(CHANNELS)}", code="VALIDATION_ERROR")
    seated = command.sender in state.seated
    if command.channel == "players" and not seated:
        raise ForbiddenError("only the table's players write in the players' chat", code="NOT_IN_SESSION")
    if command.channel == "spectators" and seated:
        raise ForbiddenError("players write in the players' chat", code="NOT_A_SPECTATOR")
    if command.sender in state.chat_muted:
        raise ForbiddenError("an operator muted you in this table's chat", code="CHAT_MUTED")
    text = _clean(command.text)
    if not text:
        raise BadMessageError("a chat message needs some text", code="VALIDATION_ERROR")
    if len(text) > CHAT_MAX_CHARS:
        raise BadMessageError(f"chat messages are at most {CHAT_MAX_CHARS} characters", code="MESSAGE_TOO_LONG")
    add(protocol.ChatMessage(command.channel, command.sender, command.name, text))
    return state


def _clean(text: str) -> str:
    """``text`` without control or format characters (no hidden line breaks, no direction overrides), trimmed."""
    return "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf")).strip()


def _count(state: SessionState, node: str, change: int | None, add: Add) -> SessionState:
    """Change ``node``'s spectator count by ``change`` (None: to zero), and say the table's new total."""
    counts = dict(state.spectators)
    left = 0 if change is None else max(0, counts.get(node, 0) + change)
    if left:
        counts[node] = left
    else:
        counts.pop(node, None)
    state = replace(state, spectators=tuple(sorted(counts.items())))
    add(protocol.SpectatorsChanged(state.spectator_count))
    return state
