"""Writes finished games and tournaments to the durable store, off the hot path of a move.

Effects arrive through a channel; the recorder retries a failing database
with back-off, and on shutdown drains what is left before the store closes.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import trio

from checkgame.errors import NotFoundError, StoreError
from checkgame.sessions.machine import Effect, SeatReleased, SeatTaken, SessionEnded, TournamentStarted
from checkgame.store.base import GameResult, Store, TournamentResult

__all__ = ["Recorder"]

log = logging.getLogger(__name__)


class Recorder:
    """Persists session effects in order."""

    def __init__(
        self,
        store: Store,
        *,
        acknowledge: Callable[[GameResult | TournamentResult], Awaitable[None]] | None = None,
        retries: int = 5,
        backoff_s: float = 0.5,
    ) -> None:
        self.store = store
        self.acknowledge = acknowledge
        """Called once a result is stored, so the session stops offering it again (and tells the players)."""
        self.retries = retries
        self.backoff_s = backoff_s
        self.written = 0
        self.failed = 0

    async def run(
        self,
        effects: trio.MemoryReceiveChannel[Effect],
        *,
        task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED,
    ) -> None:
        """Write every effect until the channel is closed (then return: drained)."""
        task_status.started()
        async with effects:
            async for effect in effects:
                await self._write_with_retries(effect)

    async def _write_with_retries(self, effect: Effect) -> None:
        for attempt in range(1, self.retries + 1):
            try:
                await self._write(effect)
            except NotFoundError:  # permanent: the session row is gone; retrying cannot help
                log.error("cannot record %s: %s", type(effect).__name__, effect, exc_info=True)
                self.failed += 1
                return
            except StoreError:
                log.warning("recording %s failed (attempt %d)", type(effect).__name__, attempt, exc_info=True)
                await trio.sleep(self.backoff_s * attempt)
            else:
                self.written += 1
                return
        self.failed += 1
        log.error("gave up recording %s", type(effect).__name__)

    async def _write(self, effect: Effect) -> None:
        match effect:
            case SeatTaken():
                await self.store.add_session_player(effect.player)
            case SeatReleased():
                await self.store.remove_session_player(effect.session_id, effect.player_id)
            case TournamentStarted():
                await self.store.set_session_status(effect.session_id, "playing")
            case SessionEnded():
                await self.store.set_session_status(effect.session_id, "finished", finished_at=effect.finished_at)
            case TournamentResult():
                await self.store.record_tournament(effect.session_id, effect.ranking, effect.finished_at)
            case _:
                await self.store.record_game(effect)
        if self.acknowledge is not None and isinstance(effect, GameResult | TournamentResult):
            await self.acknowledge(effect)
