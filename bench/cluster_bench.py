"""Cluster benchmark: two nodes behind nginx on PostgreSQL and Redis (the setup of tests/cluster).

Measures, with real processes on this machine:

1. the time from a move (sent by a player connected to one node) to its broadcast reaching a player
   connected to the *other* node: median, p95, p99, max;
2. what one move costs in Redis round trips (every command the nodes send, read from Redis MONITOR
   in a separate run, leaving out what scripts run inside Redis and the timers' background);
3. what happens to in-flight games when a node is killed with SIGKILL: how long its players take to
   be playing again on the other node, and whether every game still ends normally.

    python bench/cluster_bench.py [--sessions 20] [--kill-sessions 6] [--json results.json]

Figures only: nothing here passes or fails on speed. Needs PostgreSQL, Redis and nginx as the cluster
tests do (CHECKGAME_TEST_POSTGRES_URL / CHECKGAME_TEST_REDIS_URL to use other servers).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import trio
from trio_websocket import ConnectionClosed

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checkgame.bots.table import BotPlayer
from tests.cluster.conftest import FAST, REDIS_TEST_DB
from tests.cluster.harness import Cluster, drop_postgres_database, fresh_postgres_database
from tests.integration.conftest import Seat, connect_url, create_session, join_as_guest, register
from tests.support.services import POSTGRES_URL, REDIS_URL

MOVES = ("card_played", "card_drawn", "suit_chosen")


class Player:
    """A bot playing as fast as the game lets it, stamping when it sends and when it receives."""

    def __init__(self, base_url: str, seat: Seat, number: int, think_s: float = 0.0) -> None:
        self.base_url, self.seat, self.think_s = base_url, seat, think_s
        self.bot = BotPlayer(f"p{number}", rng=random.Random(number))
        self.sent: list[float] = []
        """Monotonic time of each move this player sent (in order)."""
        self.seen: dict[str, list[float]] = {}
        """Per mover: monotonic time each of their moves reached this player."""
        self.node = ""
        self.lost_at: float | None = None
        self.back_at: float | None = None
        self.ready = trio.Event()

    async def run(self) -> None:
        while not self.bot.done:
            last = self.bot.last_seq if self.bot.last_seq >= 0 else None
            try:
                async with connect_url(self.base_url, self.seat, last) as client:
                    while not self.bot.done:
                        frame = await client.receive()
                        now = time.monotonic()
                        if frame["type"] == "connection_established":
                            self.node = frame["data"]["node"]
                        if frame["type"] == "session_state":
                            self.ready.set()
                        if frame.get("seq") is not None and self.lost_at is not None and self.back_at is None:
                            self.back_at = now
                        if frame["type"] in MOVES and frame.get("seq", -1) > self.bot.last_seq:
                            self.seen.setdefault(frame["data"]["player"], []).append(now)
                        reply = self.bot.handle(frame)
                        if reply is not None:
                            if self.think_s:
                                await trio.sleep(self.think_s)
                                if not self.bot.still_wants(self.bot.epoch):
                                    continue
                            self.sent.append(time.monotonic())
                            await client.ws.send_message(json.dumps(reply))
            except ConnectionClosed:
                if self.lost_at is None:
                    self.lost_at = time.monotonic()
                await trio.sleep(0.02)


async def table_of_two(http: httpx.AsyncClient, base_url: str, think_s: float) -> list[Player]:
    owner = await register(http)
    table = await create_session(http, owner, max_players=2)
    guest = await join_as_guest(http, table.code, "Guest")
    return [Player(base_url, table, 1, think_s), Player(base_url, guest, 2, think_s)]


async def play_sessions(
    cluster: Cluster, count: int, *, think_s: float = 0.0, kill_after_s: float | None = None
) -> dict[str, Any]:
    """Play ``count`` 2-player sessions at once; nginx's round-robin puts the two players of each on both nodes."""
    async with httpx.AsyncClient(base_url=cluster.url + "/api/v1", timeout=30) as http:
        tables = [await table_of_two(http, cluster.url, think_s) for _ in range(count)]
        killed_at: float | None = None
        started = time.monotonic()
        async with trio.open_nursery() as nursery:
            for players in tables:
                for player in players:
                    nursery.start_soon(player.run)
                    await player.ready.wait()
                creator = players[0].seat
                response = await http.post(
                    f"/sessions/{creator.session_id}/games/start", headers={"Authorization": f"Bearer {creator.token}"}
                )
                response.raise_for_status()
            if kill_after_s is not None:
                await trio.sleep(kill_after_s)
                victim = cluster.nodes[0]
                killed_at = time.monotonic()
                await trio.to_thread.run_sync(cluster.kill, victim)
        elapsed = time.monotonic() - started
        games = [(await http.get(f"/sessions/{p[0].seat.session_id}/games")).json()["items"] for p in tables]
    latencies = []
    for players in tables:
        for mover, watcher in ((players[0], players[1]), (players[1], players[0])):
            if mover.node == watcher.node:
                continue  # only broadcasts that crossed from one node to the other
            arrivals = watcher.seen.get(mover.seat.player_id, [])
            latencies += [(a - s) * 1000 for s, a in zip(mover.sent, arrivals, strict=False) if a >= s]
    result: dict[str, Any] = {
        "sessions": count,
        "moves": sum(len(p.sent) for players in tables for p in players),
        "elapsed_s": round(elapsed, 2),
        "cross_node_latency_ms": summary(latencies),
        "game_end_reasons": sorted({g["reason"] for items in games for g in items}),
        "games_recorded": sum(len(items) for items in games),
    }
    if killed_at is not None:
        hit = [p for players in tables for p in players if p.lost_at is not None]
        result["killed_node_players"] = len(hit)
        result["back_playing_after_ms"] = summary([(p.back_at - killed_at) * 1000 for p in hit if p.back_at])
        result["all_tournaments_finished"] = all(p.bot.done for players in tables for p in players)
    return result


def summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)

    def pct(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {"n": len(values), "p50": round(statistics.median(values), 2), "p95": pct(0.95), "p99": pct(0.99),
            "max": round(ordered[-1], 2)}  # fmt: skip


def start_cluster(workdir: Path, extra: dict[str, str]) -> tuple[Cluster, str]:
    redis_url = f"{REDIS_URL.rsplit('/', 1)[0]}/{REDIS_TEST_DB}"
    subprocess.run(["redis-cli", "-u", redis_url, "flushdb"], check=True, capture_output=True)
    database_url, name = fresh_postgres_database(POSTGRES_URL)
    cluster = Cluster(workdir, database_url, redis_url, settings={**FAST, **extra})
    cluster.start(2)
    return cluster, name


def round_trips(cluster: Cluster, sessions: int) -> dict[str, Any]:
    """Redis commands sent by the nodes per move, read from MONITOR (commands run inside scripts excluded)."""
    log = cluster.workdir / "monitor.log"
    with log.open("w") as out:
        monitor = subprocess.Popen(["redis-cli", "-u", cluster.redis_url, "monitor"], stdout=out)
        time.sleep(0.5)
        run = trio.run(play_sessions, cluster, sessions)
        time.sleep(0.5)
        monitor.terminate()
        monitor.wait()
    per_command: dict[str, int] = {}
    for line in log.read_text().splitlines():
        if " lua]" in line or '"' not in line:
            continue  # run by a script, or not a command
        words = line.split('"')[1::2]
        name = words[0].lower()
        first_key = words[3] if name == "evalsha" and len(words) > 3 else (words[1] if len(words) > 1 else "")
        if first_key.endswith((":deadlines", ":nodes")) or name in ("select", "ping", "info"):
            continue  # the timers' claims and the heartbeats run whether or not anybody moves
        per_command[name] = per_command.get(name, 0) + 1
    moves = run["moves"]
    return {
        "moves": moves,
        "per_move": round(sum(per_command.values()) / moves, 3),
        "by_command": {k: round(v / moves, 3) for k, v in sorted(per_command.items())},
        "note": "includes joins, connects, starts and game ends, spread over the moves",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20, help="concurrent 2-player sessions for the latency run")
    parser.add_argument("--think", type=float, default=0.0, help="seconds before each move (0: flat out)")
    parser.add_argument("--kill-sessions", type=int, default=6, help="sessions in flight when a node is killed")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    results: dict[str, Any] = {
        "machine": f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores",
    }
    with tempfile.TemporaryDirectory() as tmp:
        cluster, name = start_cluster(Path(tmp) / "latency", {})
        try:
            results["latency"] = trio.run(lambda: play_sessions(cluster, args.sessions, think_s=args.think))
            results["latency"]["think_s"] = args.think
            results["redis_round_trips"] = round_trips(cluster, max(2, args.sessions // 5))
        finally:
            cluster.stop()
            drop_postgres_database(POSTGRES_URL, name)
        cluster, name = start_cluster(Path(tmp) / "kill", {})
        try:
            results["kill_9"] = trio.run(
                lambda: play_sessions(cluster, args.kill_sessions, think_s=0.2, kill_after_s=1.5)
            )
        finally:
            cluster.stop()
            drop_postgres_database(POSTGRES_URL, name)
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
