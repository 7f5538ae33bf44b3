"""``checkgame admin``: the operator console, a Textual program that watches and steers a Check-Game server.

It is a client like any other: it speaks only HTTP and WebSocket to the
server's ``/admin`` API (docs/admin-api.md) and imports nothing from
``checkgame`` (an import-linter contract keeps it so), so it can be pointed at
any node of any deployment.
"""

from __future__ import annotations

__all__ = ["run"]


def run(url: str | None = None) -> int:
    """Open the console (remembered connection first, ``url`` when given); returns the exit status."""
    from admin_tui.app import AdminApp
    from admin_tui.config import default_config_path

    AdminApp(config_path=default_config_path(), url=url).run()
    return 0
