"""Quick play: seat a player at the fullest waiting public table of a size, or open one (docs/protocol.md).

Theory of operation
-------------------
Seats are decided where every other seat is: a :class:`~checkgame.sessions.QuickJoin` applied to the table's
live state by compare-and-set, so no table is ever overfilled, whichever nodes ask at once. What is shared
beyond that is the :class:`~checkgame.live.base.QuickPlayPool`:

* the open tables of each size, scored by the seats reserved there. A request reserves a seat atomically at the
  fullest table with one free, or, when none has, files a new table (with its own seat reserved) that it then
  opens; so requests arriving together on any nodes fill tables one after another, open a new one only when
  the others are taken, and never wait on each other. A seat reserved at a table still being opened waits
  a moment for its live state; a Join refused because the table filled, started or ended (or never appeared)
  withdraws it, and another seat is reserved.
* a claim per registered player holding their pending request, then their table. A second request (a double
  click, another node) gets the same seat back instead of a second one. Guests get a new player id per
  request, so each request of theirs is a new player.

The table starts by itself: as soon as it is full (in the Join that fills it), or when its wait ends — a
deadline in the session state acted on by :class:`~checkgame.sessions.Tick` on whichever node's timer claims
it, so it survives the node that opened the table.

Known limit: a seat freed before the start (a player left) is not offered by matchmaking again, since leaving
does not go through the pool; the table can still be joined from the lobby, and starts when its wait ends.
"""

from __future__ import annotations

import random
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import msgspec
import trio

from checkgame import sessions
from checkgame.errors import ClientError, ConflictError
from checkgame.live.base import QuickPlayPool
from checkgame.observability.metrics import Metrics
from checkgame.rooms.creation import insert_with_code
from checkgame.rooms.service import SessionService
from checkgame.store.base import SessionPlayer, SessionRecord, Store

__all__ = ["Match", "Matchmaker"]

ROUNDS = 20
"""Seats reserved in turn (each at a table that then turned out full, started or gone) before giving up."""
RETRY_S = 0.02
"""Pause before looking again while another request of the same player is being seated (jittered)."""
SAME_PLAYER_WAIT_S = 5.0
"""How long a request waits for another request of the same player to be seated, to answer with that seat."""
OPENING_GRACE_S = 5.0
"""How long a seat reserved at a table being opened waits for its live state (its opener's node may die)."""
OPENING_POLL_S = 0.01
"""How often that seat looks for the table's live state."""
PENDING_TTL_S = 30.0
"""A player's request in flight holds their claim at most this long (its node may die)."""
SEATED_TTL_S = 12 * 3600.0
"""How long a player's table is remembered (it is checked against the live state before it is given back)."""
GONE = frozenset({"SESSION_FULL", "SESSION_STARTED", "SESSION_FINISHED", "SESSION_NOT_FOUND", "NOT_QUICK_PLAY"})
"""Refusals that mean a pooled table takes nobody any more."""

Result = Literal["joined", "opened", "returned"]


@dataclass(frozen=True, slots=True)
class Match:
    """Where a quick-play request seated the player."""

    state: sessions.SessionState
    """The table's live state just after the player sat (or, ``returned``, when their seat was found)."""
    player: sessions.Seat
    result: Result
    """``joined`` an open table, ``opened`` a new one, or ``returned`` the seat the player already had."""

    @property
    def seat(self) -> int:
        """The player's seat number, from 1."""
        return next(n for n, s in enumerate(self.state.seats, start=1) if s.player_id == self.player.player_id)


