"""Argument types shared by the subcommands: each refuses a bad value with a message argparse prints."""

from __future__ import annotations

import argparse

from checkgame.bots.levels import Level, parse_level

__all__ = ["bot_count", "level", "level_list", "non_negative", "player_count", "positive", "positive_float"]


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def player_count(text: str) -> int:
    value = int(text)
    if not 2 <= value <= 8:
        raise argparse.ArgumentTypeError(f"a game seats 2 to 8 players, not {value}")
    return value


def bot_count(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 8:
        raise argparse.ArgumentTypeError(f"a session seats at most 8 players: 1 to 8 bots, not {value}")
    return value


def non_negative(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, not {value}")
    return value


def positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, not {text}")
    return value


def level(text: str) -> Level:
    """A computer player's level: easy, normal or hard."""
    try:
        return parse_level(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def level_list(text: str) -> list[Level]:
    """Two or more different levels, comma-separated (``hard,normal``)."""
    levels = [level(part) for part in text.split(",")]
    if len(levels) < 2 or len(set(levels)) != len(levels):
        raise argparse.ArgumentTypeError(f"give two or more different levels, e.g. hard,normal, not {text!r}")
    return levels
