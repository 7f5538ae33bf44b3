"""Allocations per move on the server's path, in one process: apply, commit, fan out, render, write.

Tables of four play bot tournaments through :class:`~checkgame.rooms.service.SessionService` on the
memory live store; each session has a :class:`~checkgame.rooms.hub.Hubs` hub with the real
:class:`~checkgame.transport.ws.frames.FrameRenderer` and four viewers whose ``write`` only keeps the wire
bytes' length (the socket's part is measured by ``bench/peer_comparison.py``). The figures:

* **tracked objects per move**: the growth of the collector's generation-0 count with the collector off,
  i.e. container objects a move leaves for the collector to look at (allocations minus frees);
  a collection of the youngest generation runs every ``threshold0`` of them, so this sets how often the
  collector pauses;
* **collections and their CPU time per 1,000 moves** (thread CPU time, so a busy machine does not inflate it)
  with the collector on and the thresholds the server used before ``checkgame/collector.py`` scheduled its
  collections (``gc.freeze()`` after start-up, ``gc.set_threshold(10_000, 50, 100)``), kept so that the figures
  compare with the earlier results in ``bench/results/``;
* **memory blocks per move**: ``sys.getallocatedblocks()`` growth, everything the allocator still holds.

    python bench/allocations.py [--tables 50] [--moves 20000] [--json out.json]

Deterministic apart from timings: the same seed plays the same games, so two commits compare move for move.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import random
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import trio
import trio.testing

from checkgame import rules, sessions
from checkgame.bots.strategy import choose
from checkgame.live.memory import MemoryLiveStore
from checkgame.rooms.hub import Hubs
from checkgame.rooms.service import SessionService
from checkgame.transport.ws.frames import Frame, FrameRenderer

SETTINGS = sessions.SessionSettings(max_players=4, turn_timeout_s=30, next_game_delay_s=0, grace_s=60)
PLAYERS = ("ann", "bob", "cid", "dee")
Move = rules.Play | rules.Draw | rules.ChooseSuit


@dataclass(eq=False)
class Sink:
    """A viewer that takes every frame, as a socket with room would."""

    player_id: str
    spectator: bool = False
    batching: bool = False
    capacity: int = 1 << 30
    frames: int = 0
    wire_bytes: int = 0

    def write(self, frame: Frame) -> None:
        self.frames += 1
        self.wire_bytes += len(frame.wire)

    def kicked(self) -> None:
        pass

    def fell_behind(self, reason: str) -> None:
        raise AssertionError(reason)

    def replaced(self) -> None:
        raise AssertionError("replaced")


@dataclass
class Counts:
    moves: int = 0
    tracked: int = 0
    blocks: int = 0
    collections: list[int] = field(default_factory=lambda: [0, 0, 0])
    pauses: list[float] = field(default_factory=list)


def next_action(state: sessions.SessionState, rng: random.Random) -> Move | None:
    """The current player's move by the normal bot, or None when no game is running."""
    game = state.game
    if state.status is not sessions.Status.PLAYING or game is None or game.current is None:
        return None
    player = game.players[game.current]
    if game.awaiting_suit:  # not reached: the bot names the suit with its Jack
        return rules.ChooseSuit(player, rules.Suit.HEARTS)
    choice = choose(game.hands[game.current], game.top_card, game.demanded_suit, game.penalty, rng)
    if choice.card is None:
        return rules.Draw(player)
    return rules.Play(player, choice.card, choice.suit)


async def open_table(
    service: SessionService, hubs: Hubs[Frame], viewers: trio.Nursery, session_id: str, seed: int
) -> None:
    """A started table of four, each seat watched by a :class:`Sink`."""
    await service.create(sessions.new_session(session_id, sessions.Seat("ann", "Ann"), seed, SETTINGS, 0))
    for player in PLAYERS[1:]:
        await service.execute(session_id, sessions.Join(player, player.title()))
    for player in PLAYERS:
        ready = trio.Event()
        viewers.start_soon(watch, hubs, session_id, Sink(player), ready)
        await ready.wait()
    await service.execute(session_id, sessions.Start("ann"))


async def next_move(
    service: SessionService, hubs: Hubs[Frame], viewers: trio.Nursery, ids: list[str], turn: int, rng: random.Random
) -> tuple[int, str, Move]:
    """The next move round-robin over the tables (dealing or replacing a table first when it needs it):
    the next turn, the table and the action."""
    while True:
        slot = turn % len(ids)
        turn += 1
        state = await service.load(ids[slot])
        action = next_action(state, rng)
        if action is not None:
            break
        if state.status is sessions.Status.FINISHED:
            ids[slot] = f"{ids[slot]}+"
            await open_table(service, hubs, viewers, ids[slot], turn)
        else:
            await service.execute(ids[slot], sessions.Tick())
        await trio.testing.wait_all_tasks_blocked()
    return turn, ids[slot], action


