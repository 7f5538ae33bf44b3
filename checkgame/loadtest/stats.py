"""Latency percentiles, exact over every sample (a run holds at most a few million floats)."""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["summarize"]


def percentile(ordered: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of sorted samples: the smallest value with at least ``q`` of them at or below."""
    if not ordered:
        raise ValueError("no samples")
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[rank - 1]


def summarize(samples: Sequence[float]) -> dict[str, float]:
    """Count, mean, p50, p95, p99 and max of ``samples`` (empty: only the count, 0)."""
    if not samples:
        return {"n": 0}
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "mean": round(sum(ordered) / len(ordered), 3),
        "p50": round(percentile(ordered, 0.50), 3),
        "p95": round(percentile(ordered, 0.95), 3),
        "p99": round(percentile(ordered, 0.99), 3),
        "max": round(ordered[-1], 3),
    }
