"""Leaderboard read latency: ``GET /api/v1/leaderboard`` on a real ``checkgame serve`` node (figures, never a test).

Seeds 1,000 rated players (250 tables of 4 registered players, 3 rated games each) into the node's SQLite
database, then times, from one client on this machine:

* **warm**: sequential reads served from the cache (memory, or Redis with ``--redis``), alternating
  ``period=all`` and ``period=month``, ``limit=100``;
* **warm, concurrent**: the same from 16 clients at once;
* **cold** (``--redis`` only): each read after deleting the cached boards, so it reads the database and refills
  the cache;
* **baseline**: ``GET /sessions?limit=1`` interleaved with the warm reads, the same client at the same moment;
* **server mean**: the node's own time per request during the sequential warm reads, from its metrics;
* **store**: the leaderboard query itself (both periods), called on the database from this process.

Usage: ``python bench/leaderboard_bench.py [--players 1000] [--reads 2000] [--redis redis://127.0.0.1:6379/0]
[--out bench/results/leaderboard.json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import coredis
import httpx
import trio

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checkgame.leaderboard import CACHED_ROWS, month_start
from checkgame.store import open_store
from checkgame.store.base import GameResult, SessionPlayer, SessionRecord, Store, User

TABLE = 4
GAMES_PER_TABLE = 3
CLIENTS = 16


def percentiles(samples_s: list[float]) -> dict[str, float]:
    """p50, p99 and max in milliseconds."""
    ordered = sorted(samples_s)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return {
        "n": len(ordered),
        "p50_ms": round(cuts[49] * 1000, 3),
        "p99_ms": round(cuts[98] * 1000, 3),
        "max_ms": round(ordered[-1] * 1000, 3),
    }


async def seed(store: Store, players: int) -> None:
    """``players`` registered players, each rated in ``GAMES_PER_TABLE`` games at a table of ``TABLE``."""
    now = datetime.now(UTC)
    for n in range(players):
        await store.create_user(User(f"u{n:05d}", f"player{n:05d}", f"p{n}@bench.test", "-", "player", now))
    for t in range(players // TABLE):
        sid = f"s{t:05d}"
        await store.create_session(SessionRecord(sid, f"B{t:05d}", "bench", f"u{t * TABLE:05d}", TABLE, False,
                                                 "playing", now))  # fmt: skip
        seated = [f"p{t * TABLE + k}" for k in range(TABLE)]
        for k, player in enumerate(seated):
            await store.add_session_player(SessionPlayer(sid, player, player, k, f"u{t * TABLE + k:05d}", now))
        for g in range(1, GAMES_PER_TABLE + 1):
            order = tuple(seated[(k + g + t) % TABLE] for k in range(TABLE))  # a different order each game
            end = now - timedelta(minutes=g)
            await store.record_game(GameResult(f"{sid}-{g}", sid, g, g, 5, order, order[0], end, end, order[-1],
                                               order, "last_card"))  # fmt: skip


def start_node(data: Path, redis_url: str) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "CHECKGAME_DATA_DIR": str(data), "CHECKGAME_JWT_SECRET": "bench-secret-0123456789abcdefghij",
           "CHECKGAME_REQUESTS_PER_MIN": "10000000", "CHECKGAME_LOG_LEVEL": "warning",
           "CHECKGAME_NODE_ID": "bench-lb", "REDIS_URL": redis_url}  # fmt: skip
    process = subprocess.Popen([sys.executable, "-m", "checkgame", "serve", "--host", "127.0.0.1", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)  # fmt: skip
    assert process.stdout is not None
    for line in process.stdout:
        found = re.match(r"Play in your browser: (http://\S+?)/?$", line.strip())
        if found:
            return process, found.group(1)
    raise SystemExit("the node did not start")


async def timed_reads(
    http: httpx.AsyncClient, reads: int, before: Any = None, baseline: list[float] | None = None
) -> list[float]:
    """Time ``reads`` leaderboard reads; with ``baseline``, also time a ``GET /sessions?limit=1`` after each
    (a small database-backed read: on a shared machine only the ratio of the two means much)."""
    samples = []
    for i in range(reads):
        if before is not None:
            await before()
        period = "all" if i % 2 == 0 else "month"
        started = time.perf_counter()
        response = await http.get("/leaderboard", params={"period": period, "limit": CACHED_ROWS})
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
        assert len(response.json()["items"]) == CACHED_ROWS
        if baseline is not None:
            started = time.perf_counter()
            response = await http.get("/sessions", params={"limit": 1})
            baseline.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text
    return samples


async def measure(url: str, reads: int, redis_url: str) -> dict[str, Any]:
    results: dict[str, Any] = {}
    limits = httpx.Limits(max_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=url + "/api/v1", timeout=30, limits=limits) as http:
        await timed_reads(http, 50)  # warm up: connections, the cache
        baseline: list[float] = []
        before = await server_totals(http)
        results["warm"] = percentiles(await timed_reads(http, reads, baseline=baseline))
        results["baseline_sessions_list"] = percentiles(baseline)
        after = await server_totals(http)
        results["warm_server_mean_ms"] = server_means(before, after)
        concurrent: list[float] = []

        async def client() -> None:
            concurrent.extend(await timed_reads(http, reads // CLIENTS))

        async with trio.open_nursery() as nursery:
            for _ in range(CLIENTS):
                nursery.start_soon(client)
        results[f"warm_{CLIENTS}_clients"] = percentiles(concurrent)
        if redis_url:
            month = f"month:{month_start(time.time()):%Y-%m}"
            keys = [k for board in ("all", month) for k in (f"{{cg:lb:{board}}}", f"{{cg:lb:{board}}}:rows")]
            async with coredis.Redis.from_url(redis_url) as redis:

                async def forget() -> None:
                    await redis.delete(keys)

                results["cold"] = percentiles(await timed_reads(http, min(reads, 400), forget))
    return results


def server_means(before: dict[str, dict[str, float]], after: dict[str, dict[str, float]]) -> dict[str, float]:
    """Milliseconds per request by API route between two :func:`server_totals` readings."""
    means = {}
    for route, total in after.items():
        earlier = before.get(route, {})
        count = total["count"] - earlier.get("count", 0.0)
        if route.startswith("/api/") and count > 0:
            means[route] = round((total["sum"] - earlier.get("sum", 0.0)) / count * 1000, 3)
    return means


async def server_totals(http: httpx.AsyncClient) -> dict[str, dict[str, float]]:
    """The node's own time answering 200s, by route (``http_request_duration_seconds`` sum and count): the
    difference of two readings gives the server's mean per request between them, without the client."""
    text = (await http.get(str(http.base_url).removesuffix("/api/v1/") + "/metrics")).text
    totals: dict[str, dict[str, float]] = {}
    for line in text.splitlines():
        found = re.match(
            r'http_request_duration_seconds_(sum|count)\{.*route="([^"]+)".*status_code="200"\} (\S+)', line
        )
        if found:
            kind, route, value = found.groups()
            totals.setdefault(route, {}).setdefault(kind, 0.0)
            totals[route][kind] += float(value)
    return totals


