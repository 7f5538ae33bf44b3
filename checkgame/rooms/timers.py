"""The timer task: turn timeouts, grace periods, the pause between games, and dead nodes.

Deadlines live in the live store (a sorted set in Redis), and ``claim_due``
hands each due session to exactly one node, so timers survive the node that
set them. A claimed session gets a :class:`~checkgame.sessions.Tick`, which
acts on whatever is due in its state, so a stale claim is harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import trio

from checkgame import protocol, sessions
from checkgame.errors import ClientError, LiveStateError
from checkgame.observability.metrics import Metrics
from checkgame.rooms.service import SessionService
from checkgame.sessions import GameResult, TournamentResult

__all__ = ["run_timers"]

log = logging.getLogger(__name__)


async def run_timers(
    service: SessionService,
    clock: Callable[[], float],
    *,
    node: str,
    poll_s: float = 0.1,
    heartbeat_s: float = 2.0,
    node_silence_s: float = 10.0,
    metrics: Metrics | None = None,
    task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Tick every session whose deadline has come; keep this node's heartbeat; let dead nodes' players go."""
    task_status.started()
    next_heartbeat = 0.0
    while True:
        try:
            now = clock()
            if now >= next_heartbeat:
                await service.live.heartbeat(node, now)
                await _reap_dead_nodes(service, now, node_silence_s)
                next_heartbeat = now + heartbeat_s
            for session_id in await service.live.claim_due(now):
                outcome = await _tell(service, session_id, sessions.Tick())
                if metrics is not None:
                    for kind in _fired(outcome):
                        metrics.timer_firings.labels(kind).inc()
        except LiveStateError:  # Redis hiccup: claimed deadlines come back when their lease ends
            log.warning("timer round failed; retrying", exc_info=True)
        await trio.sleep(poll_s)


async def _reap_dead_nodes(service: SessionService, now: float, silence_s: float) -> None:
    """A node that stopped beating took its connections with it: their players start their grace period."""
    for dead, session_ids in await service.live.claim_dead_nodes(now, silence_s):
        log.warning("node %s is silent; releasing its players in %d sessions", dead, len(session_ids))
        for session_id in session_ids:
            await _tell(service, session_id, sessions.NodeLost(dead))


async def _tell(service: SessionService, session_id: str, command: sessions.Command) -> sessions.Outcome | None:
    try:
        return await service.execute(session_id, command)
    except ClientError as exc:  # the session vanished or finished meanwhile
        log.info("%s refused for %s: %s", type(command).__name__, session_id, exc.code)
        return None


def _fired(outcome: sessions.Outcome | None) -> set[str]:
    """Which deadlines a tick acted on, read from what it did (``none``: a stale claim, nothing was due)."""
    if outcome is None:
        return {"none"}
    types = {type(entry.data) for entry in outcome.entries}
    kinds = {kind for kind, entry in _KINDS if entry in types}
    if "quick_play" in kinds:
        kinds.discard("next_game")  # game 1 of a quick-play table whose wait ended, not a next game
    if not types and any(isinstance(effect, GameResult | TournamentResult) for effect in outcome.effects):
        kinds.add("results")  # unacknowledged results offered to a recorder again
    return kinds or {"none"}


_KINDS: tuple[tuple[str, type[protocol.EntryData]], ...] = (
    ("turn", protocol.TurnTimeout),
    ("grace", protocol.PlayerLeftSession),
    ("next_game", protocol.GameStarted),
    ("quick_play", protocol.TournamentStarted),  # only a tick that ends a quick-play table's wait starts one
)
