"""Creating a session (rooms.creation): the durable row with a free code, the live state, the creator's seat."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

import pytest

from checkgame import sessions
from checkgame.errors import ConflictError, DuplicateError
from checkgame.live import MemoryLiveStore
from checkgame.rooms import SessionService
from checkgame.rooms.creation import CODE_ALPHABET, CODE_ATTEMPTS, NewSession, create_session
from checkgame.sessions.machine import Effect, SeatTaken
from checkgame.store.base import SessionPlayer, SessionRecord, Store

NOW = 1_767_225_600.0
ANN = sessions.Seat("u-ann", "ann", "u-ann")


class Rows:
    """The store's session rows; the first ``taken`` codes drawn are already someone else's."""

    def __init__(self, taken: int = 0) -> None:
        self.taken = taken
        self.codes_tried: list[str] = []
        self.rows: list[SessionRecord] = []

    async def create_session(self, record: SessionRecord) -> None:
        self.codes_tried.append(record.code)
        if len(self.codes_tried) <= self.taken:
            raise DuplicateError("code")
        self.rows.append(record)


def service() -> tuple[SessionService, list[Effect]]:
    recorded: list[Effect] = []
    return SessionService(MemoryLiveStore(), recorded.append, lambda: NOW), recorded


REQUEST = NewSession("Friday table", ANN, sessions.SessionSettings(max_players=5), is_private=True)


async def test_the_row_the_live_state_and_the_creators_seat_recorded_like_a_joiners() -> None:
    rows = Rows()
    live, recorded = service()
    record = await create_session(cast("Store", rows), live, REQUEST, NOW, seed=42)
    assert rows.rows == [record]
    assert (record.name, record.creator_id, record.max_players, record.is_private) == ("Friday table", "u-ann", 5, True)
    assert (record.status, record.player_count) == ("waiting", 1)
    assert len(record.code) == 6
    assert set(record.code) <= set(CODE_ALPHABET)
    state = await live.load(record.id)
    assert state.seats == (ANN,)
    assert state.creator == "u-ann"
    assert state.seed == 42
    assert state.status is sessions.Status.WAITING
    assert state.seq == 0
    moment = datetime.fromtimestamp(NOW, UTC)
    assert recorded == [SeatTaken(SessionPlayer(record.id, "u-ann", "ann", 1, "u-ann", moment))]

    joined = await live.execute(record.id, sessions.Join("guest-1", "Bea"))
    assert joined.effects == (SeatTaken(SessionPlayer(record.id, "guest-1", "Bea", 2, None, moment)),)


async def test_a_taken_code_is_drawn_again() -> None:
    rows = Rows(taken=3)
    record = await create_session(cast("Store", rows), service()[0], REQUEST, NOW)
    assert len(rows.codes_tried) == 4
    assert record.code == rows.codes_tried[-1]


async def test_no_free_code_is_a_conflict_and_nothing_goes_live() -> None:
    rows = Rows(taken=CODE_ATTEMPTS)
    live, recorded = service()
    with pytest.raises(ConflictError) as refused:
        await create_session(cast("Store", rows), live, REQUEST, NOW)
    assert refused.value.code == "CODE_EXHAUSTED"
    assert rows.rows == []
    assert recorded == []


async def test_a_guest_cannot_create_a_session() -> None:
    request = NewSession("t", sessions.Seat("guest-1", "Bea"), sessions.SessionSettings())
    with pytest.raises(ValueError, match="registered user"):
        await create_session(cast("Store", Rows()), service()[0], request, NOW)