async def store_reads(database_url: str, reads: int) -> dict[str, Any]:
    async with open_store(database_url) as store:
        since = month_start(time.time())
        samples = {"all": [], "month": []}  # type: dict[str, list[float]]
        for i in range(reads):
            period = "all" if i % 2 == 0 else "month"
            started = time.perf_counter()
            rows = await store.leaderboard(since=None if period == "all" else since, limit=CACHED_ROWS)
            samples[period].append(time.perf_counter() - started)
            assert len(rows) == CACHED_ROWS
    return {f"store_{period}": percentiles(s) for period, s in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--players", type=int, default=1000)
    parser.add_argument("--reads", type=int, default=2000)
    parser.add_argument("--redis", default="", help="a Redis URL: the node caches the boards there")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        database_url = f"sqlite:///{data / 'checkgame.db'}"
        trio.run(_seed_fresh, database_url, args.players)
        if args.redis:
            trio.run(_forget_boards, args.redis)
        process, url = start_node(data, args.redis)
        try:
            report = {"players": args.players, "cache": "redis" if args.redis else "memory", "database": "sqlite",
                      **trio.run(measure, url, args.reads, args.redis)}  # fmt: skip
        finally:
            process.terminate()
            process.wait(timeout=30)
        report.update(trio.run(store_reads, database_url, 400))
    print(json.dumps(report, indent=2))
    if args.out is not None:
        args.out.write_text(json.dumps(report, indent=2) + "\n")


async def _seed_fresh(database_url: str, players: int) -> None:
    async with open_store(database_url, migrate=True) as store:
        await seed(store, players)


async def _forget_boards(redis_url: str) -> None:
    """Boards left by an earlier run (another database) must not be served."""
    async with coredis.Redis.from_url(redis_url) as redis:
        keys = [key async for key in redis.scan_iter(match="{cg:lb:*")]
        if keys:
            await redis.delete(keys)


if __name__ == "__main__":
    main()