class Matchmaker:
    """Finds a quick-play seat for a player, on any node of a cluster."""

    def __init__(
        self,
        service: SessionService,
        pool: QuickPlayPool,
        store: Store,
        clock: Callable[[], float],
        *,
        settings: Callable[[int], sessions.SessionSettings],
        wait_s: float,
        new_code: Callable[[], str],
        metrics: Metrics | None = None,
    ) -> None:
        self._service = service
        self._pool = pool
        self._store = store
        self._clock = clock
        self._settings = settings
        """The live settings of a new table of that size (the server's timers)."""
        self.wait_s = wait_s
        self._new_code = new_code
        self._metrics = metrics

    async def play(self, player: sessions.Seat, size: int, *, accepts_computers: bool) -> Match:
        """Seat ``player`` at a table of ``size`` (or give back the one they have).

        Raises:
            ConflictError: ``MATCHMAKING_BUSY`` when no table could be joined or opened in time, or
                ``MATCHMAKING_IN_PROGRESS`` when another request of the same player is still being seated.
            LiveStateError: the live store failed.
        """
        try:
            match = await self._seat_once(player, size, accepts_computers)
        except ClientError as error:
            self._count(error.code.lower())
            raise
        self._count(match.result)
        return match

    def _count(self, result: str) -> None:
        if self._metrics is not None:
            self._metrics.matchmaking_requests.labels(result).inc()

    async def _seat_once(self, player: sessions.Seat, size: int, accepts_computers: bool) -> Match:
        if player.user_id is None:  # a guest's player id is new: nothing to give back, nobody to race with
            return await self._seat(player, size, accepts_computers)
        claim = f"player:{player.player_id}"
        pending = f"pending:{secrets.token_hex(8)}"
        give_up_at = trio.current_time() + SAME_PLAYER_WAIT_S
        while (holder := await self._pool.claim(claim, pending, PENDING_TTL_S)) is not None:
            if not holder.startswith("pending:"):
                state = await self._service.find(holder)
                if state is not None and state.status is not sessions.Status.FINISHED and _sits(state, player):
                    return Match(state, player, "returned")
                await self._pool.release(claim, holder)  # they left that table, or it ended
                continue
            if trio.current_time() >= give_up_at:
                raise ConflictError(
                    "your other quick-play request is still being seated", code="MATCHMAKING_IN_PROGRESS"
                )
            await trio.sleep(RETRY_S * random.uniform(0.5, 1.5))  # their other request is being seated
        try:
            match = await self._seat(player, size, accepts_computers)
        except BaseException:
            with trio.CancelScope(shield=True):
                await self._pool.release(claim, pending)
            raise
        await self._pool.handover(claim, pending, match.state.id, SEATED_TTL_S)
        return match

    async def _seat(self, player: sessions.Seat, size: int, accepts_computers: bool) -> Match:
        for _ in range(ROUNDS):
            session_id, opened = await self._pool.reserve(size, uuid.uuid4().hex)
            if opened:
                try:
                    return Match(await self._open(session_id, player, size, accepts_computers), player, "opened")
                except BaseException:
                    with trio.CancelScope(shield=True):  # those who reserved a seat there give up waiting for it
                        await self._pool.withdraw(size, session_id)
                    raise
            state = await self._join(session_id, size, player, accepts_computers)
            if state is not None:
                return Match(state, player, "joined")
        raise ConflictError("no quick-play table could be found or opened; try again", code="MATCHMAKING_BUSY")

    async def _join(
        self, session_id: str, size: int, player: sessions.Seat, accepts_computers: bool
    ) -> sessions.SessionState | None:
        """Take the seat reserved at ``session_id``; None (and the table withdrawn) when it takes nobody any more.

        A table still being opened has no live state yet: its seat is waited for, up to ``OPENING_GRACE_S``.
        """
        command = sessions.QuickJoin(player.player_id, player.name, player.user_id, accepts_computers)
        give_up_at = trio.current_time() + OPENING_GRACE_S
        while True:
            try:
                state = (await self._service.execute(session_id, command)).state
                break
            except ClientError as error:
                if error.code == "SESSION_NOT_FOUND" and trio.current_time() < give_up_at:
                    await trio.sleep(OPENING_POLL_S)  # its opener is creating it
                    continue
                if error.code == "ALREADY_JOINED":  # a seat this player took in an earlier, interrupted request
                    await self._pool.unreserve(size, session_id)
                    return await self._service.load(session_id)
                if error.code not in GONE:
                    await self._pool.unreserve(size, session_id)
                    raise
                await self._pool.withdraw(size, session_id)
                return None
            except BaseException:
                with trio.CancelScope(shield=True):
                    await self._pool.unreserve(size, session_id)
                raise
        if state.status is not sessions.Status.WAITING:
            await self._pool.withdraw(size, session_id)
        return state

    async def _open(
        self, session_id: str, player: sessions.Seat, size: int, accepts_computers: bool
    ) -> sessions.SessionState:
        """Open the public quick-play table ``session_id`` (already in the pool) with ``player`` in seat 1."""
        now = self._clock()
        moment = datetime.fromtimestamp(now, UTC)
        record = SessionRecord(session_id, "", f"Quick play ({size})", player.player_id, size, False, "waiting", moment)
        await insert_with_code(self._store, record, self._new_code)
        quick = sessions.QuickPlay(now + self.wait_s, self.wait_s, (player.player_id,) if accepts_computers else ())
        state = sessions.new_session(session_id, player, secrets.randbits(63), self._settings(size), now)
        state = msgspec.structs.replace(state, quick_play=quick)
        await self._service.create(state)
        await self._store.add_session_player(
            SessionPlayer(session_id, player.player_id, player.name, 1, player.user_id, moment)
        )
        return state


def _sits(state: sessions.SessionState, player: sessions.Seat) -> bool:
    return state.seat_of(player.player_id) is not None and player.player_id not in state.left
