"""Measure the echo route and the game beside the Node.js ``ws`` relay, in one run, and keep the results.

    python bench/peer_comparison.py --players 1000 --duration 20 --out bench/results/peers.json

Each server in turn (checkgame/loadtest/peers.py: ``PEERS``) gets the same load generator and plan on a fresh
process: an active run for the CPU per WebSocket message sent, an idle one for the memory per connection.
Every figure is also given as a ratio of the relay's. The relay is installed into bench/node_relay
(``npm ci``) the first time. Exits 1 when a player met an error or was never seated, never because of a speed.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from dataclasses import replace
from pathlib import Path

from checkgame.loadtest.peers import PEERS, compare, render
from checkgame.loadtest.plan import Plan
from checkgame.loadtest.worker import raise_file_limit


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--players", type=int, default=1000)
    parser.add_argument("--idle-players", type=int, help="players of the idle runs (default: --players)")
    parser.add_argument("--table-size", type=int, default=4)
    parser.add_argument("--pace", type=float, default=2.0, help="seconds between two actions of a player")
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds of each active run")
    parser.add_argument("--idle-duration", type=float, default=5.0, help="measured seconds of each idle run")
    parser.add_argument("--ramp", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--peer", choices=[peer.name for peer in PEERS], action="append", help="only these (default: all)"
    )
    parser.add_argument("--out", type=Path, default=Path("bench/results/peers.json"))
    parser.add_argument("--quiet", action="store_true", help="no progress line")
    args = parser.parse_args()
    raise_file_limit()
    plan = Plan(
        url="",
        players=args.players,
        table_size=args.table_size,
        pace_s=args.pace,
        duration_s=args.duration,
        ramp_s=args.ramp,
        workers=args.workers,
        run_id=secrets.token_hex(3),
    )
    idle = replace(plan, players=args.idle_players or args.players, duration_s=args.idle_duration)
    peers = tuple(peer for peer in PEERS if args.peer is None or peer.name in args.peer)
    results = compare(plan, idle, peers, progress=None if args.quiet else sys.stderr)
    print(render(results))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1))
    print(f"wrote {args.out}", file=sys.stderr)
    clean = all(row["errorCount"] == 0 and row["seatedAllPlayers"] for row in results["figures"].values())
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
