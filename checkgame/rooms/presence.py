"""Which players have a connection on this node, and the Connect/Disconnect commands that follow.

A player may hold several connections (two tabs, a reconnect racing the old
socket); the session hears :class:`~checkgame.sessions.Connect` on the first
and :class:`~checkgame.sessions.Disconnect` only when the last one closes, each
naming this node, so connections on other nodes keep the player present. The
node also records that it holds connections in the session: if it dies,
another node's timer task tells the session (see :mod:`checkgame.rooms.timers`).
"""

from __future__ import annotations

import contextlib
from collections import Counter

from checkgame import sessions
from checkgame.errors import ClientError
from checkgame.rooms.service import SessionService

__all__ = ["Presence"]


class Presence:
    """Connection counts per (session, player) on this node."""

    def __init__(self, service: SessionService, node: str) -> None:
        self._service = service
        self.node = node
        self._connections: Counter[tuple[str, str]] = Counter()

    def count(self) -> int:
        """Open connections on this node."""
        return sum(self._connections.values())

    async def connected(self, session_id: str, player_id: str) -> None:
        """A connection of ``player_id`` opened."""
        key = (session_id, player_id)
        self._connections[key] += 1
        if self._connections[key] == 1:
            await self._service.live.track(self.node, session_id)
            await self._service.execute(session_id, sessions.Connect(player_id, self.node))

    async def disconnected(self, session_id: str, player_id: str) -> None:
        """A connection of ``player_id`` closed."""
        key = (session_id, player_id)
        self._connections[key] -= 1
        if self._connections[key] > 0:
            return
        del self._connections[key]
        with contextlib.suppress(ClientError):  # the session ended or vanished meanwhile: no seat to hold
            await self._service.execute(session_id, sessions.Disconnect(player_id, self.node))
