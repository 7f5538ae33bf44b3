"""The composition root: build every part from :class:`~checkgame.config.Settings` and serve.

Nothing else chooses a backend. Lifetimes nest (DESIGN.md §6): the store is
opened around everything; the recorder and the timers run in a nursery owned
here, around the front door and Hypercorn behind it (``transport/edge``); on
shutdown the server drains (WebSockets are closed with 1001), Hypercorn stops,
the timers are cancelled, and the recorder finishes writing what is queued
before the store closes, within what is left of the shutdown timeout (a
database still down by then loses it, logged).
"""

from __future__ import annotations

import contextlib
import logging
import math
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from functools import partial

import trio
from hypercorn.config import Config as HypercornConfig

from checkgame import __version__
from checkgame.auth import TokenCodec
from checkgame.config import Settings
from checkgame.errors import ClientError, LiveStateError
from checkgame.leaderboard import LeaderboardCache, Leaderboards, MemoryLeaderboardCache
from checkgame.leaderboard_redis import RedisLeaderboardCache
from checkgame.live.base import LiveStore, QuickPlayPool
from checkgame.live.memory import MemoryLiveStore, MemoryQuickPlayPool
from checkgame.live.redis import RedisQuickPlayPool, open_redis_live_store
from checkgame.observability.gcpauses import watch_gc_pauses
from checkgame.observability.instrument import instrument_live, instrument_rate_limiter, instrument_store
from checkgame.observability.metrics import Metrics
from checkgame.ratelimit import MemoryRateLimiter, RateLimiter
from checkgame.ratelimit_redis import RedisRateLimiter
from checkgame.rooms import Recorder, SessionService, run_sweeper, run_timers
from checkgame.rooms.admin import NodeMonitor
from checkgame.rooms.bots import BotRunner
from checkgame.rooms.creation import new_join_code
from checkgame.rooms.hub import Hubs
from checkgame.rooms.matchmaking import Matchmaker
from checkgame.sessions import GameResult, Recorded, SessionSettings, TournamentResult
from checkgame.sessions.machine import ComputersSeated, Effect, TournamentStarted, result_id
from checkgame.store import Store, open_store
from checkgame.transport.context import Services
from checkgame.transport.edge import serve_edge
from checkgame.transport.http.app import create_app
from checkgame.transport.ws.frames import FrameRenderer
from checkgame.transport.ws.hypercorn_guard import guard_hypercorn
from checkgame.transport.ws.routes import websocket_routes

__all__ = ["serve_checkgame", "wait_for_signal"]

log = logging.getLogger(__name__)

EFFECTS_BUFFER = 10_000
"""Results the recorder queues at most; beyond, their sessions keep them until the database takes them
(:mod:`checkgame.rooms.recorder`). Moves never wait for the recorder."""

RECORDER_FLUSH_MIN_S = 1.0
"""The least time the recorder gets to write what is queued on shutdown, however long the connections took."""


async def wait_for_signal() -> None:
    """Return on the first SIGTERM or SIGINT (Hypercorn's trio worker installs no handlers itself)."""
    with trio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
        async for signum in signals:
            log.info("received %s: shutting down", signal.Signals(signum).name)
            return


