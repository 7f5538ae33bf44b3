"""Every Prometheus metric the server exports, declared once (scraped at ``/metrics``).

Names follow the deployment plan where it names them (``http_request_duration_seconds``,
``active_games_total``, ``websocket_connections_total``); the rest carry the
``checkgame_`` prefix and Prometheus' unit suffixes. Labels are bounded sets
(route templates, message and action types, error codes, operation names):
never a session, player or connection id, so a busy node's series count stays flat.

The metrics live in their own :class:`CollectorRegistry` rather than the global
one, so several servers in one process (the tests) do not collide, and each
node's ``/metrics`` shows that node's figures only.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

__all__ = ["LATENCY_BUCKETS", "LabelCache", "Metrics"]

M = TypeVar("M", Counter, Histogram)

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
"""Seconds: fine below 50 ms, where a game server's moves should be."""
CALL_BUCKETS = (0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)
"""Seconds, for single database and Redis calls."""


class Metrics:
    """One node's metrics, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry(auto_describe=True)
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        GCCollector(registry=registry)

        self.build_info = Info("checkgame_build", "Version and node of this server.", registry=registry)

        # HTTP
        self.http_request_duration = Histogram(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by route template.",
            ["method", "route", "status_code"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )

        # Games and connections (gauges read when scraped)
        self.active_games = Gauge(
            "active_games_total",
            "Games in progress in sessions this node holds connections to.",
            registry=registry,
        )
        self.websocket_connections = Gauge(
            "websocket_connections_total",
            "Open player WebSocket connections on this node.",
            registry=registry,
        )
        self.spectators = Gauge(
            "checkgame_spectators_connected",
            "Spectator WebSocket connections on this node (also counted in websocket_connections_total).",
            registry=registry,
        )
        self.draining = Gauge(
            "checkgame_node_draining", "1 while this node refuses new connections.", registry=registry
        )

        # The front door (every TCP connection, before any server reads it)
        self.connections_open = Gauge(
            "checkgame_connections_open", "TCP connections open to this node, HTTP and WebSocket.", registry=registry
        )
        self.connections_refused = Counter(
            "checkgame_connections_refused_total",
            "Connections the front door answered and closed, by reason (max_connections, max_connections_per_ip, "
            "bad_request, bad_upgrade, head_timeout, body_timeout).",
            ["reason"],
            registry=registry,
        )
        self.connection_errors = Counter(
            "checkgame_connection_errors_total",
            "Connections ended by a failure contained to them, by kind (protocol, network, internal).",
            ["kind"],
            registry=registry,
        )

        # Play
        self.actions = Counter(
            "checkgame_actions_total",
            "Game actions received, by type (play, draw, choose_suit, leave) and result (accepted, refused, duplicate).",  # noqa: E501
            ["type", "result"],
            registry=registry,
        )
        self.refusals = Counter(
            "checkgame_action_refusals_total",
            "Refused actions and commands, by error code.",
            ["code"],
            registry=registry,
        )
        self.chat_messages = Counter(
            "checkgame_chat_messages_total",
            "Chat messages accepted, by channel (players, spectators).",
            ["channel"],
            registry=registry,
        )
        self.chat_refusals = Counter(
            "checkgame_chat_refusals_total",
            "Chat messages and reports refused, by error code (RATE_LIMITED, MESSAGE_TOO_LONG, CHAT_MUTED...).",
            ["code"],
            registry=registry,
        )
        self.move_broadcast = Histogram(
            "checkgame_move_broadcast_seconds",
            "From an action's arrival to its last resulting frame queued for every connection on this node.",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.matchmaking_requests = Counter(
            "checkgame_matchmaking_requests_total",
            "Quick-play requests, by result: joined (an open table), opened (a new table), returned (the seat the "
            "player already had), or the error code in lower case (matchmaking_busy, matchmaking_in_progress, ...).",
            ["result"],
            registry=registry,
        )
        self.quick_play_wait = Histogram(
            "checkgame_quick_play_wait_seconds",
            "From opening a quick-play table to its start (full, or its wait over), observed by the node that "
            "started it.",
            buckets=(1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 45.0, 60.0, 120.0, 300.0, 900.0),
            registry=registry,
        )
        self.games_finished = Counter(
            "checkgame_games_finished_total",
            "Games that ended, by how (last_player, abandoned, ended_by_admin...).",
            ["reason"],
            registry=registry,
        )
        self.sessions_created = Counter(
            "checkgame_sessions_created_total", "Sessions (tournaments) created.", registry=registry
        )
        self.commit_conflicts = Counter(
            "checkgame_live_commit_conflicts_total",
            "Live-state commits retried because another node committed first.",
            registry=registry,
        )

        # WebSocket traffic
        self.ws_received = Counter(
            "checkgame_ws_messages_received_total",
            "WebSocket frames received from players, by message type (invalid for unparseable frames).",
            ["type"],
            registry=registry,
        )
        self.ws_sent = Counter(
            "checkgame_ws_messages_sent_total",
            "WebSocket frames sent to players, by message type.",
            ["type"],
            registry=registry,
        )
        self.ws_batches = Counter(
            "checkgame_ws_batches_total",
            "WebSocket messages that carried an array of several frames (clients that asked for batch=1).",
            registry=registry,
        )
        self.ws_batched_frames = Counter(
            "checkgame_ws_batched_frames_total",
            "Frames sent inside those arrays (divided by the batches: the mean batch size).",
            registry=registry,
        )
        self.ws_closes = Counter(
            "checkgame_ws_disconnects_total",
            "WebSocket connections closed, by close code.",
            ["code"],
            registry=registry,
        )
        self.outbox_dropped = Counter(
            "checkgame_ws_outbox_dropped_total",
            "Frames dropped because a connection's outbox was full.",
            registry=registry,
        )
        self.slow_client_disconnects = Counter(
            "checkgame_ws_slow_client_disconnects_total",
            "Connections closed because the client read too slowly.",
            registry=registry,
        )
        self.resumes = Counter(
            "checkgame_ws_resumes_total",
            "Reconnections with lastSeq, by how they caught up (replay or snapshot).",
            ["mode"],
            registry=registry,
        )
        self.rate_limited = Counter(
            "checkgame_rate_limited_total",
            "Requests and frames refused by a rate limit, by limit name.",
            ["limit"],
            registry=registry,
        )

        # Background work
        self.timer_firings = Counter(
            "checkgame_timer_firings_total",
            "Deadlines fired by this node's timers, by kind (turn, grace, next_game, results).",
            ["kind"],
            registry=registry,
        )

        self.recorder_effects = Counter(
            "checkgame_recorder_effects_total",
            "Session effects handled by the recorder, by kind and outcome (written; rejected by the database and"
            " skipped; deferred to the live state while the backlog is full; lost at shutdown with the database"
            " down).",
            ["kind", "outcome"],
            registry=registry,
        )
        self.rating_updates = Counter(
            "checkgame_rating_updates_total",
            "Player ratings changed by games this node recorded (one per rated player of a rated game).",
            registry=registry,
        )
        self.leaderboard_reads = Counter(
            "checkgame_leaderboard_reads_total",
            "Leaderboard reads, by period (all, month) and where they were answered from (cache, store).",
            ["period", "source"],
            registry=registry,
        )
        self.sessions_lost = Counter(
            "checkgame_sessions_lost_total",
            "Sessions this node ended because their live state was lost (reason live_state_lost).",
            registry=registry,
        )
        self.recorder_backlog = Gauge(
            "checkgame_recorder_backlog", "Session effects waiting to be written to the database.", registry=registry
        )

        # Dependencies
        self.db_duration = Histogram(
            "checkgame_db_query_duration_seconds",
            "Database calls, by store operation.",
            ["operation"],
            buckets=CALL_BUCKETS,
            registry=registry,
        )
        self.db_errors = Counter(
            "checkgame_db_errors_total",
            "Database calls that failed, by store operation.",
            ["operation"],
            registry=registry,
        )
        self.redis_duration = Histogram(
            "checkgame_redis_command_duration_seconds",
            "Redis calls, by live-store operation.",
            ["operation"],
            buckets=CALL_BUCKETS,
            registry=registry,
        )
        self.redis_errors = Counter(
            "checkgame_redis_errors_total",
            "Redis calls that failed, by live-store operation.",
            ["operation"],
            registry=registry,
        )

        # Operators
        self.admin_actions = Counter(
            "checkgame_admin_actions_total", "Admin actions taken, by action.", ["action"], registry=registry
        )
        self.gc_pauses = Histogram(
            "checkgame_gc_pause_seconds",
            "Time the whole process stood still in the cyclic garbage collector, by generation (2 = full).",
            ["generation"],
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=registry,
        )

        # Hot-path shortcuts: label children bound once
        self.sent = LabelCache(self.ws_sent)
        self.received = LabelCache(self.ws_received)
        self.refused = LabelCache(self.refusals)
        self.limited = LabelCache(self.rate_limited)
        self.closed = LabelCache(self.ws_closes)
        self.action = LabelCache(self.actions)
        self.chatted = LabelCache(self.chat_messages)
        self.chat_refused = LabelCache(self.chat_refusals)


class LabelCache(Generic[M]):
    """The children of a labelled metric, each bound on first use (``labels()`` takes a lock on every call).

    Only for label values from a bounded set our code chooses (message types, error codes), never client input.
    """

    __slots__ = ("_children", "_metric")

    def __init__(self, metric: M) -> None:
        self._metric: M = metric
        self._children: dict[tuple[str, ...], M] = {}

    def __call__(self, *values: str) -> M:
        """The child for ``values``, one per label in declaration order."""
        child = self._children.get(values)
        if child is None:
            child = self._children[values] = self._metric.labels(*values)
        return child
