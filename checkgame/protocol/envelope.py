"""The envelope every server frame travels in: ``{type, data, seq, timestamp, sessionId, gameId}``."""

from __future__ import annotations

from typing import Any

import msgspec

__all__ = ["Envelope"]


class Envelope(msgspec.Struct, gc=False):
    """One server frame. ``seq`` is set for log entries only; ``data`` is an entry's Struct or, for the
    frames that concern one connection (``connection_established``, ``pong``, ``error``...), plain JSON values.
    Every field is always sent, null included, in this order."""

    type: str
    data: Any
    seq: int | None = None
    timestamp: float | None = None
    sessionId: str | None = None  # noqa: N815 -- wire name
    gameId: str | None = None  # noqa: N815
