"""The recorder writes every effect in order, however long the database is away (issue 12, defect 4).

A store that fails on cue stands in for the database; trio's autojump clock
makes the back-off free, so an outage of minutes runs in no time.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any, cast

import pytest
import trio
import trio.testing

from checkgame.errors import StoreError, StoreUnavailableError
from checkgame.observability.metrics import Metrics
from checkgame.rooms.recorder import BACKOFF_MAX_S, Recorder
from checkgame.sessions.machine import Effect, SeatReleased, SeatTaken, SessionEnded, TournamentStarted
from checkgame.store import open_store
from checkgame.store.base import (
    GameResult,
    PlayerRating,
    SessionPlayer,
    SessionRecord,
    Store,
    TournamentResult,
    User,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)


class FlakyStore:
    """Records each write; the next ``down`` writes fail as if the database were unreachable."""

    def __init__(self, down: int = 0) -> None:
        self.down = down
        self.attempts = 0
        self.writes: list[tuple[str, ...]] = []
        self.reject: set[str] = set()
        """Players whose seat the database refuses (a value it cannot hold)."""

    def _attempt(self) -> None:
        self.attempts += 1
        if self.down > 0:
            self.down -= 1
            raise StoreUnavailableError("connection refused")

    async def add_session_player(self, player: SessionPlayer) -> None:
        self._attempt()
        if player.player_id in self.reject:
            raise StoreError("invalid byte sequence for encoding UTF8: 0x00")
        self.writes.append(("seat", player.player_id))

    async def remove_session_player(self, session_id: str, player_id: str) -> None:
        self._attempt()
        self.writes.append(("leave", player_id))

    async def set_session_status(self, session_id: str, status: str, **_: Any) -> None:
        self._attempt()
        self.writes.append(("status", status))

    async def end_session(self, session_id: str, reason: str, finished_at: datetime) -> bool:
        self._attempt()
        self.writes.append(("status", "finished"))
        return True

    async def record_game(self, game: GameResult) -> None:
        self._attempt()
        self.writes.append(("game", game.id))

    async def record_tournament(self, session_id: str, ranking: tuple[str, ...], finished_at: datetime) -> None:
        self._attempt()
        self.writes.append(("tournament", session_id))


def _seat(player: str) -> SeatTaken:
    return SeatTaken(SessionPlayer("s1", player, player, 1, None, NOW))


def _game(number: int) -> GameResult:
    return GameResult(f"s1-{number}", "s1", number, 1, 5, ("a", "b"), "a", NOW, NOW, "b", ("a", "b"), "last")


def _recorder(store: FlakyStore, **kwargs: Any) -> Recorder:
    return Recorder(cast("Store", store), **kwargs)


EFFECTS: list[Effect] = [_seat("a"), _seat("b"), SeatReleased("s1", "b"), TournamentStarted("s1"), _game(1)]


async def test_every_effect_is_written_in_order_after_a_long_outage(
    autojump_clock: trio.testing.MockClock, caplog: pytest.LogCaptureFixture
) -> None:
    store = FlakyStore(down=40)  # minutes of back-off: five attempts used to be the end of it
    recorder = _recorder(store)
    async with trio.open_nursery() as nursery:
        await nursery.start(recorder.run)
        for effect in EFFECTS:
            recorder.offer(effect)
        recorder.close()
    assert store.writes == [("seat", "a"), ("seat", "b"), ("leave", "b"), ("status", "playing"), ("game", "s1-1")]
    assert store.attempts == 40 + len(EFFECTS)
    assert trio.current_time() > 30 * BACKOFF_MAX_S  # the back-off reached its cap and stayed there
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2, warnings  # once when the outage began, once when it ended
    assert warnings[0].startswith("database unavailable")
    assert warnings[1].startswith("database back")


async def test_a_rejected_effect_is_skipped_and_counted_not_retried(autojump_clock: trio.testing.MockClock) -> None:
    store = FlakyStore()
    store.reject.add("nul\x00")
    metrics = Metrics()
    recorder = _recorder(store, metrics=metrics)
    async with trio.open_nursery() as nursery:
        await nursery.start(recorder.run)
        for effect in (_seat("nul\x00"), _seat("b"), SessionEnded("s1", NOW)):
            recorder.offer(effect)
        recorder.close()
    assert store.writes == [("seat", "b"), ("status", "finished")]
    assert store.attempts == 3
    assert trio.current_time() == 0  # nothing waited on it
    rejected = metrics.registry.get_sample_value(
        "checkgame_recorder_effects_total", {"kind": "seat_taken", "outcome": "rejected"}
    )
    assert rejected == 1


async def test_results_offered_again_are_queued_once_and_a_full_backlog_defers_them(
    autojump_clock: trio.testing.MockClock,
) -> None:
    store = FlakyStore(down=3)
    metrics = Metrics()
    recorder = _recorder(store, metrics=metrics, max_results=2)
    for number in (1, 1, 2, 2, 3):  # the session's timer offers unacknowledged results again
        recorder.offer(_game(number))
    recorder.offer(_seat("c"))  # seat changes are never deferred
    assert recorder.backlog == 3
    async with trio.open_nursery() as nursery:
        await nursery.start(recorder.run)
        recorder.close()
    assert store.writes == [("game", "s1-1"), ("game", "s1-2"), ("seat", "c")]
    deferred = metrics.registry.get_sample_value(
        "checkgame_recorder_effects_total", {"kind": "game", "outcome": "deferred"}
    )
    assert deferred == 1
    recorder.offer(_game(3))  # once one is written, the session's next offer is taken again
    assert recorder.backlog == 1


async def test_stopped_with_the_database_down_it_says_what_is_lost(
    autojump_clock: trio.testing.MockClock, caplog: pytest.LogCaptureFixture
) -> None:
    store = FlakyStore(down=10**6)
    metrics = Metrics()
    recorder = _recorder(store, metrics=metrics)
    with trio.move_on_after(60):  # the shutdown timeout
        async with trio.open_nursery() as nursery:
            await nursery.start(recorder.run)
            recorder.offer(SeatReleased("s1", "b"))
            recorder.offer(TournamentResult("s1", ("a", "b"), NOW))
            recorder.close()
    assert store.writes == []
    assert recorder.backlog == 0
    lost = [r.getMessage() for r in caplog.records if r.getMessage().startswith("not recorded")]
    assert len(lost) == 2
    assert "SeatReleased(session_id='s1', player_id='b')" in lost[0]
    assert (
        metrics.registry.get_sample_value("checkgame_recorder_effects_total", {"kind": "tournament", "outcome": "lost"})
        == 1
    )


async def test_a_result_recorded_again_rates_its_players_once() -> None:
    """A result offered again after it was written (its acknowledgement lost) is a no-op in the store:
    the players are rated once, and told once."""
    rated: list[tuple[PlayerRating, ...]] = []

    async def on_rated(ratings: tuple[PlayerRating, ...]) -> None:
        rated.append(ratings)

    async with open_store("sqlite://", migrate=True) as store:
        for user_id in ("u1", "u2"):
            await store.create_user(User(user_id, user_id, f"{user_id}@example.org", "hash", "player", NOW))
        await store.create_session(SessionRecord("s1", "ABC123", "table", "u1", 2, False, "playing", NOW))
        first = Recorder(store, rated=on_rated)
        async with trio.open_nursery() as nursery:
            await nursery.start(first.run)
            for effect in (_seat_of("a", "u1"), _seat_of("b", "u2"), _game(1)):
                first.offer(effect)
            first.close()
        again = Recorder(store, rated=on_rated)  # another node, RECORD_RETRY_S later, from the live state
        async with trio.open_nursery() as nursery:
            await nursery.start(again.run)
            again.offer(_game(1))
            again.close()
        assert (first.written, again.written) == (3, 1)
        [(winner, loser)] = rated
        assert (winner.user_id, loser.user_id) == ("u1", "u2")
        assert winner.rating > 0 > loser.rating  # "a" finished first
        assert (await store.get_rating("u1")).games == 1


def _seat_of(player: str, user_id: str) -> SeatTaken:
    return SeatTaken(SessionPlayer("s1", player, player, 1 if player == "a" else 2, user_id, NOW))
