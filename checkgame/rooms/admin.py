"""This node as the admin API sees it: its connections, its message rates, and whether it is draining.

Each node keeps a :class:`NodeMonitor`. The WebSocket endpoint registers every
connection in it (:meth:`NodeMonitor.connected`) and counts messages; once a
second :meth:`NodeMonitor.run` publishes the node's report to the live store,
where the admin API of any node reads every node's connections, and polls the
live store for a drain request addressed to this node (so an administrator on
another node can drain this one through Redis).

Draining is an operator's switch, not the shutdown: new connections are
refused and ``/ready`` answers 503 so the load balancer sends players
elsewhere, live connections are closed so their clients reconnect to another
node, but the process keeps running and can be undrained.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

import trio

from checkgame import __version__
from checkgame.errors import LiveStateError
from checkgame.live.base import LiveStore

__all__ = ["CLOSE_DRAINING", "ConnectionInfo", "NodeMonitor"]

log = logging.getLogger(__name__)

CLOSE_DRAINING = 1001
"""Going away: this node drains; reconnect and another node takes the player."""

RATE_WINDOW_S = 10.0
"""Rates are averaged over about this long."""

REPORT_TTL_S = 5.0
"""A node that stopped reporting for this long disappears from the admin API."""

MAX_PUBLISHED_CONNECTIONS = 1000
"""Connection rows a node publishes each second; beyond, only their count (10,000 rows would be 2.5 MB a second)."""


@dataclass
class ConnectionInfo:
    """One player's WebSocket on this node, as listed to administrators."""

    connection_id: str
    player_id: str
    name: str
    session_id: str
    connected_at: float
    close: Callable[[int, str], None]
    """Ends the connection with a close code and reason (used when the node drains)."""
    outbox_depth: Callable[[], int]
    last_message_at: float | None = None
    rtt_ms: float | None = None
    """Round trip of the latest server ping the client answered; None until one was answered."""
    spectator: bool = False
    """A spectator's connection (``/api/v1/ws/watch``), not a seat's."""

    def to_dict(self, node: str) -> dict[str, Any]:
        """The admin API's connection row."""
        return {
            "connectionId": self.connection_id,
            "playerId": self.player_id,
            "name": self.name,
            "sessionId": self.session_id,
            "node": node,
            "connectedAt": self.connected_at,
            "lastMessageAt": self.last_message_at,
            "rttMs": self.rtt_ms,
            "outboxDepth": self.outbox_depth(),
            "spectator": self.spectator,
        }


@dataclass
class _Counts:
    messages_in: int = 0
    messages_out: int = 0
    actions: int = 0


class ReportSink(Protocol):
    """Where node reports go: the live store, or the session service in front of it."""

    async def publish_node_report(self, node: str, report: dict[str, Any], now: float, ttl_s: float) -> None: ...


@dataclass
class NodeMonitor:
    """Connections, counters and the drain switch of one node."""

    node: str
    started_at: float
    clock: Callable[[], float]
    version: str = __version__
    connections: dict[str, ConnectionInfo] = field(default_factory=dict)
    counts: _Counts = field(default_factory=_Counts)
    drain_requested: bool = False
    """An operator drains this node (through the live store, from any node's admin API)."""
    stopping: bool = False
    """The process shuts down (SIGTERM): the same as a drain, for good."""
    _samples: deque[tuple[float, int, int, int]] = field(default_factory=lambda: deque(maxlen=64))

    @contextmanager
    def connected(self, info: ConnectionInfo) -> Iterator[ConnectionInfo]:
        """List ``info`` while the block runs (the lifetime of the connection)."""
        self.connections[info.connection_id] = info
        try:
            yield info
        finally:
            self.connections.pop(info.connection_id, None)

    @property
    def draining(self) -> bool:
        """New connections are refused, /ready answers 503, and live ones were told to go elsewhere."""
        return self.drain_requested or self.stopping

    def set_draining(self, draining: bool) -> None:
        """Turn an operator's drain on (closing every connection, which reconnects elsewhere) or off."""
        if draining and not self.draining:
            log.warning("node %s drains: closing %d connections", self.node, len(self.connections))
            self._close_all("node draining: reconnect")
        elif self.drain_requested and not draining and not self.stopping:
            log.warning("node %s takes connections again", self.node)
        self.drain_requested = draining

    def stop(self) -> None:
        """The process shuts down: every connection is closed with 1001 (its client reconnects to another node)."""
        if not self.stopping:
            self._close_all("server shutting down: reconnect")
        self.stopping = True

    def _close_all(self, reason: str) -> None:
        for info in list(self.connections.values()):
            info.close(CLOSE_DRAINING, reason)

    def sample(self, now: float) -> None:
        """Remember the counters at ``now`` (called about once a second)."""
        self._samples.append((now, self.counts.messages_in, self.counts.messages_out, self.counts.actions))
        while len(self._samples) > 2 and now - self._samples[1][0] >= RATE_WINDOW_S:
            self._samples.popleft()

    def rates(self) -> dict[str, float]:
        """Per-second rates over the last ~10 s of samples (zero until two samples exist)."""
        if len(self._samples) < 2:
            return {"actionsPerSecond": 0.0, "messagesInPerSecond": 0.0, "messagesOutPerSecond": 0.0}
        (t0, in0, out0, act0), (t1, in1, out1, act1) = self._samples[0], self._samples[-1]
        span = max(t1 - t0, 1e-9)
        return {
            "actionsPerSecond": round((act1 - act0) / span, 3),
            "messagesInPerSecond": round((in1 - in0) / span, 3),
            "messagesOutPerSecond": round((out1 - out0) / span, 3),
        }

    def report(self, now: float, *, max_rows: int | None = None) -> dict[str, Any]:
        """What this node publishes for the admin API of every node (at most ``max_rows`` connection rows)."""
        infos = list(self.connections.values())[:max_rows]
        return {
            "id": self.node,
            "startedAt": self.started_at,
            "lastSeen": now,
            "draining": self.draining,
            "version": self.version,
            "rates": self.rates(),
            "connectionCount": len(self.connections),
            "connections": [info.to_dict(self.node) for info in infos],
        }

    async def publish(self, live: ReportSink) -> None:
        """Publish the report now (also right after a local change, so readers need not wait a second)."""
        now = self.clock()
        report = self.report(now, max_rows=MAX_PUBLISHED_CONNECTIONS)
        await live.publish_node_report(self.node, report, now, REPORT_TTL_S)

    async def run(
        self,
        live: LiveStore,
        *,
        interval_s: float = 1.0,
        task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED,
    ) -> None:
        """Every ``interval_s``: follow drain requests addressed to this node, sample rates, publish the report.

        A drain is the state of a running process: a node (re)starting under the same id takes connections
        until it is drained again, so a restart in a rolling deploy is never stuck out of the load balancer.
        """
        try:
            await live.request_drain(self.node, False)
        except LiveStateError:
            log.warning("could not clear an old drain request", exc_info=True)
        task_status.started()
        while True:
            try:
                self.set_draining(await live.drain_requested(self.node))
                self.sample(self.clock())
                await self.publish(live)
            except LiveStateError:  # Redis hiccup: the report expires or is refreshed next round
                log.warning("node report failed; retrying", exc_info=True)
            await trio.sleep(interval_s)
