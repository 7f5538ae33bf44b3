"""Finish the sessions whose live state was lost, so they stop showing as waiting or playing forever.

The live state is the truth of a running session; the database only follows
it. When the live state vanishes (Redis restarted without persistence, an
embedded node restarted, a waiting session idle past its expiry), nothing will
ever move the session on, so a sweep marks it finished with the reason
:data:`LIVE_STATE_LOST`, which the lobby, the API and the console show.

Every node sweeps, on start and then every ``interval_s``; the database
decides who acts: :meth:`~checkgame.store.base.Store.end_session` only
finishes a session not finished yet, so exactly one node ends each session
(and logs and counts it). A session is judged only once it is ``interval_s``
old: its database row is written before its live state (the HTTP create
handler), so a younger one may simply not be live *yet*. A live store that
does not answer ends the round without judging anything: unreachable is not
lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

import trio

from checkgame.errors import LiveStateError, StoreError
from checkgame.live.base import LiveStore
from checkgame.observability.metrics import Metrics
from checkgame.store.base import Store

__all__ = ["LIVE_STATE_LOST", "run_sweeper", "sweep_lost_sessions"]

log = logging.getLogger(__name__)

LIVE_STATE_LOST = "live_state_lost"
"""The end reason of a session whose live state vanished."""

PAGE = 100


async def sweep_lost_sessions(store: Store, live: LiveStore, now: float, *, min_age_s: float) -> list[str]:
    """End every unfinished session at least ``min_age_s`` old that has no live state; the ones this call ended.

    Raises:
        StoreError, LiveStateError: a backend failed; the sessions judged so far stay judged.
    """
    created_before = datetime.fromtimestamp(now - min_age_s, UTC)
    candidates: list[str] = []
    for status in ("waiting", "playing"):  # collected first: ending them moves the pages of a status
        offset = 0
        while True:
            page, total = await store.list_sessions(status=status, public_only=False, limit=PAGE, offset=offset)
            candidates.extend(record.id for record in page if record.created_at < created_before)
            offset += len(page)
            if not page or offset >= total:
                break
    ended = []
    for session_id in candidates:
        if await live.load(session_id, fresh=True) is not None:
            continue
        if await store.end_session(session_id, LIVE_STATE_LOST, datetime.fromtimestamp(now, UTC)):
            ended.append(session_id)
    return ended


async def run_sweeper(
    store: Store,
    live: LiveStore,
    clock: Callable[[], float],
    *,
    interval_s: float,
    metrics: Metrics | None = None,
    task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Sweep now and every ``interval_s``; a failing backend only postpones the next round."""
    task_status.started()
    while True:
        try:
            ended = await sweep_lost_sessions(store, live, clock(), min_age_s=interval_s)
        except (StoreError, LiveStateError) as exc:
            log.warning("lost-session sweep postponed: %s", exc)
        else:
            if ended:
                log.warning("ended %d sessions whose live state was lost: %s", len(ended), ", ".join(ended))
                if metrics is not None:
                    metrics.sessions_lost.inc(len(ended))
        await trio.sleep(interval_s)
