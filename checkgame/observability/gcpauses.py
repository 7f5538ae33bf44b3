"""How long the process stands still in CPython's cyclic garbage collector.

A full collection stops every task of the process at once, so on a busy node it
shows up as a spike in every latency at the same moment. Prometheus' standard
``python_gc_*`` series count collections but not their duration; this times
each one through :data:`gc.callbacks`.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prometheus_client import Histogram

__all__ = ["watch_gc_pauses"]


@contextmanager
def watch_gc_pauses(pauses: Histogram) -> Iterator[None]:
    """Observe every collection's duration in ``pauses`` (labelled by generation) while the block runs."""
    by_generation = [pauses.labels(str(generation)) for generation in range(3)]
    started = 0.0

    def callback(phase: str, info: dict[str, Any]) -> None:
        nonlocal started
        if phase == "start":
            started = time.perf_counter()
        else:
            by_generation[info["generation"]].observe(time.perf_counter() - started)

    gc.callbacks.append(callback)
    try:
        yield
    finally:
        gc.callbacks.remove(callback)
