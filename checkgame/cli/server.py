"""``checkgame serve`` and ``checkgame migrate``: run a node, bring a database schema up to date."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from checkgame.config import Settings

__all__ = ["add_commands"]


_SETTINGS_FLAGS = (
    "host",
    "port",
    "database_url",
    "redis_url",
    "jwt_secret",
    "public_url",
    "turn_timeout_s",
    "grace_s",
    "next_game_delay_s",
    "log_level",
    "log_format",
    "production",
    "role",
)


def _add_database_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        dest="database_url",
        help="sqlite:///path.db or postgresql://... (env DATABASE_URL; default: SQLite in the user data directory)",
    )


def _settings(args: argparse.Namespace) -> Settings:
    """Environment, then the flags that were given, then the embedded defaults filled in."""
    from checkgame.config import Settings

    flags = {name: getattr(args, name, None) for name in _SETTINGS_FLAGS}
    return Settings.from_env(**flags).resolved()


def _serve(args: argparse.Namespace) -> int:
    import trio

    from checkgame.app import serve_checkgame
    from checkgame.observability.logs import configure_logging
    from checkgame.transport.roles import GAME_SOCKET_PATH, serves

    try:
        settings = _settings(args)
    except ValueError as exc:
        print(f"checkgame serve: {exc}", file=sys.stderr)
        return 2
    try:
        configure_logging(settings.log_level, settings.log_format, settings.node_id)
    except ValueError as exc:
        print(f"checkgame serve: {exc}", file=sys.stderr)
        return 2

    _tune_process()

    async def announce_and_serve() -> None:
        async with trio.open_nursery() as nursery:
            services = await nursery.start(serve_checkgame, settings)
            url, role = services.settings.public_url, settings.role
            if serves(role, "/"):
                print(f"Play in your browser: {url}/", flush=True)
            print(f"Check-Game is running at {url} as role {role}:", flush=True)
            if serves(role, "/api/v1"):
                print(f"REST {url}/api/v1 (described by {url}/openapi.json), /admin", flush=True)
            if serves(role, GAME_SOCKET_PATH):
                print(f"WebSocket {url.replace('http', 'ws', 1)}{GAME_SOCKET_PATH}?token=<sessionToken>", flush=True)
            print(f"{url}/health, /ready and /metrics", flush=True)
            redis = settings.redis_url
            live = f"live state in Redis at {_redact(redis)}" if redis else "live state in memory"
            print(f"database {_redact(settings.database_url)} · {live} · Ctrl+C to stop", flush=True)

    trio.run(announce_and_serve)
    print("stopped cleanly", flush=True)
    return 0


def _tune_process() -> None:
    """Fit the process to thousands of connections: every file it may open, and short collector pauses.

    With CPython's default thresholds a node holding 1,000 players walked its ~500,000 objects in a full
    collection about once a second, 400 ms each (docs/performance.md). Start-up objects are frozen out of
    every walk, and larger thresholds let short-lived objects die by reference counting before promotion.
    """
    import gc
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    gc.freeze()
    gc.set_threshold(10_000, 50, 100)


def _redact(url: str) -> str:
    """A database URL without its password, for printing."""
    scheme, sep, rest = url.partition("://")
    if "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    return f"{scheme}{sep}{credentials.split(':')[0]}:***@{host}"


def _migrate(args: argparse.Namespace) -> int:
    import trio

    from checkgame.store import open_store

    settings = _settings(args)

    async def migrate() -> list[int]:
        async with open_store(settings.database_url) as store:
            return await store.migrate()

    applied = trio.run(migrate)
    print(f"applied migrations {applied}" if applied else "the database schema is up to date")
    return 0


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare ``serve`` and ``migrate``."""
    from checkgame.config import ROLES

    serve = commands.add_parser(
        "serve",
        help="run the game server (REST, WebSocket rooms, tournaments, timers)",
        description="Run one Check-Game node. With no options it needs no services: SQLite in the user data "
        "directory and live state in memory. Every option can also be set in the environment as CHECKGAME_<NAME> "
        "(DATABASE_URL, REDIS_URL and JWT_SECRET too). Stops gracefully on SIGTERM or Ctrl+C.",
    )
    serve.add_argument("--host", help="interface to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, help="TCP port, 0 for any free one (default: 8000)")
    _add_database_flag(serve)
    serve.add_argument("--redis-url", dest="redis_url", help="redis://... to share live state between nodes")
    serve.add_argument("--jwt-secret", dest="jwt_secret", help="token signing key (default: generated and kept)")
    serve.add_argument("--public-url", dest="public_url", help="base URL used in join links")
    serve.add_argument("--turn-timeout", dest="turn_timeout_s", type=float, help="seconds per turn (default: 30)")
    serve.add_argument("--grace", dest="grace_s", type=float, help="seconds a dropped player keeps the seat (60)")
    serve.add_argument(
        "--next-game-delay", dest="next_game_delay_s", type=float, help="seconds between games (default: 5)"
    )
    serve.add_argument("--log-level", dest="log_level", help="debug, info, warning or error (default: info)")
    serve.add_argument(
        "--log-format",
        dest="log_format",
        choices=("json", "text", "auto"),
        help="log lines on stderr as JSON objects or text (default auto: text on a terminal, JSON otherwise)",
    )
    serve.add_argument(
        "--role",
        choices=ROLES,
        help="which tier this node is: all serves everything; api all but the game WebSocket (REST, the web client, "
        "/admin); ws only the game WebSocket /api/v1/ws; every role answers /health, /ready and /metrics "
        "(env CHECKGAME_ROLE; default: all)",
    )
    serve.add_argument(
        "--production",
        action="store_const",
        const=True,
        help="refuse embedded conveniences: JWT_SECRET must be given (env CHECKGAME_PRODUCTION=true)",
    )
    serve.set_defaults(handler=_serve)

    migrate = commands.add_parser(
        "migrate",
        help="apply pending database schema migrations",
        description="Bring the database schema up to date (serve does this itself for the embedded database).",
    )
    _add_database_flag(migrate)
    migrate.set_defaults(handler=_migrate)
