"""The frames that concern one connection only (no ``seq``): greeting, keep-alive, acknowledgements, refusals.

Like the log entries (:mod:`checkgame.protocol.entries`), one Struct per
``type``, camelCase on the wire; ``details`` and ``actionId`` of a refusal are
left out when there are none.
"""

from __future__ import annotations

import typing
from typing import Any, ClassVar

import msgspec

__all__ = [
    "CONNECTION_TYPES",
    "ActionAck",
    "ConnectionData",
    "ConnectionEstablished",
    "ConnectionPayload",
    "Error",
    "InvalidAction",
    "Ping",
    "Pong",
]


class ConnectionPayload(msgspec.Struct, frozen=True, gc=False, rename="camel", omit_defaults=True):
    """The base of every per-connection frame's ``data``; ``TYPE`` is the envelope's ``type``."""

    TYPE: ClassVar[str]


class ConnectionEstablished(ConnectionPayload, frozen=True):
    """The greeting: who this seat is, which node serves it, and the connection's limits."""

    TYPE: ClassVar[str] = "connection_established"
    player_id: str
    node: str
    heartbeat_seconds: float
    max_message_bytes: int


class Ping(ConnectionPayload, frozen=True):
    """The server measures the round trip; the client answers ``pong`` with the same ``nonce``."""

    TYPE: ClassVar[str] = "ping"
    nonce: int


class Pong(ConnectionPayload, frozen=True):
    """The answer to a client's ``ping``, echoing its ``nonce`` (any JSON value, or null)."""

    TYPE: ClassVar[str] = "pong"
    nonce: Any


class ActionAck(ConnectionPayload, frozen=True):
    """A retried action (same ``action_id``) that was already applied: nothing happened again."""

    TYPE: ClassVar[str] = "action_ack"
    action_id: str | None
    duplicate: bool


class InvalidAction(ConnectionPayload, frozen=True):
    """A refused game move (RULES.md §15): ``code``, ``message``, and the move's ``action_id`` when it had one."""

    TYPE: ClassVar[str] = "invalid_action"
    code: str
    message: str
    details: Any = None
    action_id: str | None = None


class Error(ConnectionPayload, frozen=True):
    """A refused frame that is no game move (malformed, unknown type, rate limited, not the creator...)."""

    TYPE: ClassVar[str] = "error"
    code: str
    message: str
    details: Any = None
    action_id: str | None = None


ConnectionData = ConnectionEstablished | Ping | Pong | ActionAck | InvalidAction | Error
"""The ``data`` of a frame without a ``seq``."""

CONNECTION_TYPES: dict[str, type[ConnectionData]] = {kind.TYPE: kind for kind in typing.get_args(ConnectionData)}
"""Each per-connection frame's Struct, by wire name."""
