"""Sessions whose live state was lost are ended, once, with a reason (issue 12, defect 9b)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from checkgame import sessions
from checkgame.errors import LiveStateError
from checkgame.live.memory import MemoryLiveStore
from checkgame.rooms.sweeper import LIVE_STATE_LOST, sweep_lost_sessions
from checkgame.sessions import SessionState
from checkgame.store import open_store
from checkgame.store.base import SessionRecord, Store

NOW = 1_800_000_000.0
AGE_S = 60.0


@pytest.fixture
async def store() -> AsyncIterator[Store]:
    async with open_store("sqlite:///:memory:") as opened:
        await opened.migrate()
        yield opened


def _record(session_id: str, status: str, created_at: float) -> SessionRecord:
    moment = datetime.fromtimestamp(created_at, UTC)
    return SessionRecord(session_id, f"C{session_id:0>5}", session_id, "u1", 4, session_id == "private", status, moment)


def _state(session_id: str) -> SessionState:
    return sessions.new_session(session_id, sessions.Seat("u1", "Ann", "u1"), 1, sessions.SessionSettings(), NOW)


class UnreachableLive(MemoryLiveStore):
    async def load(self, session_id: str, *, fresh: bool = False) -> SessionState | None:
        raise LiveStateError("redis unreachable")


async def test_only_old_unfinished_sessions_without_live_state_are_ended_once(store: Store) -> None:
    live = MemoryLiveStore()
    old = NOW - 2 * AGE_S
    for session_id, status, created in (
        ("lost", "playing", old),
        ("private", "waiting", old),  # private sessions too
        ("live", "playing", old),
        ("young", "waiting", NOW - AGE_S / 2),  # its live state may be being created right now
        ("won", "finished", old),
    ):
        await store.create_session(_record(session_id, status, created))
    await live.create(_state("live"))

    ended = await sweep_lost_sessions(store, live, NOW, min_age_s=AGE_S)

    assert sorted(ended) == ["lost", "private"]
    for session_id in ended:
        record = await store.get_session(session_id)
        assert record is not None
        assert (record.status, record.end_reason) == ("finished", LIVE_STATE_LOST)
        assert record.finished_at == datetime.fromtimestamp(NOW, UTC)
    for session_id, status in (("live", "playing"), ("young", "waiting"), ("won", "finished")):
        record = await store.get_session(session_id)
        assert record is not None
        assert (record.status, record.end_reason) == (status, None)
    assert await sweep_lost_sessions(store, live, NOW + AGE_S, min_age_s=AGE_S) == ["young"]
    assert await sweep_lost_sessions(store, live, NOW + AGE_S, min_age_s=AGE_S) == []  # each ended once


async def test_an_unreachable_live_store_ends_nothing(store: Store) -> None:
    await store.create_session(_record("s1", "playing", NOW - 2 * AGE_S))
    with pytest.raises(LiveStateError):
        await sweep_lost_sessions(store, UnreachableLive(), NOW, min_age_s=AGE_S)
    record = await store.get_session("s1")
    assert record is not None
    assert record.status == "playing"
