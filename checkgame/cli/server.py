"""``checkgame serve`` and ``checkgame migrate``: run a node, bring a database schema up to date."""

from __future__ import annotations

import argparse
import sys
from functools import partial
from typing import TYPE_CHECKING

from checkgame.cli.failures import DATABASE_STATUSES, EXIT_STATUSES, EXIT_USAGE, fill, redact, run_reported

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


def _add_debug_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--debug", action="store_true", help="print the traceback of a failure, not only its line")


def _settings(args: argparse.Namespace) -> Settings:
    """Environment, then the flags that were given, then the embedded defaults filled in."""
    from checkgame.config import Settings

    flags = {name: getattr(args, name, None) for name in _SETTINGS_FLAGS}
    return Settings.from_env(**flags).resolved()


def _serve(args: argparse.Namespace) -> int:
    import trio

    from checkgame.app import serve_checkgame
    from checkgame.collector import CollectorSchedule
    from checkgame.observability.logs import configure_logging
    from checkgame.transport.roles import GAME_SOCKET_PATH, serves

    try:
        settings = _settings(args)
        configure_logging(settings.log_level, settings.log_format, settings.node_id)
    except ValueError as exc:
        print(f"checkgame serve: {exc}", file=sys.stderr)
        return EXIT_USAGE

    _tune_process()

    async def serve_and_announce() -> None:
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
            live = f"live state in Redis at {redact(redis)}" if redis else "live state in memory"
            print(f"database {redact(settings.database_url)} · {live} · Ctrl+C to stop", flush=True)

    async def announce_and_serve() -> None:
        async with trio.open_nursery() as process:
            await process.start(CollectorSchedule().run)
            await serve_and_announce()
            process.cancel_scope.cancel()  # the server stopped: the collector's schedule ends with it

    status = run_reported(
        "serve",
        partial(trio.run, announce_and_serve),
        debug=args.debug or settings.log_level.lower() == "debug",
        database_url=settings.database_url,
        redis_url=settings.redis_url,
        address=f"{settings.host}:{settings.port}",
    )
    if status is not None:
        return status
    print("stopped cleanly", flush=True)
    return 0


def _tune_process() -> None:
    """Fit the process to thousands of connections: every file it may open (each connection is one).

    The collector runs on a schedule of its own while the server does (:mod:`checkgame.collector`).
    """
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _migrate(args: argparse.Namespace) -> int:
    import trio

    from checkgame.store import open_store

    try:
        settings = _settings(args)
    except ValueError as exc:
        print(f"checkgame migrate: {exc}", file=sys.stderr)
        return EXIT_USAGE

    async def migrate() -> int:
        async with open_store(settings.database_url) as store:
            applied = await store.migrate()
        print(f"applied migrations {applied}" if applied else "the database schema is up to date")
        return 0

    return run_reported("migrate", partial(trio.run, migrate), debug=args.debug, database_url=settings.database_url)


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare ``serve`` and ``migrate``."""
    from checkgame.config import ROLES

    serve = commands.add_parser(
        "serve",
        help="run the game server (REST, WebSocket rooms, tournaments, timers)",
        description=fill(
            "Run one Check-Game node. With no options it needs no services: SQLite in the user data "
            "directory and live state in memory, migrated on start. With --production the node never migrates: "
            "run `checkgame migrate` once per release; until then /ready answers 503. Every option can also be "
            "set in the environment as CHECKGAME_<NAME> (DATABASE_URL, REDIS_URL and JWT_SECRET too). Stops "
            "gracefully on SIGTERM or Ctrl+C."
        ),
        epilog=EXIT_STATUSES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
        help="a cluster node: JWT_SECRET must be given and migrations are left to `checkgame migrate` "
        "(env CHECKGAME_PRODUCTION=true)",
    )
    _add_debug_flag(serve)
    serve.set_defaults(handler=_serve)

    migrate = commands.add_parser(
        "migrate",
        help="apply pending database schema migrations",
        description=fill(
            "Bring the database schema up to date. Run it once per release before production nodes start "
            "(they never migrate themselves); serve does it itself for the embedded database."
        ),
        epilog=DATABASE_STATUSES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_database_flag(migrate)
    _add_debug_flag(migrate)
    migrate.set_defaults(handler=_migrate)
