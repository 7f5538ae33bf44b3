"""Draw docs/performance-latency.png from sweep results (bench/performance_sweep.py).

    python bench/plot_performance.py bench/results/embedded.json [more.json ...] [--out docs/performance-latency.png]

Left: action-to-whole-table latency (p50 and p99) against players, for the game and for the bare echo route
(the transport's ceiling). Right: the server's CPU (share of one core) against players. Needs matplotlib
(``pip install -e ".[bench]"``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def _series(results: list[dict[str, Any]], route: str, key: str) -> tuple[list[int], list[float]]:
    points = []
    for result in results:
        run = result if route == "game" else result.get("echo")
        if run is None or not run["latencyMs"].get("n"):
            continue
        value = run["latencyMs"][key] if key in ("p50", "p99") else run["server"]["cpuPercent"]
        points.append((run["plan"]["players"], float(value)))
    points.sort()
    return [p for p, _ in points], [v for _, v in points]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path, nargs="+")
    parser.add_argument("--out", type=Path, default=Path("docs/performance-latency.png"))
    args = parser.parse_args()
    figure, (latency, cpu) = plt.subplots(1, 2, figsize=(12, 4.5))
    for path in args.results:
        results: list[dict[str, Any]] = json.loads(path.read_text())
        label = path.stem  # the file names the run: embedded, embedded-batched...
        for route, style in (("game", "-"), ("echo", ":")):
            for key, marker in (("p50", "o"), ("p99", "s")):
                x, y = _series(results, route, key)
                if x:
                    latency.plot(x, y, style, marker=marker, label=f"{label} {route} {key}")
            x, y = _series(results, route, "cpu")
            if x:
                cpu.plot(x, y, style, marker="o", label=f"{label} {route}")
    pace = json.loads(args.results[0].read_text())[0]["plan"]
    latency.set_title(f"Action → every player of the table (tables of {pace['table_size']}, {pace['pace_s']} s pace)")
    latency.set_xlabel("players")
    latency.set_ylabel("ms (log scale)")
    latency.set_yscale("log")
    latency.axhline(50, color="grey", linewidth=0.8)
    latency.annotate("50 ms target", (0, 50), textcoords="offset points", xytext=(4, 4), color="grey")
    latency.legend(fontsize=8)
    cpu.set_title("Server CPU (100% = one core)")
    cpu.set_xlabel("players")
    cpu.set_ylabel("% of a core")
    cpu.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
