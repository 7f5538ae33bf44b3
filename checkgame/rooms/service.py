"""Apply commands to sessions: load, pure transition, compare-and-set, then hand off effects.

This is the hot path of a move. It touches only the live store (memory or
Redis); results go to the :class:`~checkgame.rooms.recorder.Recorder` through
a channel and are written to the database later, in the background.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from checkgame import sessions
from checkgame.errors import ClientError, LiveStateError, NotFoundError
from checkgame.live.base import LiveStore, Subscription
from checkgame.sessions.machine import Effect

__all__ = ["SessionService"]

MAX_ATTEMPTS = 20
"""Compare-and-set attempts before giving up on a hotly contended session."""


class SessionService:
    """The one way commands reach a session, on any node."""

    def __init__(self, live: LiveStore, record: Callable[[Effect], None], clock: Callable[[], float]) -> None:
        self.live = live
        self._record = record
        """Hands an effect to a recorder without waiting (:meth:`~checkgame.rooms.recorder.Recorder.offer`)."""
        self._clock = clock
        self.commands_applied = 0
        self.conflicts = 0

    async def create(self, state: sessions.SessionState, effects: Sequence[Effect] = ()) -> None:
        """Make a new session live, then hand ``effects`` (its creator's seat) to the recorder like any command's."""
        await self.live.create(state)
        for effect in effects:
            self._record(effect)

    async def find(self, session_id: str) -> sessions.SessionState | None:
        """The state of a session, or None when it has no live state (ended long ago, or lost)."""
        return await self.live.load(session_id)

    async def load(self, session_id: str, *, fresh: bool = False) -> sessions.SessionState:
        """The state of a session (``fresh``: never from a cache).

        Raises:
            NotFoundError: ``SESSION_NOT_FOUND``.
        """
        state = await self.live.load(session_id, fresh=fresh)
        if state is None:
            raise NotFoundError("no such session", code="SESSION_NOT_FOUND")
        return state

    async def entries_since(self, session_id: str, seq: int) -> list[sessions.Entry] | None:
        """The session's entries after ``seq``, or None when the log no longer holds them all."""
        return await self.live.entries_since(session_id, seq)

    def subscribe(self, session_id: str) -> AbstractAsyncContextManager[Subscription]:
        """Every entry committed to the session from now on, on this node."""
        return self.live.subscribe(session_id)

    async def ping(self) -> None:
        """Answer when the live store answers (health checks).

        Raises:
            LiveStateError: it does not.
        """
        await self.live.ping()

    async def node_reports(self, now: float) -> dict[str, dict[str, Any]]:
        """The latest report of every node, by node id (the admin API's view of the cluster)."""
        return await self.live.node_reports(now)

    async def publish_node_report(self, node: str, report: dict[str, Any], now: float, ttl_s: float) -> None:
        """Publish ``node``'s report for every node's admin API."""
        await self.live.publish_node_report(node, report, now, ttl_s)

    async def request_drain(self, node: str, draining: bool) -> None:
        """Ask ``node`` (any node of the cluster) to drain, or to take connections again."""
        await self.live.request_drain(node, draining)

    async def track(self, node: str, session_id: str) -> None:
        """``node`` holds connections in the session (if it dies, another node tells the session)."""
        await self.live.track(node, session_id)

    async def execute(self, session_id: str, command: sessions.Command) -> sessions.Outcome:
        """Apply ``command`` to the session, retrying on a lost compare-and-set.

        Raises:
            ClientError: the command is refused; nothing changed.
            LiveStateError: the session stayed contended for too long.
        """
        fresh = False
        for _ in range(MAX_ATTEMPTS):
            state = await self.load(session_id, fresh=fresh)
            try:
                outcome = sessions.apply(state, command, self._clock())
            except ClientError:
                if fresh:
                    raise
                fresh = True  # a refusal is only final when it was decided on the authoritative state
                continue
            if outcome.duplicate:
                return outcome
            if await self.live.commit(state.version, outcome.state, outcome.entries):
                break
            self.conflicts += 1
            fresh = True
        else:
            raise LiveStateError(f"session {session_id} is too contended to apply {type(command).__name__}")
        self.commands_applied += 1
        for effect in outcome.effects:
            self._record(effect)
        return outcome
