"""Writes session effects to the durable store, off the hot path of a move, in order, until each is written.

Theory of operation
-------------------
:meth:`Recorder.offer` never blocks a move: it appends to an ordered backlog
that one task (:meth:`Recorder.run`) writes from the front. What happens to
the front effect depends on why a write fails:

* **The database is unavailable** (:class:`~checkgame.errors.StoreUnavailableError`:
  refused connections, a timeout, a restart). Nothing behind it could be
  written either, so the recorder retries that same effect forever, with a
  back-off doubling up to :data:`BACKOFF_MAX_S`; the outage is logged once
  when it begins and once when it ends, never per attempt.
* **The database rejects the effect** (any other StoreError, or a
  ClientError such as NotFoundError: the session row is gone, a value it
  cannot hold). Retrying
  cannot help, and waiting on it would stall every later write, so the effect
  is logged in full at ERROR, counted as ``rejected``, and skipped.

A long outage grows the backlog, not the memory of a move. Seat, start and
end effects are small and always kept. Game and tournament results are also
kept in their session's live state until acknowledged (and offered again
every ``RECORD_RETRY_S`` by whichever node's timer claims the session), so
the backlog keeps at most ``max_results`` of them and lets the live state hold
the rest (counted as ``deferred``); a result offered again while already
queued is not queued twice.

On shutdown (:meth:`Recorder.close`) the recorder writes what is queued and
returns; the caller bounds that with a deadline. If the database is still
down then, the unwritten effects are logged in full at ERROR and counted as
``lost``: results survive in the live state when it is Redis (another node
records them), seat, start and end effects of this node do not.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Awaitable, Callable

import trio

from checkgame.errors import ClientError, StoreError, StoreUnavailableError
from checkgame.observability.metrics import Metrics
from checkgame.sessions.machine import (
    ENDED_BY_ADMIN,
    ComputersSeated,
    Effect,
    SeatReleased,
    SeatTaken,
    SessionEnded,
    TournamentStarted,
    result_id,
)
from checkgame.sessions.results import GameResult, TournamentResult
from checkgame.store.base import PlayerRating, Store

__all__ = ["BACKOFF_MAX_S", "ENDED_BY_ADMIN", "Recorder", "effect_kind"]

log = logging.getLogger(__name__)

BACKOFF_MIN_S = 0.5
BACKOFF_MAX_S = 10.0
"""The longest wait between two attempts while the database is unavailable."""


def effect_kind(effect: Effect) -> str:
    """A short name for metrics and logs."""
    match effect:
        case SeatTaken():
            return "seat_taken"
        case SeatReleased():
            return "seat_released"
        case TournamentStarted():
            return "tournament_started"
        case SessionEnded():
            return "session_ended"
        case ComputersSeated():
            return "computers_seated"
        case TournamentResult():
            return "tournament"
        case _:
            return "game"


class Recorder:
    """Persists session effects in order; see the module's theory of operation."""

    def __init__(
        self,
        store: Store,
        *,
        acknowledge: Callable[[GameResult | TournamentResult], Awaitable[None]] | None = None,
        metrics: Metrics | None = None,
        max_results: int = 10_000,
        rated: Callable[[tuple[PlayerRating, ...]], Awaitable[None]] | None = None,
    ) -> None:
        self.store = store
        self.acknowledge = acknowledge
        """Called once a result is stored, so the session stops offering it again (and tells the players)."""
        self.rated = rated
        """Called with the new ratings when storing a game changed some (never for a game stored before);
        it must not raise."""
        self.metrics = metrics
        self.max_results = max_results
        self.written = 0
        self.rejected = 0
        self._backlog: deque[Effect] = deque()
        self._queued_results: set[tuple[str, str]] = set()
        self._wakeup = trio.Event()
        self._closed = False
        self._outage_since: float | None = None

    @property
    def backlog(self) -> int:
        """Effects waiting to be written."""
        return len(self._backlog)

    def offer(self, effect: Effect) -> None:
        """Queue ``effect`` to be written after every effect offered before it."""
        if isinstance(effect, GameResult | TournamentResult):
            key = (effect.session_id, result_id(effect))
            if key in self._queued_results:
                return  # offered again by the session's timer while still waiting here
            if len(self._queued_results) >= self.max_results:
                self._count(effect, "deferred")  # the session keeps it and offers it again later
                return
            self._queued_results.add(key)
        self._backlog.append(effect)
        self._wakeup.set()

    def close(self) -> None:
        """No more effects: :meth:`run` returns once the backlog is written."""
        self._closed = True
        self._wakeup.set()

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Write every effect, oldest first, until closed and empty; on cancellation report what is left."""
        task_status.started()
        try:
            while self._backlog or not self._closed:
                if not self._backlog:
                    self._wakeup = trio.Event()
                    await self._wakeup.wait()
                    continue
                await self._write_until_done(self._backlog[0])
                self._forget(self._backlog.popleft())
        finally:
            self._report_lost()

    async def _write_until_done(self, effect: Effect) -> None:
        backoff = BACKOFF_MIN_S
        while True:
            try:
                await self._write(effect)
            except StoreUnavailableError as exc:
                if self._outage_since is None:
                    self._outage_since = trio.current_time()
                    log.warning("database unavailable (%s); holding effects and retrying until it is back", exc)
                await trio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX_S)
                continue
            except (StoreError, ClientError) as exc:
                self.rejected += 1
                self._count(effect, "rejected")
                log.error("the database rejected %s, skipped: %r (%s)", effect_kind(effect), effect, exc)
            else:
                self.written += 1
                self._count(effect, "written")
            if self._outage_since is not None:
                log.warning(
                    "database back after %.1f s; %d effects to write", trio.current_time() - self._outage_since,
                    len(self._backlog),
                )  # fmt: skip
                self._outage_since = None
            return

    def _forget(self, effect: Effect) -> None:
        if isinstance(effect, GameResult | TournamentResult):
            self._queued_results.discard((effect.session_id, result_id(effect)))

    def _report_lost(self) -> None:
        """Stopped with effects unwritten (the database was still down): say exactly what, never silently."""
        if not self._backlog:
            return
        log.error("stopping with %d effects not written to the database", len(self._backlog))
        while self._backlog:
            effect = self._backlog.popleft()
            self._count(effect, "lost")
            log.error("not recorded: %s %r", effect_kind(effect), effect)

    def _count(self, effect: Effect, outcome: str) -> None:
        if self.metrics is not None:
            self.metrics.recorder_effects.labels(effect_kind(effect), outcome).inc()

    async def _write(self, effect: Effect) -> None:
        match effect:
            case SeatTaken():
                await self.store.add_session_player(effect.player)
            case SeatReleased():
                await self.store.remove_session_player(effect.session_id, effect.player_id)
            case TournamentStarted():
                await self.store.set_session_status(effect.session_id, "playing")
            case SessionEnded():
                await self.store.end_session(effect.session_id, effect.reason, effect.finished_at)
            case TournamentResult():
                await self.store.record_tournament(effect.session_id, effect.ranking, effect.finished_at)
            case ComputersSeated():
                pass  # their seats were stored as SeatTaken; the composition root starts them playing
            case _:
                ratings = await self.store.record_game(effect)
                if ratings and self.rated is not None:
                    await self.rated(ratings)
        if self.acknowledge is not None and isinstance(effect, GameResult | TournamentResult):
            await self.acknowledge(effect)
