"""``checkgame admin``: the operator console (the ``admin_tui`` package, a client of the server's /admin API)."""

from __future__ import annotations

import argparse
import sys

from checkgame.cli.failures import EXIT_USAGE

__all__ = ["add_commands"]


def _admin(args: argparse.Namespace) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print(
            "checkgame admin: the console needs a terminal (stdin and stdout); scripts use the HTTP API "
            "it is built on (docs/admin-api.md)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    from admin_tui import run

    return run(args.url)


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare ``admin``."""
    console = commands.add_parser(
        "admin",
        help="the operator console: live counters, sessions, games, connections, health and admin actions",
        description="Open the terminal console of a Check-Game server's /admin API. It remembers the server URL, "
        "username and tokens (never the password) in the user's config directory; --url chooses another server.",
    )
    console.add_argument("--url", help="the server, e.g. http://127.0.0.1:8000 (default: the remembered one)")
    console.set_defaults(handler=_admin)
