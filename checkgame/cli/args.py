"""Argument types shared by the subcommands: each refuses a bad value with a message argparse prints."""

from __future__ import annotations

import argparse

__all__ = ["bot_count", "non_negative", "player_count", "positive"]


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
