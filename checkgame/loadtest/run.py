"""The parent of a load test: start the workers, follow them, measure one window, report.

The window opens once every player is connected and every table is playing
(or when the ramp and a minute of grace have passed, so a run that cannot
seat everybody still reports what it reached) and lasts ``duration_s``.
Latencies, actions, CPU and memory are taken over that window only; errors
and reconnects are counted over the whole run, setup included.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from typing import Any, TextIO

import httpx
import trio

from checkgame.loadtest.plan import Plan
from checkgame.loadtest.procstat import MetricsProbe, Probe, ProcessProbe, Sample, gc_pauses
from checkgame.loadtest.progress import ProgressLine
from checkgame.loadtest.report import ceiling_fraction
from checkgame.loadtest.servers import start_servers
from checkgame.loadtest.stats import summarize

__all__ = ["machine", "measure", "run_all", "run_one"]

SEATING_GRACE_S = 60.0
"""How long after the ramp the window waits for the last players before it opens anyway."""
REST_PROBE_INTERVAL_S = 0.1
"""How often the parent times a REST read while the players play."""


@dataclass
class _Worker:
    process: trio.Process
    last: dict[str, Any] = field(default_factory=dict)
    final: bool = False


@dataclass
class _Window:
    """What the window collects while it is open."""

    open: bool = False
    latencies: list[float] = field(default_factory=list)
    recent: list[float] = field(default_factory=list)
    """The latencies of the last second, for the progress line."""
    rest: list[float] = field(default_factory=list)
    rest_failures: int = 0


def machine() -> dict[str, Any]:
    """The machine and how busy it already is (a shared machine's figures must say so)."""
    model = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "")
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpuModel": model,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "kernel": platform.release(),
        "loadAverage": [round(v, 2) for v in os.getloadavg()],
    }


def _totals(workers: list[_Worker]) -> dict[str, Any]:
    lines = [w.last for w in workers if w.last]
    errors: dict[str, int] = {}
    for line in lines:
        for kind, count in line["errors"].items():
            errors[kind] = errors.get(kind, 0) + count
    total = {
        key: sum(line[key] for line in lines)
        for key in ("connected", "playing", "actions", "frames", "messages", "tournaments")
    }
    total.update({key: sum(line[key] for line in lines) for key in ("reconnects", "incomplete", "cpu_s", "wait_s")})
    total["errors"] = errors
    return total


async def _follow(worker: _Worker, window: _Window) -> None:
    assert worker.process.stdout is not None
    buffer = b""
    async for chunk in worker.process.stdout:
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for raw in lines:
            line = json.loads(raw)
            worker.last, worker.final = line, bool(line["final"])
            window.recent.extend(line["latencies"])
            if window.open:
                window.latencies.extend(line["latencies"])


async def _probe_rest(url: str, window: _Window) -> None:
    """Time a public REST read (the session list) while the window is open: the plan's "API under 200 ms"."""
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        while True:
            started = time.perf_counter()
            try:
                ok = (await http.get("/api/v1/sessions", params={"limit": 20})).status_code == 200
            except httpx.HTTPError:
                ok = False
            if window.open:
                if ok:
                    window.rest.append(1000 * (time.perf_counter() - started))
                else:
                    window.rest_failures += 1
            await trio.sleep(REST_PROBE_INTERVAL_S)


