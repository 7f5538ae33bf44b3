"""The server's CPU time and resident memory: from /proc when we know its PIDs, else from its /metrics."""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from typing import Protocol

import httpx
from prometheus_client.parser import text_string_to_metric_families

__all__ = ["GcPauses", "MetricsProbe", "Probe", "ProcessProbe", "Sample", "gc_pauses", "own_cpu_s", "run_queue_wait_s"]

_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE = resource.getpagesize()


@dataclass(frozen=True)
class Sample:
    """Cumulative CPU seconds and current resident bytes, summed over the server's processes."""

    cpu_s: float
    rss_bytes: int
    wait_s: float = 0.0
    """Time spent runnable but waiting for a CPU (the main threads'): how much a busy machine held it back."""


class Probe(Protocol):
    async def sample(self) -> Sample: ...


def own_cpu_s() -> float:
    """CPU seconds this process used so far (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_queue_wait_s(pid: int | str = "self") -> float:
    """Seconds the process's main thread waited in the run queue (``/proc/PID/schedstat``; 0 if unavailable)."""
    try:
        with open(f"/proc/{pid}/schedstat") as schedstat:
            return int(schedstat.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def read_proc(pid: int) -> Sample:
    """One process's figures from /proc (fields 14 and 15 of stat: user and system ticks)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    with open(f"/proc/{pid}/statm") as statm:
        resident_pages = int(statm.read().split()[1])
    return Sample((int(fields[11]) + int(fields[12])) / _TICKS, resident_pages * _PAGE, run_queue_wait_s(pid))


class ProcessProbe:
    """Servers this run started: their PIDs are known, /proc is exact and costs the server nothing."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids

    async def sample(self) -> Sample:
        samples = []
        for pid in self.pids:
            try:
                samples.append(read_proc(pid))
            except (FileNotFoundError, ProcessLookupError):  # a helper's worker that ended
                continue
        return Sample(sum(s.cpu_s for s in samples), sum(s.rss_bytes for s in samples), sum(s.wait_s for s in samples))


class MetricsProbe:
    """A server somewhere else: Prometheus' standard ``process_*`` series of its ``/metrics``.

    Behind a load balancer each scrape reaches one node, so this suits one server; a server without
    ``/metrics`` reads as zeros (the report then says nothing true about it: pass its PID instead).
    """

    def __init__(self, base_url: str) -> None:
        self.url = base_url.rstrip("/") + "/metrics"

    async def sample(self) -> Sample:
        try:
            async with httpx.AsyncClient(timeout=5) as http:
                response = await http.get(self.url)
            response.raise_for_status()
        except httpx.HTTPError:
            return Sample(0.0, 0)
        values: dict[str, float] = {}
        for line in response.text.splitlines():
            name, _, value = line.partition(" ")
            if name in ("process_cpu_seconds_total", "process_resident_memory_bytes"):
                values[name] = float(value)
        return Sample(values.get("process_cpu_seconds_total", 0.0), int(values.get("process_resident_memory_bytes", 0)))


@dataclass(frozen=True)
class GcPauses:
    """The server's garbage-collector pauses so far (``checkgame_gc_pause_seconds``, every generation)."""

    count: int
    seconds: float
    full: int
    """Full (generation 2) collections."""
    over_10ms: int
    """Pauses longer than the 10 ms the collector's p99 should stay under (docs/performance.md)."""
    over_100ms: int

    def since(self, before: GcPauses) -> dict[str, float]:
        """What happened between ``before`` and this reading, for the report."""
        return {
            "count": self.count - before.count,
            "seconds": round(self.seconds - before.seconds, 3),
            "full": self.full - before.full,
            "over10ms": self.over_10ms - before.over_10ms,
            "over100ms": self.over_100ms - before.over_100ms,
        }


async def gc_pauses(base_url: str) -> GcPauses | None:
    """Read the pauses from the server's ``/metrics``; None when it has none (another server, or a proxy)."""
    try:
        async with httpx.AsyncClient(timeout=5) as http:
            response = await http.get(base_url.rstrip("/") + "/metrics")
        response.raise_for_status()
    except httpx.HTTPError:
        return None
    count = full = 0
    under = {0.01: 0, 0.1: 0}  # pauses within 10 ms and within 100 ms: the histogram's cumulative buckets
    seconds = 0.0
    found = False
    for family in text_string_to_metric_families(response.text):
        if family.name != "checkgame_gc_pause_seconds":
            continue
        found = True
        for sample in family.samples:
            if sample.name.endswith("_count"):
                count += int(sample.value)
                full += int(sample.value) if sample.labels["generation"] == "2" else 0
            elif sample.name.endswith("_sum"):
                seconds += sample.value
            elif sample.name.endswith("_bucket") and (bound := float(sample.labels["le"])) in under:
                under[bound] += int(sample.value)
    return GcPauses(count, seconds, full, count - under[0.01], count - under[0.1]) if found else None
