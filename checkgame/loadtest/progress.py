"""The live progress line: where the run is, second by second, server and load generator side by side."""

from __future__ import annotations

import time
from typing import Any, TextIO

from checkgame.loadtest.plan import Plan
from checkgame.loadtest.procstat import Probe, Sample
from checkgame.loadtest.stats import summarize

__all__ = ["ProgressLine"]


class ProgressLine:
    """Rates over the last interval: actions/s, p99 of the latencies that arrived, CPU of both sides."""

    def __init__(self, plan: Plan, probe: Probe, out: TextIO) -> None:
        self.plan, self.probe, self.out = plan, probe, out
        self._started = self._at = time.monotonic()
        self._actions, self._client_cpu_s = 0, 0.0
        self._server: Sample | None = None

    async def show(self, phase: str, totals: dict[str, Any], recent: list[float]) -> None:
        now, server = time.monotonic(), await self.probe.sample()
        interval = max(now - self._at, 1e-6)
        previous = self._server or server
        server_cpu = 100 * (server.cpu_s - previous.cpu_s) / interval
        server_wait = 100 * (server.wait_s - previous.wait_s) / interval
        client_cpu = 100 * (totals["cpu_s"] - self._client_cpu_s) / interval
        rate = (totals["actions"] - self._actions) / interval
        p99 = summarize(recent).get("p99", 0.0)
        line = (
            f"[{phase} {now - self._started:4.0f}s] players {totals['connected']}/{self.plan.players} "
            f"tables {totals['playing']}/{self.plan.tables} | {rate:5.0f} actions/s p99 {p99:6.1f} ms | "
            f"errors {sum(totals['errors'].values())} reconnects {totals['reconnects']} | "
            f"server {server_cpu:3.0f}% (waits {server_wait:3.0f}%) {server.rss_bytes / 1e6:5.0f} MB | "
            f"load generator {client_cpu:3.0f}%"
        )
        self.out.write(f"\r{line}" if self.out.isatty() else f"{line}\n")
        self.out.flush()
        self._at, self._server, self._actions, self._client_cpu_s = now, server, totals["actions"], totals["cpu_s"]

    def end(self) -> None:
        if self.out.isatty():
            self.out.write("\n")
