"""The ``checkgame`` command line: one module per group of subcommands.

Each module declares its subcommands with ``add_commands`` and imports what a
command needs only when it runs, so ``checkgame --help`` stays fast.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

from checkgame import __version__
from checkgame.cli import admin_cmd, bots, console, demo, drill, loadtest, offline, server
from checkgame.cli.offline import ProgressBar as ProgressBar

__all__ = ["ProgressBar", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every ``checkgame`` subcommand."""
    parser = argparse.ArgumentParser(
        prog="checkgame",
        description="Check-Game: the card game Check, played in tournaments over REST and WebSocket.",
    )
    parser.add_argument("--version", action="version", version=f"checkgame {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    offline.add_commands(commands)
    admin_cmd.add_commands(commands)
    demo.add_commands(commands)
    server.add_commands(commands)
    bots.add_commands(commands)
    console.add_commands(commands)
    loadtest.add_commands(commands)
    drill.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit status."""
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)
