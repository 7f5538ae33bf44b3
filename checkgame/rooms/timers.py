"""The timer task: turn timeouts, grace periods and the pause between games.

Deadlines live in the live store (a sorted set in Redis), and ``claim_due``
hands each due session to exactly one node, so timers survive the node that
set them. A claimed session gets a :class:`~checkgame.sessions.Tick`, which
acts on whatever is due in its state, so a stale claim is harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import trio

from checkgame import sessions
from checkgame.errors import ClientError
from checkgame.rooms.service import SessionService

__all__ = ["run_timers"]

log = logging.getLogger(__name__)


async def run_timers(
    service: SessionService,
    clock: Callable[[], float],
    *,
    poll_s: float = 0.1,
    task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Tick every session whose deadline has come, forever."""
    task_status.started()
    while True:
        for session_id in await service.live.claim_due(clock()):
            try:
                await service.execute(session_id, sessions.Tick())
            except ClientError as exc:  # the session vanished or finished meanwhile
                log.info("timer tick refused", extra={"session": session_id, "code": exc.code})
        await trio.sleep(poll_s)
