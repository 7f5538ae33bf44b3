"""``checkgame simulate``: games between computer players, offline, with a progress bar."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TextIO

from checkgame.bots.search import DEFAULT_PLAYOUTS
from checkgame.cli.args import level_list, player_count, positive

__all__ = ["ProgressBar", "add_commands"]


class ProgressBar:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self._last_draw = 0.0
        self._started = time.perf_counter()

    def __call__(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if done < total and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        width = 30
        filled = width * done // max(total, 1)
        rate = done / max(now - self._started, 1e-9)
        line = f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} ({rate:,.0f}/s)"
        print(line, end="\n" if done >= total else "", file=self.stream, flush=True)


def _simulate(args: argparse.Namespace) -> int:
    from checkgame.simulate import match, run

    if args.levels is not None:
        if args.tournament:
            print("checkgame simulate: --levels plays single games; drop --tournament", file=sys.stderr)
            return 2
        if len(args.levels) > args.players:
            print(f"checkgame simulate: {len(args.levels)} levels need --players {len(args.levels)} or more",
                  file=sys.stderr)  # fmt: skip
            return 2
        progress = None if args.quiet else ProgressBar("playing levels")
        result = match(args.levels, games=args.games, players=args.players, seed=args.seed,
                       playouts=args.playouts, progress=progress)  # fmt: skip
        print(result.report())
        return 1 if result.unfinished else 0
    unit = "tournaments" if args.tournament else "games"
    progress = None if args.quiet else ProgressBar(f"simulating {unit}")
    summary = run(games=args.games, players=args.players, seed=args.seed, tournament=args.tournament, progress=progress)
    print(summary.report())
    return 1 if summary.unfinished else 0


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare ``simulate``."""
    sim = commands.add_parser(
        "simulate",
        help="play games between computer players offline and report speed and outcomes",
        description="Play complete games (or tournaments) between computer players through the rules engine, "
        "then print games, actions, games/s, actions/s, average game length and how games ended. With --levels, "
        "pit computer players of different levels against each other and print, per level, the share of its "
        "seats that were not the game's loser with a 95% Wilson interval.",
    )
    sim.add_argument("--games", type=positive, default=100, help="games (or tournaments) to play (default: 100)")
    sim.add_argument("--players", type=player_count, default=4, help="players per game, 2-8 (default: 4)")
    sim.add_argument("--seed", type=int, default=0, help="master seed; the same seed plays the same games (default: 0)")
    sim.add_argument("--tournament", action="store_true", help="play whole tournaments instead of single games")
    sim.add_argument(
        "--levels",
        type=level_list,
        help="comma-separated levels to pit against each other, e.g. hard,normal: seats go to the levels in turn, "
        "rotating every game (levels: easy, normal, hard)",
    )
    sim.add_argument(
        "--playouts",
        type=positive,
        default=DEFAULT_PLAYOUTS,
        help=f"the hard level's search budget: playouts per move (default: {DEFAULT_PLAYOUTS}); no time limit, "
        "so the same seed plays the same match",
    )
    sim.add_argument("--quiet", action="store_true", help="no progress bar")
    sim.set_defaults(handler=_simulate)