async def apply(service: SessionService, session_id: str, action: Move) -> None:
    """The measured part: apply, commit, and every viewer handed its frames."""
    await service.execute(session_id, sessions.GameAction(action))
    await trio.testing.wait_all_tasks_blocked()


async def watch(hubs: Hubs[Frame], session_id: str, sink: Sink, ready: trio.Event) -> None:
    async with hubs.join(session_id, sink, None):
        ready.set()
        await trio.sleep_forever()


async def play(tables: int, moves: int, seed: int, collector: bool, warmup: int = 0) -> Counts:
    """Play ``warmup`` then ``moves`` moves round-robin over ``tables`` tables (a finished tournament's table is
    replaced); count only what the measured moves themselves leave behind, not the set-up of tables."""
    clock = trio.current_time
    live = MemoryLiveStore()
    service = SessionService(live, lambda _effect: None, clock)
    hubs = Hubs[Frame](service, "bench", lambda session_id: FrameRenderer(session_id, clock))
    counts = Counts()
    rng = random.Random(seed)
    started_at: dict[str, float] = {}

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started_at["t"] = time.thread_time()
        else:
            counts.collections[info["generation"]] += 1
            counts.pauses.append(time.thread_time() - started_at["t"])

    async with trio.open_nursery() as nursery:
        await nursery.start(hubs.run)
        async with trio.open_nursery() as viewers:
            ids = [f"T{n}" for n in range(tables)]
            for n, session_id in enumerate(ids):
                await open_table(service, hubs, viewers, session_id, seed + n)
            turn = 0
            await trio.testing.wait_all_tasks_blocked()
            for _ in range(warmup):  # until the logs' rings are full, as on a server that has run a while
                turn, session_id, action = await next_move(service, hubs, viewers, ids, turn, rng)
                await apply(service, session_id, action)
            gc.collect()
            gc.freeze()
            gc.disable()
            if collector:
                gc.set_threshold(10_000, 50, 100)
                gc.callbacks.append(on_gc)
                gc.enable()
            while counts.moves < moves:
                turn, session_id, action = await next_move(service, hubs, viewers, ids, turn, rng)
                tracked, blocks = gc.get_count()[0], sys.getallocatedblocks()
                await apply(service, session_id, action)
                counts.tracked += gc.get_count()[0] - tracked
                counts.blocks += sys.getallocatedblocks() - blocks
                counts.moves += 1
            if collector:
                gc.callbacks.remove(on_gc)
            gc.enable()
            gc.unfreeze()
            viewers.cancel_scope.cancel()
        nursery.cancel_scope.cancel()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=50, help="tables of four (default: 50)")
    parser.add_argument("--moves", type=int, default=20_000, help="moves to measure (default: 20,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--warmup", type=int, help="moves before measuring (default: enough to fill every table's log ring)"
    )
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    warmup = args.warmup if args.warmup is not None else args.tables * 600  # ~1.2 entries a move, rings of 512
    runs = {}
    for collector in (False, True):
        clock = trio.testing.MockClock(autojump_threshold=0)
        runs[collector] = trio.run(play, args.tables, args.moves, args.seed, collector, warmup, clock=clock)
    off, on = runs[False], runs[True]
    pauses = sorted(on.pauses) or [0.0]
    figures = {
        "python": platform.python_version(),
        "tables": args.tables,
        "moves": off.moves,
        "warmup_moves": warmup,
        "tracked_objects_per_move": round(off.tracked / off.moves, 1),
        "memory_blocks_per_move": round(off.blocks / off.moves, 1),
        "collections_per_1000_moves": [round(c * 1000 / on.moves, 2) for c in on.collections],
        "gc_pause_ms_per_1000_moves": round(sum(on.pauses) * 1e6 / on.moves, 2),
        "gc_pause_ms_p50": round(pauses[len(pauses) // 2] * 1e3, 2),
        "gc_pause_ms_max": round(pauses[-1] * 1e3, 2),
    }
    print(
        f"allocations per move: Python {figures['python']}, {args.tables} tables of 4, {off.moves} moves after {warmup}"
    )
    for key, value in figures.items():
        if key not in ("python", "tables", "moves", "warmup_moves"):
            print(f"  {key:30} {value}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(figures, out, indent=2)


if __name__ == "__main__":
    main()