async def serve_checkgame(
    settings: Settings,
    *,
    shutdown_trigger: Callable[[], Awaitable[None]] = wait_for_signal,
    task_status: trio.TaskStatus[Services] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Run one node until ``shutdown_trigger`` returns; report the wired :class:`Services` once listening.

    ``settings`` must be :meth:`~checkgame.config.Settings.resolved` (a database URL and a secret).
    """
    clock = time.time
    metrics = _metrics(settings)
    with watch_gc_pauses(metrics.gc_pauses):
        stores = open_store(settings.database_url, read_url=settings.database_read_url)
        async with stores as store, _open_live(settings, clock) as (live, rate_limiter, boards, quick_play_pool):
            redis = bool(settings.redis_url)
            store = instrument_store(store, metrics)
            live = instrument_live(live, metrics, redis=redis)
            rate_limiter = instrument_rate_limiter(rate_limiter, metrics, redis=redis)
            await _migrate_embedded(store, settings)
            leaderboards = Leaderboards(store, boards, clock, metrics=metrics)
            recorder = Recorder(store, metrics=metrics, max_results=EFFECTS_BUFFER, rated=leaderboards.rated)
            metrics.recorder_backlog.set_function(lambda: recorder.backlog)

            def on_effect(effect: Effect) -> None:
                """Effects go to the recorder, but computer players a quick-play table seated are started here."""
                if isinstance(effect, ComputersSeated):
                    _play_computers(services, effect)
                    return
                if isinstance(effect, TournamentStarted) and effect.quick_play_waited_s is not None:
                    metrics.quick_play_wait.observe(effect.quick_play_waited_s)
                recorder.offer(effect)

            service = SessionService(live, on_effect, clock)
            recorder.acknowledge = partial(_acknowledge_recorded, service)
            services = Services(
                settings=settings,
                store=store,
                sessions=service,
                tokens=TokenCodec(settings.jwt_secret),
                rate_limiter=rate_limiter,
                clock=clock,
                started_at=clock(),
                node=NodeMonitor(settings.node_id, clock(), clock),
                metrics=metrics,
                bots=BotRunner(lambda: services.settings.public_url),
                matchmaker=Matchmaker(
                    service,
                    quick_play_pool,
                    store,
                    clock,
                    settings=partial(_table_settings, settings),
                    wait_s=settings.quick_play_wait_s,
                    new_code=new_join_code,
                    metrics=metrics,
                ),
                hubs=Hubs(
                    service,
                    settings.node_id,
                    partial(FrameRenderer, clock=clock),
                    observe_broadcast=metrics.move_broadcast.observe,
                    max_viewers_per_player=settings.max_sockets_per_seat,
                ),
                leaderboards=leaderboards,
            )
            app = create_app(services)
            config = HypercornConfig()
            config.bind = [f"{settings.host}:{settings.port}"]
            config.graceful_timeout = settings.shutdown_timeout_s
            guard_hypercorn(
                config, max_message_bytes=16 * settings.max_message_bytes, send_timeout_s=settings.send_timeout_s
            )
            config.accesslog = None
            config.errorlog = logging.getLogger("hypercorn.error")  # through our logging setup, not a second handler

            stop_by = math.inf

            async def drain_then_stop() -> None:
                nonlocal stop_by
                await shutdown_trigger()
                stop_by = trio.current_time() + settings.shutdown_timeout_s
                services.node.stop()  # refuse new sockets, close the open ones with 1001
                services.bots.stop()

            timers, reports, recording, sweeps = (trio.CancelScope() for _ in range(4))
            async with trio.open_nursery() as background:
                background.start_soon(_run_within, recording, recorder.run)
                background.start_soon(_run_within, reports, partial(services.node.run, service.live))
                background.start_soon(
                    _run_within, timers, partial(run_timers, service, clock, node=settings.node_id, metrics=metrics)
                )
                await background.start(services.bots.run)
                await background.start(services.hubs.run)
                lost_interval_s = settings.lost_session_check_s
                background.start_soon(
                    _run_within,
                    sweeps,
                    partial(run_sweeper, store, live, clock, interval_s=lost_interval_s, metrics=metrics),
                )
                async with trio.open_nursery() as server:
                    upgrades = websocket_routes(services)
                    serve = partial(serve_edge, app, config, settings, metrics, drain_then_stop, upgrades=upgrades)
                    binds = await server.start(serve)
                    if not settings.public_url or settings.port == 0:
                        services.settings = replace(settings, public_url=binds[0])
                    log.info("checkgame %s listening on %s", settings.node_id, ", ".join(binds))
                    task_status.started(services)
                # Hypercorn has returned: connections are closed and in-flight requests answered.
                timers.cancel()
                reports.cancel()
                services.hubs.stop()
                sweeps.cancel()
                recorder.close()  # it writes what is queued and returns; with the database down, it is cut off here
                now = trio.current_time()  # and logs what it could not write
                recording.deadline = max(min(stop_by, now + settings.shutdown_timeout_s), now + RECORDER_FLUSH_MIN_S)


async def _migrate_embedded(store: Store, settings: Settings) -> None:
    """The embedded default migrates itself; a production node never does (``checkgame migrate`` is a release
    step, run once, not by every node at once), and answers /ready with 503 until it has run."""
    if not settings.production:
        applied = await store.migrate()
        if applied:
            log.info("applied database migrations %s", applied)
    elif pending := await store.pending_migrations():
        log.warning("database migrations %s are pending: /ready answers 503 until `checkgame migrate` runs", pending)


def _metrics(settings: Settings) -> Metrics:
    """This node's metrics, labelled with what it runs."""
    metrics = Metrics()
    database = settings.database_url.partition(":")[0]
    live = "redis" if settings.redis_url else "memory"
    metrics.build_info.info(
        {"version": __version__, "node": settings.node_id, "database": database, "live": live, "role": settings.role}
    )
    return metrics


@asynccontextmanager
async def _open_live(
    settings: Settings, clock: Callable[[], float]
) -> AsyncIterator[tuple[LiveStore, RateLimiter, LeaderboardCache, QuickPlayPool]]:
    """Live state, rate limits, cached leaderboards and the quick-play pool: in this process's memory, or shared
    by every node through Redis."""
    if not settings.redis_url:
        yield MemoryLiveStore(), MemoryRateLimiter(clock), MemoryLeaderboardCache(clock), MemoryQuickPlayPool(clock)
        return
    async with open_redis_live_store(settings.redis_url, client_name=f"checkgame:{settings.node_id}") as live:
        client = live.client
        yield live, RedisRateLimiter(client, clock), RedisLeaderboardCache(client), RedisQuickPlayPool(client)


def _table_settings(settings: Settings, max_players: int) -> SessionSettings:
    """The live settings of a new table: its size, and this server's timings."""
    return SessionSettings(
        max_players=max_players,
        turn_timeout_s=settings.turn_timeout_s,
        next_game_delay_s=settings.next_game_delay_s,
        grace_s=settings.grace_s,
        waiting_idle_s=settings.waiting_idle_s,
    )


def _play_computers(services: Services, effect: ComputersSeated) -> None:
    """Run the computer players a quick-play table seated when its wait ended (on the node whose timer did it).

    If this node dies right after, they never connect: the grace period then drops them like any absent player.
    """
    for player_id, name in effect.players:
        if not services.bots.accepting:
            log.warning("computer player %s of session %s not started: shutting down", player_id, effect.session_id)
            continue
        token = services.tokens.issue_session(player_id, effect.session_id, name, None, services.clock())
        services.bots.start(effect.session_id, player_id, token, name)


async def _acknowledge_recorded(service: SessionService, result: GameResult | TournamentResult) -> None:
    """Tell the session a result is durable (a session gone meanwhile has nobody to tell)."""
    with contextlib.suppress(ClientError, LiveStateError):
        await service.execute(result.session_id, Recorded(result_id(result)))


async def _run_within(scope: trio.CancelScope, task: Callable[[], Awaitable[None]]) -> None:
    with scope:
        await task()
