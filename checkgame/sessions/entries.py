"""Entries of a session's event log: what every connection of the session is sent.

An entry is public by default; ``private`` holds, per player, the version of
``data`` that only that player may see (their dealt hand, the cards they
drew — RULES.md §16). Entries are JSON-compatible so any node can render them
for any viewer, from memory or from Redis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Entry"]


@dataclass(frozen=True, slots=True)
class Entry:
    """One numbered event of a session."""

    seq: int
    type: str
    data: dict[str, Any]
    timestamp: float
    game_id: str | None = None
    private: dict[str, dict[str, Any]] | None = None

    def data_for(self, viewer: str | None) -> dict[str, Any]:
        """``data`` as ``viewer`` may see it."""
        if self.private is not None and viewer is not None:
            return self.private.get(viewer, self.data)
        return self.data

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible form, for the Redis event ring."""
        return {
            "seq": self.seq,
            "type": self.type,
            "data": self.data,
            "timestamp": self.timestamp,
            "gameId": self.game_id,
            "private": self.private,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Entry:
        """Inverse of :meth:`to_dict`."""
        return cls(raw["seq"], raw["type"], raw["data"], raw["timestamp"], raw["gameId"], raw["private"])
