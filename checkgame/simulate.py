"""Offline games between computer players: a smoke test of the engine and a quick benchmark.

Everything is derived from one seed, so ``checkgame simulate --seed 1`` prints
the same games (not the same timings) every time.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from checkgame import rules
from checkgame.bots.strategy import choose
from checkgame.tournament import Tournament

__all__ = ["MAX_ACTIONS_PER_GAME", "GameRecord", "Summary", "play_game", "run"]

MAX_ACTIONS_PER_GAME = 20_000
"""A game still running after this many actions is reported as unfinished (a bug, if it ever happens)."""


@dataclass(frozen=True, slots=True)
class GameRecord:
    """The outcome of one simulated game."""

    actions: int
    loser: str | None
    last_card: str
    """What ended the game: the rank of the last card played (``"7"``, ``"Joker"``...)."""
    reshuffles: int


def play_game(players: tuple[str, ...], seed: int, first_player: str | None = None) -> GameRecord:
    """Play one game between computer players, every move through :func:`rules.apply`."""
    state, _ = rules.new_game(players, seed, first_player=first_player)
    rng = random.Random(f"{seed}/bots")
    actions = 0
    last_card = "-"
    while state.current is not None and actions < MAX_ACTIONS_PER_GAME:
        player = state.players[state.current]
        action: rules.Action
        if state.awaiting_suit:  # not reached with this strategy (it names the suit with the Jack)
            action = rules.ChooseSuit(player, rules.Suit.HEARTS)
        else:
            choice = choose(state.hands[state.current], state.top_card, state.demanded_suit, state.penalty, rng)
            if choice.card is None:
                action = rules.Draw(player)
            else:
                action = rules.Play(player, choice.card, choice.suit)
                last_card = choice.card.rank.value
        state, _ = rules.apply(state, action)
        actions += 1
    return GameRecord(actions, state.loser, last_card, state.reshuffles)


@dataclass
class Summary:
    """Totals over a simulation run."""

    games: int = 0
    tournaments: int = 0
    actions: int = 0
    unfinished: int = 0
    reshuffles: int = 0
    longest: int = 0
    elapsed_s: float = 0.0
    endings: Counter[str] = field(default_factory=Counter)

    def add(self, record: GameRecord) -> None:
        """Count one game."""
        self.games += 1
        self.actions += record.actions
        self.reshuffles += record.reshuffles
        self.longest = max(self.longest, record.actions)
        if record.loser is None:
            self.unfinished += 1
        else:
            self.endings[record.last_card] += 1

    def report(self) -> str:
        """A human-readable table of the run."""
        rate = max(self.elapsed_s, 1e-9)
        lines = [
            f"games            {self.games}" + (f" in {self.tournaments} tournaments" if self.tournaments else ""),
            f"actions          {self.actions}",
            f"time             {self.elapsed_s:.2f} s",
            f"games/s          {self.games / rate:,.0f}",
            f"actions/s        {self.actions / rate:,.0f}",
            f"avg game length  {self.actions / max(self.games, 1):.1f} actions (longest {self.longest})",
            f"reshuffles       {self.reshuffles}",
            f"unfinished       {self.unfinished}",
            "games ended on   " + ", ".join(f"{rank}: {n}" for rank, n in self.endings.most_common()),
        ]
        return "\n".join(lines)


def run(
    *,
    games: int,
    players: int,
    seed: int,
    tournament: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Play ``games`` games (or tournaments) of ``players`` computer players.

    Args:
        games: how many games, or tournaments when ``tournament`` is set.
        players: seats per game (per tournament at its start).
        seed: master seed; game ``i`` uses a seed derived from it.
        tournament: play whole tournaments (each game's loser eliminated).
        progress: called with (done, total) after each game or tournament.
    """
    seats = tuple(f"bot{i + 1}" for i in range(players))
    seeds = random.Random(seed)
    summary = Summary()
    started = time.perf_counter()
    for done in range(1, games + 1):
        if tournament:
            summary.tournaments += 1
            t = Tournament.start(seats)
            while not t.is_over:
                table, first = t.next_game()
                record = play_game(table, seeds.getrandbits(63), first)
                summary.add(record)
                if record.loser is None:
                    break
                t = t.record_loss(record.loser)
        else:
            summary.add(play_game(seats, seeds.getrandbits(63)))
        if progress is not None:
            progress(done, games)
    summary.elapsed_s = time.perf_counter() - started
    return summary
