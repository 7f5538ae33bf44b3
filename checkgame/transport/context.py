"""What the HTTP and WebSocket handlers need, built once by the composition root (checkgame.app)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from checkgame.auth import TokenCodec
from checkgame.config import Settings
from checkgame.leaderboard import Leaderboards
from checkgame.observability.metrics import Metrics
from checkgame.ratelimit import RateLimiter
from checkgame.rooms import SessionService
from checkgame.rooms.admin import NodeMonitor
from checkgame.rooms.bots import BotRunner
from checkgame.rooms.hub import Hubs
from checkgame.rooms.matchmaking import Matchmaker
from checkgame.store.base import Store
from checkgame.transport.ws.frames import Frame

__all__ = ["Services"]


@dataclass
class Services:
    """The server's parts, handed to the transport instead of globals."""

    settings: Settings
    store: Store
    sessions: SessionService
    tokens: TokenCodec
    rate_limiter: RateLimiter
    clock: Callable[[], float]
    """Wall-clock epoch seconds (token expiry, deadlines shared between nodes)."""
    started_at: float
    node: NodeMonitor
    """This node's connections, rates and drain switch, for the admin API."""
    metrics: Metrics
    """This node's Prometheus metrics, served at /metrics."""
    bots: BotRunner
    """Plays the computer players a creator seats (POST /sessions/{id}/bots)."""
    hubs: Hubs[Frame]
    """This node's session hubs: who watches which session here, and the one feed of each."""
    leaderboards: Leaderboards
    """The rating leaderboards, through this node's cache (memory, or Redis shared by the nodes)."""
    matchmaker: Matchmaker
    """Quick play (POST /matchmaking): a seat at the fullest open table of a size, or a new one."""
