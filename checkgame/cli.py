"""The ``checkgame`` command line."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from checkgame import __version__

if TYPE_CHECKING:
    from checkgame.config import Settings

__all__ = ["main"]


class ProgressBar:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self._last_draw = 0.0
        self._started = time.perf_counter()

    def __call__(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if done < total and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        width = 30
        filled = width * done // max(total, 1)
        rate = done / max(now - self._started, 1e-9)
        line = f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} ({rate:,.0f}/s)"
        print(line, end="\n" if done >= total else "", file=self.stream, flush=True)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _player_count(text: str) -> int:
    value = int(text)
    if not 2 <= value <= 8:
        raise argparse.ArgumentTypeError(f"a game seats 2 to 8 players, not {value}")
    return value


def _player_count_bots(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 8:
        raise argparse.ArgumentTypeError(f"a session seats at most 8 players: 1 to 8 bots, not {value}")
    return value


def _simulate(args: argparse.Namespace) -> int:
    from checkgame.simulate import run

    unit = "tournaments" if args.tournament else "games"
    progress = None if args.quiet else ProgressBar(f"simulating {unit}")
    summary = run(games=args.games, players=args.players, seed=args.seed, tournament=args.tournament, progress=progress)
    print(summary.report())
    return 1 if summary.unfinished else 0


def _settings(args: argparse.Namespace) -> Settings:
    """Environment, then the flags that were given, then the embedded defaults filled in."""
    from checkgame.config import Settings

    flags = {name: getattr(args, name, None) for name in _SETTINGS_FLAGS}
    return Settings.from_env(**flags).resolved()


def _serve(args: argparse.Namespace) -> int:
    import logging

    import trio

    from checkgame.app import serve_checkgame

    try:
        settings = _settings(args)
    except ValueError as exc:
        print(f"checkgame serve: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    async def announce_and_serve() -> None:
        async with trio.open_nursery() as nursery:
            services = await nursery.start(serve_checkgame, settings)
            url = services.settings.public_url
            print(f"Check-Game is running: open {url}/ (API {url}/api/v1, docs {url}/openapi.json)", flush=True)
            print(f"database {_redact(settings.database_url)} · live state in memory · Ctrl+C to stop", flush=True)

    trio.run(announce_and_serve)
    print("stopped cleanly", flush=True)
    return 0


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


def _non_negative(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, not {value}")
    return value


def _describe_bot_event(event: dict[str, Any]) -> str | None:
    """One line for a notable event of a bot, or None for the ones not worth a line."""
    match event["type"]:
        case "joined":
            return f"joined session {event['sessionId']} as {event['playerId']}"
        case "game_started":
            return f"game {event['game']} started ({', '.join(event['players'])}), {event['hand']} cards in hand"
        case "eliminated":
            return f"eliminated in game {event['game']}"
        case "tournament_finished":
            ranking = ", ".join(f"{place}. {name}" for place, name in enumerate(event["ranking"], start=1))
            return f"tournament finished, rank {event['rank']}: {ranking}"
        case "reconnecting":
            return f"{event['reason']}; reconnecting in {event['delay']:.1f} s (attempt {event['attempt']})"
        case "refused":
            return f"move refused ({event['message']}); resynchronising"
    return None


def _bot(args: argparse.Namespace) -> int:
    """Seat ``--count`` computer players in a session, then play them concurrently until the tournament ends."""
    import contextlib

    import httpx
    import trio

    from checkgame.bots.client import BotError, BotResult, Seat, join, leave, run_bot, seat_from_token, start_when_full

    names = [f"{args.name_prefix}{number}" for number in range(1, args.count + 1)]
    results: dict[str, BotResult] = {}
    failures: dict[str, str] = {}

    def show(event: dict[str, Any]) -> None:
        line = _describe_bot_event(event)
        if line is not None:
            print(f"{event['bot']}: {line}", flush=True)

    if args.session_token is not None:
        names = names[:1]

    async def take_seats() -> list[Seat]:
        """Join one after the other (seats in name order); on a refusal, give back the seats taken."""
        if args.session_token is not None:
            seat = seat_from_token(args.url, args.session_token)
            names[0] = seat.name or names[0]
            return [seat]
        seats: list[Seat] = []
        async with httpx.AsyncClient(base_url=args.url, timeout=10.0) as http:
            try:
                for name in names:
                    seats.append(await join(http, name=name, code=args.code, session_id=args.session))
            except BotError:
                for seat in seats:
                    with contextlib.suppress(BotError):
                        await leave(http, seat)
                raise
        return seats

    async def play(number: int, name: str, seat: Seat) -> None:
        seed = None if args.seed is None else args.seed + number
        try:
            results[name] = await run_bot(args.url, name=name, seat=seat, seed=seed, think_s=args.think, on_event=show)
        except BotError as exc:
            failures[name] = str(exc)
            print(f"{name}: {exc}", file=sys.stderr, flush=True)

    async def start(seat: Seat) -> None:
        async with httpx.AsyncClient(base_url=args.url, timeout=10.0) as http:
            await start_when_full(http, seat)
        print("tournament started", flush=True)

    async def run_all() -> None:
        seats = await take_seats()
        async with trio.open_nursery() as nursery:
            for number, (name, seat) in enumerate(zip(names, seats, strict=True)):
                nursery.start_soon(play, number, name, seat)
            if args.start:
                await start(seats[0])

    try:
        trio.run(run_all)
    except BotError as exc:
        print(f"checkgame bot: {exc}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, BaseExceptionGroup) as exc:
        if isinstance(exc, BaseExceptionGroup) and exc.subgroup(KeyboardInterrupt) is None:
            raise
        print("checkgame bot: interrupted", file=sys.stderr)
        return 1
    print("summary:")
    for name in names:
        if name in results:
            r = results[name]
            rank = "unranked" if r.rank is None else f"rank {r.rank}"
            print(f"  {name}: {rank}, {r.games_played} games, {r.actions_sent} moves, {r.reconnects} reconnects")
        else:
            print(f"  {name}: failed: {failures.get(name, 'no result')}")
    return 0 if len(results) == len(names) and all(r.rank is not None for r in results.values()) else 1


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
    "production",
)


def _add_database_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        dest="database_url",
        help="sqlite:///path.db or postgresql://... (env DATABASE_URL; default: SQLite in the user data directory)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every ``checkgame`` subcommand."""
    parser = argparse.ArgumentParser(
        prog="checkgame",
        description="Check-Game: the card game Check, played in tournaments over REST and WebSocket.",
    )
    parser.add_argument("--version", action="version", version=f"checkgame {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    sim = commands.add_parser(
        "simulate",
        help="play games between computer players offline and report speed and outcomes",
        description="Play complete games (or tournaments) between computer players through the rules engine, "
        "then print games, actions, games/s, actions/s, average game length and how games ended.",
    )
    sim.add_argument("--games", type=_positive, default=100, help="games (or tournaments) to play (default: 100)")
    sim.add_argument("--players", type=_player_count, default=4, help="players per game, 2-8 (default: 4)")
    sim.add_argument("--seed", type=int, default=0, help="master seed; the same seed plays the same games (default: 0)")
    sim.add_argument("--tournament", action="store_true", help="play whole tournaments instead of single games")
    sim.add_argument("--quiet", action="store_true", help="no progress bar")
    sim.set_defaults(handler=_simulate)

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

    bot = commands.add_parser(
        "bot",
        help="play computer players in a session over the public REST and WebSocket API",
        description="Join a session anonymously with --count computer players (named <prefix>1, <prefix>2, ...) "
        "and play until its tournament is over; the session's creator starts it. Prints joins, games, "
        "eliminations and the final ranking; exits 1 if a bot could not join or had to give up.",
    )
    bot.add_argument("--url", default="http://127.0.0.1:8000", help="the server (default: http://127.0.0.1:8000)")
    target = bot.add_mutually_exclusive_group(required=True)
    target.add_argument("--code", help="the session's six-character join code")
    target.add_argument("--session", help="the session's id")
    target.add_argument(
        "--session-token",
        dest="session_token",
        help="play a seat you already hold (the sessionToken from creating or joining); one bot",
    )
    bot.add_argument("--count", type=_player_count_bots, default=1, help="computer players to seat, 1-8 (default: 1)")
    bot.add_argument("--name-prefix", dest="name_prefix", default="Bot", help="display name prefix (default: Bot)")
    bot.add_argument("--think", type=_non_negative, default=0.3, help="average seconds before a move (default: 0.3)")
    bot.add_argument("--seed", type=int, help="makes the bots' choices repeatable (bot i uses seed+i)")
    bot.add_argument(
        "--start",
        action="store_true",
        help="start the tournament once every seat is taken (the first bot's seat must be the creator's)",
    )
    bot.set_defaults(handler=_bot)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit status."""
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)
