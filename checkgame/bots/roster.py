"""One entry point from a level's name to the player that plays it (the CLI, the server and the simulator use it)."""

from __future__ import annotations

from checkgame.bots.easy import EasyStrategy
from checkgame.bots.levels import Level, NormalStrategy, Strategy, parse_level
from checkgame.bots.search import DEFAULT_PLAYOUTS, DEFAULT_TIME_BUDGET_S, SearchStrategy

__all__ = ["strategy_for"]


def strategy_for(
    level: Level | str,
    *,
    playouts: int = DEFAULT_PLAYOUTS,
    time_budget_s: float | None = DEFAULT_TIME_BUDGET_S,
) -> Strategy:
    """The computer player of ``level``; ``playouts`` and ``time_budget_s`` are the ``hard`` search's budget per move.

    Raises:
        ValueError: ``level`` names no level.
    """
    match parse_level(level):
        case Level.EASY:
            return EasyStrategy()
        case Level.NORMAL:
            return NormalStrategy()
        case Level.HARD:
            return SearchStrategy(playouts=playouts, time_budget_s=time_budget_s)