async def measure(plan: Plan, probe: Probe, helpers: dict[str, Probe], progress: TextIO | None) -> dict[str, Any]:
    """Run ``plan`` against a running server and return the results (see docs/performance.md for the fields)."""
    baseline = await probe.sample()
    workers = []
    window = _Window()
    started = time.monotonic()
    async with trio.open_nursery() as nursery:
        for index in range(plan.workers):
            process = await trio.lowlevel.open_process(
                [sys.executable, "-m", "checkgame.loadtest.worker", str(index), plan.to_json()],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
            workers.append(_Worker(process))
            nursery.start_soon(_follow, workers[-1], window)

        progress_line = ProgressLine(plan, probe, progress) if progress is not None else None

        async def report(phase: str) -> None:
            if progress_line is not None:
                await progress_line.show(phase, _totals(workers), window.recent)
            window.recent = []

        seating_deadline = started + plan.ramp_s + SEATING_GRACE_S
        while True:  # seating
            await trio.sleep(1.0)
            await report("seating")
            totals = _totals(workers)
            seated = totals["connected"] >= plan.players and totals["playing"] >= plan.tables
            if seated or time.monotonic() > seating_deadline:
                break
        window.open = True
        rest_probe = trio.CancelScope()
        if not plan.echo:  # the echo route has no API, and a REST request would count as the transport's cost
            nursery.start_soon(_run_within, rest_probe, partial(_probe_rest, plan.url, window))
        opened_at, server_before, helpers_before = time.monotonic(), await probe.sample(), await _sample_all(helpers)
        gc_before = await gc_pauses(plan.url)
        before = _totals(workers)
        while time.monotonic() < opened_at + plan.duration_s:
            await trio.sleep(min(1.0, opened_at + plan.duration_s - time.monotonic()))
            await report("measuring")
        window.open = False
        rest_probe.cancel()
        seconds = time.monotonic() - opened_at
        server_after, helpers_after = await probe.sample(), await _sample_all(helpers)
        gc_after = await gc_pauses(plan.url)
        after = _totals(workers)
        if progress_line is not None:
            progress_line.end()
        for worker in workers:
            assert worker.process.stdin is not None
            await worker.process.stdin.aclose()
        with trio.move_on_after(30):
            for worker in workers:
                await worker.process.wait()
        for worker in workers:
            if worker.process.returncode is None:
                worker.process.kill()
    final = _totals(workers)
    connected = after["connected"]
    server_cpu = (server_after.cpu_s - server_before.cpu_s) / seconds
    client_cpu = (after["cpu_s"] - before["cpu_s"]) / seconds
    window_actions = after["actions"] - before["actions"]
    window_frames = after["frames"] - before["frames"]
    window_messages = after["messages"] - before["messages"]
    return {
        "plan": asdict(plan),
        "seatedAllPlayers": bool(before["connected"] >= plan.players),
        "windowSeconds": round(seconds, 2),
        "playersConnected": connected,
        "tablesPlaying": after["playing"],
        "actions": window_actions,
        "actionsPerSecond": round(window_actions / seconds, 1),
        "framesPerSecond": round(window_frames / seconds, 1),
        "messagesPerSecond": round(window_messages / seconds, 1),
        "latencyMs": summarize(window.latencies),
        "restLatencyMs": summarize(window.rest),
        "restFailures": window.rest_failures,
        "errors": final["errors"],
        "errorCount": sum(final["errors"].values()),
        "reconnects": final["reconnects"],
        "incompleteActions": final["incomplete"],
        "tournamentsFinished": final["tournaments"],
        "server": {
            "processes": len(probe.pids) if isinstance(probe, ProcessProbe) else 1,
            "cpuPercent": round(100 * server_cpu, 1),
            "cpuWaitPercent": round(100 * (server_after.wait_s - server_before.wait_s) / seconds, 1),
            "cpuMsPerAction": round(1000 * server_cpu * seconds / window_actions, 3) if window_actions else None,
            "cpuUsPerFrameSent": round(1e6 * server_cpu * seconds / window_frames, 1) if window_frames else None,
            "cpuUsPerMessageSent": round(1e6 * server_cpu * seconds / window_messages, 1) if window_messages else None,
            "rssBytes": server_after.rss_bytes,
            "rssBaselineBytes": baseline.rss_bytes,
            "rssPerConnectionBytes": round((server_after.rss_bytes - baseline.rss_bytes) / connected)
            if connected
            else None,
            "gcPauses": gc_after.since(gc_before) if gc_before and gc_after else None,
        },
        "client": {
            "workers": plan.workers,
            "cpuPercent": round(100 * client_cpu, 1),
            "cpuWaitPercent": round(100 * (after["wait_s"] - before["wait_s"]) / seconds, 1),
        },
        "helpers": {
            name: {
                "cpuPercent": round(100 * (helpers_after[name].cpu_s - helpers_before[name].cpu_s) / seconds, 1),
                "rssBytes": helpers_after[name].rss_bytes,
            }
            for name in helpers
        },
    }


async def _run_within(scope: trio.CancelScope, task: Callable[[], Awaitable[None]]) -> None:
    with scope:
        await task()


async def _sample_all(probes: dict[str, Probe]) -> dict[str, Sample]:
    return {name: await probe.sample() for name, probe in probes.items()}


def run_all(
    plan: Plan,
    *,
    start: str | None,
    echo: bool,
    postgres_url: str,
    redis_url: str,
    progress: TextIO | None,
    server_pids: list[int] | None = None,
) -> dict[str, Any]:
    """Measure the echo ceiling (``echo``), then the game, each on a server of its own when ``start`` is given
    (so neither inherits the other's memory or leftover work), else both on ``plan.url``."""
    result = {"machine": machine(), "start": start or "url"}
    ceiling = run_one(replace(plan, echo=True), start, postgres_url, redis_url, progress, server_pids) if echo else None
    result.update(run_one(plan, start, postgres_url, redis_url, progress, server_pids))
    if ceiling is not None:
        result["echo"] = ceiling
        result["ceilingFraction"] = ceiling_fraction(result, ceiling)
    return result


def run_one(
    plan: Plan,
    start: str | None,
    postgres_url: str,
    redis_url: str,
    progress: TextIO | None,
    server_pids: list[int] | None,
) -> dict[str, Any]:
    """Measure ``plan`` on a server of its own (a :func:`start_servers` mode), else on ``plan.url``."""
    with contextlib.ExitStack() as stack:
        probe: Probe
        helpers: dict[str, Probe] = {}
        if start is not None:
            target = stack.enter_context(start_servers(start, postgres_url=postgres_url, redis_url=redis_url))
            plan = replace(plan, url=target.url)
            probe = ProcessProbe(target.pids)
            helpers = {name: ProcessProbe(pids) for name, pids in target.helper_pids.items() if pids}
        else:
            probe = ProcessProbe(server_pids) if server_pids else MetricsProbe(plan.url)
        return trio.run(measure, plan, probe, helpers, progress)
