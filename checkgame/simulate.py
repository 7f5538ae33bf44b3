"""Offline games between computer players: a smoke test of the engine, a quick benchmark, and a match of levels.

Everything is derived from one seed, so ``checkgame simulate --seed 1`` prints
the same games (not the same timings) every time.

A *match* (:func:`match`) seats computer players of different levels
(``easy``, ``normal``, ``hard``) at the same tables and counts, for each level,
the share of its seats that were **not the game's loser** — the one thing a
Check game decides, since its loser is eliminated from the tournament. At a
2-player table that is simply the share of games won. Levels take the seats in
turn, and the assignment rotates from game to game, so every level sits in
every seat (and moves first) equally often; each deal is played once per
rotation, so every level gets the same cards (duplicate play, as in bridge
tournaments: the luck of the deal cancels out). Each rate comes with its 95 %
Wilson score interval, which treats the games as independent and so, with
duplicate deals, errs on the wide side; two equally strong levels would each
score ``(n - 1) / n`` at ``n``-player tables.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from checkgame import rules
from checkgame.bots.levels import Inference, Level, Strategy, observe
from checkgame.bots.roster import strategy_for
from checkgame.bots.search import DEFAULT_PLAYOUTS
from checkgame.bots.strategy import choose
from checkgame.tournament import Tournament

__all__ = [
    "MAX_ACTIONS_PER_GAME",
    "GameRecord",
    "LevelScore",
    "MatchSummary",
    "Summary",
    "match",
    "play_game",
    "play_levels",
    "run",
    "wilson_interval",
]

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


def play_levels(
    strategies: Mapping[str, Strategy],
    seed: int,
    first_player: str | None = None,
    hand_size: int = rules.DEFAULT_HAND_SIZE,
) -> tuple[GameRecord, rules.GameState]:
    """Play one game in which each seated player (the keys, in seat order) moves with its own level.

    Each player sees only what it may (:func:`checkgame.bots.levels.observe`) and
    draws its inferences from the others' moves as a networked bot does.

    Returns:
        The record and the final position.
    """
    players = tuple(strategies)
    state, _ = rules.new_game(players, seed, first_player=first_player, hand_size=hand_size)
    rng = random.Random(f"{seed}/bots")
    inference = Inference()  # drawn from public moves only, so every player holds the same
    actions = 0
    last_card = "-"
    while state.current is not None and actions < MAX_ACTIONS_PER_GAME:
        player = state.players[state.current]
        action: rules.Action
        if state.awaiting_suit:  # not reached: every level names the suit with the Jack
            action = rules.ChooseSuit(player, rules.Suit.HEARTS)
        else:
            choice = strategies[player].choose(observe(state, player, inference=inference), rng)
            if choice.card is None:
                action = rules.Draw(player)
            else:
                action = rules.Play(player, choice.card, choice.suit)
                last_card = choice.card.rank.value
        before = state
        state, events = rules.apply(state, action)
        actions += 1
        inference.watch(before, events)  # every player watches every move, as the server's frames show it
    return GameRecord(actions, state.loser, last_card, state.reshuffles), state


def wilson_interval(successes: int, trials: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval for a proportion (95 % with the default ``z``); ``(0, 1)`` without trials.

    Unlike the normal approximation it stays inside [0, 1] and is sound for
    rates near 0 or 1 and for modest sample sizes.
    """
    if trials == 0:
        return 0.0, 1.0
    rate = successes / trials
    denominator = 1 + z * z / trials
    centre = (rate + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(rate * (1 - rate) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass
class LevelScore:
    """One level's results in a match: how many of its seats were not the loser."""

    seats: int = 0
    not_lost: int = 0

    @property
    def rate(self) -> float:
        """The share of its seats that were not the loser."""
        return self.not_lost / self.seats if self.seats else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        """95 % Wilson interval of :attr:`rate`."""
        return wilson_interval(self.not_lost, self.seats)


@dataclass
class MatchSummary:
    """A match between levels: per level, the seats it held and how many of them did not lose."""

    players: int
    scores: dict[Level, LevelScore]
    games: int = 0
    unfinished: int = 0
    actions: int = 0
    elapsed_s: float = 0.0

    @property
    def par(self) -> float:
        """The rate every level would score if all were equally strong: ``(n - 1) / n``."""
        return (self.players - 1) / self.players

    def report(self) -> str:
        """A table of each level's rate of not losing, with its 95 % Wilson interval."""
        lines = [
            f"games            {self.games} at {self.players}-player tables, {self.actions} actions, "
            f"{self.elapsed_s:.1f} s",
            f"unfinished       {self.unfinished}",
            "level    seats  not lost   rate   95% CI (Wilson)",
        ]
        for level, score in self.scores.items():
            low, high = score.interval
            lines.append(
                f"{level.value:<8} {score.seats:>5}  {score.not_lost:>8}  {score.rate:6.1%}   {low:.1%} - {high:.1%}"
            )
        lines.append(f"equally strong levels would each score {self.par:.1%}")
        return "\n".join(lines)


def match(
    levels: Sequence[Level],
    *,
    games: int,
    players: int,
    seed: int,
    playouts: int = DEFAULT_PLAYOUTS,
    hand_size: int = rules.DEFAULT_HAND_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> MatchSummary:
    """Play ``games`` games whose seats go to ``levels`` in turn, rotating the assignment each game.

    Args:
        levels: two or more distinct levels.
        games: how many games.
        players: seats per game (at least as many as levels).
        seed: master seed; game ``i`` uses a seed derived from it, so a match replays exactly.
        playouts: the ``hard`` level's search budget per move (no time limit, so the match is repeatable).
        hand_size: cards dealt to each player (RULES.md §4); small hands make short games, for quick tests.
        progress: called with (done, total) after each game.

    Raises:
        ValueError: fewer than two levels, a level twice, or more levels than seats.
    """
    if len(levels) < 2 or len(set(levels)) != len(levels):
        raise ValueError("a match needs two or more different levels")
    if len(levels) > players:
        raise ValueError(f"{len(levels)} levels need at least {len(levels)} seats, not {players}")
    strategies = {level: strategy_for(level, playouts=playouts, time_budget_s=None) for level in levels}
    summary = MatchSummary(players, {level: LevelScore() for level in levels})
    seeds = random.Random(seed)
    started = time.perf_counter()
    deal = 0
    for number in range(games):
        if number % len(levels) == 0:  # each deal is played once per turn of the levels round the seats
            deal = seeds.getrandbits(63)
        seated = {f"p{seat + 1}": levels[(seat + number) % len(levels)] for seat in range(players)}
        table = {player: strategies[level] for player, level in seated.items()}
        record, _ = play_levels(table, deal, hand_size=hand_size)
        summary.games += 1
        summary.actions += record.actions
        if record.loser is None:
            summary.unfinished += 1
        else:
            for player, level in seated.items():
                summary.scores[level].seats += 1
                summary.scores[level].not_lost += player != record.loser
        if progress is not None:
            progress(number + 1, games)
    summary.elapsed_s = time.perf_counter() - started
    return summary


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
