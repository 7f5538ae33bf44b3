"""The WebSocket connections this node holds, by session: what ``active_games_total`` counts, and the clock of
``checkgame_move_broadcast_seconds``.

A move is timed from its arrival until every connection on this node that
was subscribed to the session when the move committed has queued the move's
last entry (its ``seq``). Each connection reports its progress after every
push; a connection that closes first is no longer waited for. The work per
push is one dict lookup unless a move of that session is in flight.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["LocalConnections", "Viewer"]


class Viewer(Protocol):
    """A connection, as far as timing is concerned."""

    @property
    def last_sent(self) -> int:
        """The ``seq`` of the last entry queued for the client."""
        ...


@dataclass(eq=False, slots=True)
class _Move:
    seq: int
    started: float
    waiting: set[Viewer]


@dataclass(slots=True)
class _Session:
    viewers: set[Viewer] = field(default_factory=set)
    moves: list[_Move] = field(default_factory=list)


class LocalConnections:
    """Open connections per session on this node, and the moves still being broadcast to them."""

    def __init__(self, observe: Callable[[float], None]) -> None:
        self._observe = observe
        self._sessions: dict[str, _Session] = {}

    def opened(self, session_id: str, viewer: Viewer) -> None:
        """``viewer`` subscribed to ``session_id``."""
        self._sessions.setdefault(session_id, _Session()).viewers.add(viewer)

    def closed(self, session_id: str, viewer: Viewer, now: float) -> None:
        """``viewer`` is gone: moves stop waiting for it."""
        session = self._sessions.get(session_id)
        if session is None:
            return
        session.viewers.discard(viewer)
        for move in session.moves:
            move.waiting.discard(viewer)
        self._finish(session, now)
        if not session.viewers:
            del self._sessions[session_id]

    def session_ids(self) -> list[str]:
        """Sessions with at least one connection here."""
        return list(self._sessions)

    def count(self) -> int:
        """Open connections here."""
        return sum(len(session.viewers) for session in self._sessions.values())

    def committed(self, session_id: str, seq: int, started: float, now: float) -> None:
        """A move that arrived at ``started`` committed entries up to ``seq``: time its broadcast."""
        session = self._sessions.get(session_id)
        if session is None:
            return
        waiting = {viewer for viewer in session.viewers if viewer.last_sent < seq}
        session.moves.append(_Move(seq, started, waiting))
        self._finish(session, now)

    def queued(self, session_id: str, viewer: Viewer, now: float) -> None:
        """``viewer`` queued entries up to its ``last_sent``."""
        session = self._sessions.get(session_id)
        if session is None or not session.moves:
            return
        for move in session.moves:
            if move.seq <= viewer.last_sent:
                move.waiting.discard(viewer)
        self._finish(session, now)

    def _finish(self, session: _Session, now: float) -> None:
        done = [move for move in session.moves if not move.waiting]
        if not done:
            return
        session.moves = [move for move in session.moves if move.waiting]
        for move in done:
            self._observe(now - move.started)
