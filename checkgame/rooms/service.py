"""Apply commands to sessions: load, pure transition, compare-and-set, then hand off effects.

This is the hot path of a move. It touches only the live store (memory or
Redis); results go to the :class:`~checkgame.rooms.recorder.Recorder` through
a channel and are written to the database later, in the background.
"""

from __future__ import annotations

from collections.abc import Callable

from checkgame import sessions
from checkgame.errors import ClientError, LiveStateError, NotFoundError
from checkgame.live.base import LiveStore
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

    async def create(self, state: sessions.SessionState) -> None:
        """Make a new session live."""
        await self.live.create(state)

    async def load(self, session_id: str, *, fresh: bool = False) -> sessions.SessionState:
        """The state of a session (``fresh``: never from a cache).

        Raises:
            NotFoundError: ``SESSION_NOT_FOUND``.
        """
        state = await self.live.load(session_id, fresh=fresh)
        if state is None:
            raise NotFoundError("no such session", code="SESSION_NOT_FOUND")
        return state

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
