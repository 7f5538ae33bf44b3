"""Run ``checkgame loadtest`` at several player counts and keep every result (game and echo) in one JSON file.

    python bench/performance_sweep.py --start embedded --players 500 1000 1500 2000 2500 \\
        --out bench/results/embedded.json

Each point gets a fresh server, so one point's leftovers (grace timers, finished sessions) never weigh on the
next. ``bench/plot_performance.py`` draws the chart of docs/performance.md from such files.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from pathlib import Path
from typing import Any

from checkgame.loadtest.plan import Plan
from checkgame.loadtest.report import render
from checkgame.loadtest.run import run_all


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--start", choices=("embedded", "redis", "cluster"), default="embedded")
    parser.add_argument("--players", type=int, nargs="+", required=True)
    parser.add_argument("--table-size", type=int, default=4)
    parser.add_argument("--pace", type=float, default=2.0)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--ramp", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--idle", action="store_true")
    parser.add_argument("--no-echo", dest="echo", action="store_false", help="skip the transport ceiling")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    results: list[dict[str, Any]] = []
    for players in args.players:
        plan = Plan(
            url="",
            players=players,
            table_size=args.table_size,
            pace_s=args.pace,
            duration_s=args.duration,
            ramp_s=args.ramp,
            workers=args.workers,
            idle=args.idle,
            run_id=secrets.token_hex(3),
        )
        echo = args.echo and args.start != "cluster"  # an echo room lives in one process
        result = run_all(
            plan, start=args.start, echo=echo, postgres_url=args.postgres_url, redis_url=args.redis_url, progress=None
        )
        print(f"--- {players} players ({args.start})\n{render(result)}\n", flush=True)
        results.append(result)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1))  # after every point: a long sweep keeps what it did
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
