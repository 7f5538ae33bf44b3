"""A worker process: plays its share of the tables and reports a JSON line every second on stdout.

Started by :mod:`checkgame.loadtest.run` as ``python -m checkgame.loadtest.worker <index> <plan JSON>``;
it stops when its standard input closes, after one last line marked ``"final": true``.
Several workers use both cores and stay under the per-process file limit.
"""

from __future__ import annotations

import json
import os
import resource
import secrets
import sys
from typing import Any

import httpx
import trio

from checkgame.collector import CollectorSchedule
from checkgame.loadtest.plan import Plan
from checkgame.loadtest.procstat import own_cpu_s, run_queue_wait_s
from checkgame.loadtest.table import Account, Counters, EchoTable, GameTable

__all__ = ["raise_file_limit", "run_worker"]

KEEPALIVE_S = 2.0
"""Reuse an idle REST connection only this long: well before the server's 5 s keep-alive timeout closes it, or a
request sent as it closes fails (httpx's default expiry is also 5 s; at 2,500 players 12 calls failed so)."""


def raise_file_limit() -> int:
    """Lift the soft limit on open files to the hard one: each connection is a file. Returns the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def snapshot(counters: Counters, *, final: bool = False) -> dict[str, Any]:
    """The counters as one report line; the latencies are handed over (and cleared)."""
    latencies, counters.latencies_ms = counters.latencies_ms, []
    return {
        "connected": counters.connected,
        "playing": counters.playing,
        "actions": counters.actions,
        "frames": counters.frames,
        "messages": counters.messages,
        "tournaments": counters.tournaments,
        "reconnects": counters.reconnects,
        "incomplete": counters.incomplete,
        "errors": dict(counters.errors),
        "latencies": [round(v, 3) for v in latencies],
        "cpu_s": round(own_cpu_s(), 3),
        "wait_s": round(run_queue_wait_s(), 3),
        "final": final,
    }


async def _report_every_second(counters: Counters) -> None:
    while True:
        await trio.sleep(1.0)
        print(json.dumps(snapshot(counters)), flush=True)


async def _until_stdin_closes() -> None:
    stdin = trio.lowlevel.FdStream(os.dup(sys.stdin.fileno()))
    async with stdin:
        while await stdin.receive_some(1024):
            pass


async def _start_at(delay: float, table: GameTable | EchoTable) -> None:
    await trio.sleep(delay)
    await table.run()


async def run_worker(plan: Plan, index: int) -> Counters:
    """Play this worker's tables until stdin closes."""
    counters = Counters()
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64, keepalive_expiry=KEEPALIVE_S)
    async with httpx.AsyncClient(base_url=plan.url, limits=limits, timeout=60) as http:
        account = Account(f"load-{plan.run_id}-{index}", secrets.token_urlsafe(12))
        tables: list[GameTable | EchoTable] = []
        for number in plan.tables_of(index):
            seats = plan.seats_of(number)
            if plan.echo:
                tables.append(EchoTable(plan, number, seats, counters))
            else:
                tables.append(GameTable(plan, number, seats, http, account, counters))
        async with trio.open_nursery() as nursery:
            nursery.start_soon(_report_every_second, counters)
            for number, table in zip(plan.tables_of(index), tables, strict=True):
                nursery.start_soon(_start_at, plan.start_offset_s(number), table)
            await _until_stdin_closes()
            nursery.cancel_scope.cancel()
    return counters


async def _run_collected(plan: Plan, index: int) -> Counters:
    """:func:`run_worker` with the server's collector schedule: the generator holds as many connections as the
    server, and its own collector pauses would otherwise show up in the latencies it reports."""
    async with trio.open_nursery() as process:
        await process.start(CollectorSchedule().run)
        counters = await run_worker(plan, index)
        process.cancel_scope.cancel()
    return counters


def main() -> None:
    raise_file_limit()
    index, plan = int(sys.argv[1]), Plan.from_json(sys.argv[2])
    counters = trio.run(_run_collected, plan, index)
    print(json.dumps(snapshot(counters, final=True)), flush=True)


if __name__ == "__main__":
    main()
