"""Live state in this process's memory: the default when no Redis is configured.

Nothing here awaits between reading and writing a state, so under Trio's
cooperative scheduling ``commit`` is atomic without a lock.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import trio

from checkgame.sessions import Entry, SessionState

__all__ = ["MemoryLiveStore", "MemoryQuickPlayPool", "MemorySubscription"]


class MemorySubscription:
    """A bounded queue of entry batches; overflowing it marks the subscriber as lagged.

    Closing races delivery: a subscriber that leaves closes its queue at once, but
    the publisher (a node's pub/sub reader, say) may still hold it in its list for
    a moment. A closed subscription is simply no longer delivered to.
    """

    def __init__(self, capacity: int) -> None:
        self._send, self._receive = trio.open_memory_channel[Sequence[Entry]](capacity)
        self._lagged = False
        self._closed = False

    @property
    def lagged(self) -> bool:
        return self._lagged

    def deliver(self, entries: Sequence[Entry]) -> None:
        """Queue ``entries`` for the subscriber; a no-op once it lagged or was closed."""
        if self._lagged or self._closed:
            return
        try:
            self._send.send_nowait(entries)
        except trio.WouldBlock:
            self.mark_lagged()

    def mark_lagged(self) -> None:
        """Entries were (or may have been) lost: the subscriber must resynchronise from the log."""
        self._lagged = True
        self._send.close()

    def close(self) -> None:
        """Stop delivering: the subscriber is gone (it may still be listed by a publisher for a moment)."""
        self._closed = True
        self._send.close()

    async def receive(self) -> Sequence[Entry]:
        return await self._receive.receive()


class MemoryLiveStore:
    """Everything in dicts; the event log of each session is a ring of ``log_size`` entries."""

    def __init__(self, *, log_size: int = 512, subscriber_capacity: int = 256) -> None:
        self._states: dict[str, SessionState] = {}
        self._logs: dict[str, deque[Entry]] = {}
        self._subscribers: dict[str, set[MemorySubscription]] = {}
        self._wake: dict[str, float] = {}
        self._heap: list[tuple[float, str]] = []
        self._node_sessions: dict[str, set[str]] = {}
        self._heartbeats: dict[str, float] = {}
        self._reports: dict[str, tuple[float, dict[str, Any]]] = {}
        self._draining: set[str] = set()
        self._log_size = log_size
        self._subscriber_capacity = subscriber_capacity

    async def create(self, state: SessionState) -> None:
        self._states[state.id] = state
        self._logs[state.id] = deque(maxlen=self._log_size)
        self._schedule(state.id, state.wake_at())

    async def load(self, session_id: str, *, fresh: bool = False) -> SessionState | None:
        return self._states.get(session_id)

    async def commit(self, expected_version: int, state: SessionState, entries: Sequence[Entry]) -> bool:
        current = self._states.get(state.id)
        if current is None or current.version != expected_version:
            return False
        self._states[state.id] = state
        self._schedule(state.id, state.wake_at())
        if entries:
            self._logs[state.id].extend(entries)
            for subscription in self._subscribers.get(state.id, ()):
                subscription.deliver(entries)
        return True

    async def entries_since(self, session_id: str, seq: int) -> list[Entry] | None:
        log = self._logs.get(session_id)
        state = self._states.get(session_id)
        if log is None or state is None:
            return None
        if seq >= state.seq:
            return []
        if not log or log[0].seq > seq + 1:
            return None
        return [entry for entry in log if entry.seq > seq]

    @asynccontextmanager
    async def subscribe(self, session_id: str) -> AsyncIterator[MemorySubscription]:
        subscription = MemorySubscription(self._subscriber_capacity)
        subscribers = self._subscribers.setdefault(session_id, set())
        subscribers.add(subscription)
        try:
            yield subscription
        finally:
            subscription.close()
            subscribers.discard(subscription)
            if not subscribers:
                del self._subscribers[session_id]

    def _schedule(self, session_id: str, at: float | None) -> None:
        if at is None:
            self._wake.pop(session_id, None)
            return
        if self._wake.get(session_id) == at:
            return
        self._wake[session_id] = at
        heapq.heappush(self._heap, (at, session_id))

    async def claim_due(self, now: float) -> list[str]:
        due = []
        while self._heap and self._heap[0][0] <= now:
            at, session_id = heapq.heappop(self._heap)
            if self._wake.get(session_id) == at:  # otherwise rescheduled or cancelled since
                del self._wake[session_id]
                due.append(session_id)
        return due

    async def track(self, node: str, session_id: str) -> None:
        self._node_sessions.setdefault(node, set()).add(session_id)

    async def heartbeat(self, node: str, now: float) -> None:
        self._heartbeats[node] = now

    async def claim_dead_nodes(self, now: float, silence_s: float) -> list[tuple[str, list[str]]]:
        dead = [node for node, seen in self._heartbeats.items() if seen < now - silence_s]
        for node in dead:
            del self._heartbeats[node]
        return [(node, sorted(self._node_sessions.pop(node, ()))) for node in dead]

    async def ping(self) -> None:
        """Memory always answers."""

    async def session_ids(self) -> list[str]:
        return list(self._states)

    async def publish_node_report(self, node: str, report: dict[str, Any], now: float, ttl_s: float) -> None:
        self._reports[node] = (now + ttl_s, report)

    async def node_reports(self, now: float) -> dict[str, dict[str, Any]]:
        for node in [n for n, (until, _) in self._reports.items() if until <= now]:
            del self._reports[node]
        return {node: report for node, (_, report) in self._reports.items()}

    async def request_drain(self, node: str, draining: bool) -> None:
        if draining:
            self._draining.add(node)
        else:
            self._draining.discard(node)

    async def drain_requested(self, node: str) -> bool:
        return node in self._draining

    def subscriber_count(self) -> int:
        """Open subscriptions, for statistics."""
        return sum(len(s) for s in self._subscribers.values())


class MemoryQuickPlayPool:
    """The :class:`~checkgame.live.base.QuickPlayPool` of a single node; nothing awaits, so each call is atomic."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._open: dict[int, dict[str, int]] = {}
        self._claims: dict[str, tuple[str, float]] = {}

    async def reserve(self, size: int, new_table: str) -> tuple[str, bool]:
        tables = self._open.setdefault(size, {})
        free = [table for table, reserved in tables.items() if reserved < size]
        if not free:
            tables[new_table] = 1
            return new_table, True
        fullest = max(free, key=lambda table: (tables[table], table))
        tables[fullest] += 1
        return fullest, False

    async def unreserve(self, size: int, session_id: str) -> None:
        tables = self._open.get(size, {})
        if session_id in tables:
            tables[session_id] -= 1

    async def withdraw(self, size: int, session_id: str) -> None:
        self._open.get(size, {}).pop(session_id, None)

    async def claim(self, name: str, holder: str, ttl_s: float) -> str | None:
        current = self._holder(name)
        if current is not None:
            return current
        self._claims[name] = (holder, self._clock() + ttl_s)
        return None

    async def handover(self, name: str, holder: str, successor: str, ttl_s: float) -> bool:
        if self._holder(name) != holder:
            return False
        self._claims[name] = (successor, self._clock() + ttl_s)
        return True

    async def release(self, name: str, holder: str) -> None:
        if self._holder(name) == holder:
            del self._claims[name]

    def _holder(self, name: str) -> str | None:
        claim = self._claims.get(name)
        if claim is None:
            return None
        if claim[1] <= self._clock():
            del self._claims[name]
            return None
        return claim[0]
