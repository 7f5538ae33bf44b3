"""Engine benchmark: random legal games through checkgame.rules on one core.

Each move is a random choice among ``rules.legal_actions`` (a card when one is
playable, otherwise the draw). Prints actions/s and games/s, both for the
whole loop (listing legal actions + applying) and for ``rules.apply`` alone.

    python bench/engine_bench.py [--seconds 5] [--players 4] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import time

from checkgame import rules


def play(players: tuple[str, ...], seed: int) -> tuple[int, float]:
    """Play one game; return its action count and the seconds spent inside ``rules.apply``."""
    rng = random.Random(seed)
    state, _ = rules.new_game(players, seed)
    actions, in_apply = 0, 0.0
    clock = time.perf_counter
    while state.current is not None:
        legal = rules.legal_actions(state, state.players[state.current])
        action = rng.choice(legal[:-1]) if len(legal) > 1 else legal[-1]
        started = clock()
        state, _ = rules.apply(state, action)
        in_apply += clock() - started
        actions += 1
    return actions, in_apply


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to run (default: 5)")
    parser.add_argument("--players", type=int, default=4, help="players per game (default: 4)")
    parser.add_argument("--seed", type=int, default=1, help="first game seed (default: 1)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the figure claims
    players = tuple(f"p{i}" for i in range(args.players))
    games = actions = 0
    in_apply = 0.0
    started = time.perf_counter()
    deadline = started + args.seconds
    while time.perf_counter() < deadline:
        n, t = play(players, args.seed + games)
        games += 1
        actions += n
        in_apply += t
    elapsed = time.perf_counter() - started
    print(
        f"engine benchmark: {platform.python_implementation()} {platform.python_version()}, one core, "
        f"{args.players} players, {elapsed:.1f} s"
    )
    print(f"  games               {games}  ({games / elapsed:,.0f} games/s)")
    print(f"  actions             {actions}  ({actions / games:.1f} per game)")
    print(f"  actions/s (loop)    {actions / elapsed:,.0f}   legal_actions + random choice + apply")
    print(f"  actions/s (apply)   {actions / in_apply:,.0f}   rules.apply alone")


if __name__ == "__main__":
    main()
