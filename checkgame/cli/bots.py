"""``checkgame bot``: computer players in a session, over the public API only."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from checkgame.bots.levels import Level
from checkgame.bots.search import DEFAULT_PLAYOUTS, DEFAULT_TIME_BUDGET_S
from checkgame.cli.args import bot_count, level, non_negative, positive, positive_float

__all__ = ["SESSION_TOKEN_VARIABLE", "add_commands"]

SESSION_TOKEN_VARIABLE = "CHECKGAME_SESSION_TOKEN"
"""Where ``checkgame bot`` finds a seat's token when no target flag is given: unlike a flag, not shown by ``ps``."""


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
        case "kicked":
            return "removed by an operator" + _because(event)
        case "session_ended":
            return "the session was ended by an operator" + _because(event)
    return None


def _because(event: dict[str, Any]) -> str:
    return f": {event['reason']}" if event.get("reason") else ""


def _bot(args: argparse.Namespace) -> int:
    """Seat ``--count`` computer players in a session, then play them concurrently until the tournament ends."""
    import contextlib

    import httpx
    import trio

    from checkgame.bots.client import BotError, BotResult, Seat, join, leave, run_bot, seat_from_token, start_when_full

    if args.code is None and args.session is None and args.session_token is None:
        args.session_token = os.environ.get(SESSION_TOKEN_VARIABLE) or None
        if args.session_token is None:
            print(f"checkgame bot: give --code, --session or --session-token (or set {SESSION_TOKEN_VARIABLE})",
                  file=sys.stderr)  # fmt: skip
            return 2
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
            results[name] = await run_bot(
                args.url,
                name=name,
                seat=seat,
                seed=seed,
                think_s=args.think,
                on_event=show,
                level=args.level,
                playouts=args.playouts,
                move_budget_s=args.move_budget,
            )
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
            rank = f"stopped ({r.stopped})" if r.stopped else "unranked" if r.rank is None else f"rank {r.rank}"
            print(f"  {name}: {rank}, {r.games_played} games, {r.actions_sent} moves, {r.reconnects} reconnects")
        else:
            print(f"  {name}: failed: {failures.get(name, 'no result')}")
    return 0 if len(results) == len(names) and all(r.rank is not None for r in results.values()) else 1


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare ``bot``."""
    bot = commands.add_parser(
        "bot",
        help="play computer players in a session over the public REST and WebSocket API",
        description="Join a session anonymously with --count computer players (named <prefix>1, <prefix>2, ...) "
        "and play until its tournament is over; the session's creator starts it. Prints joins, games, "
        "eliminations and the final ranking; exits 1 if a bot could not join or had to give up.",
    )
    bot.add_argument("--url", default="http://127.0.0.1:8000", help="the server (default: http://127.0.0.1:8000)")
    target = bot.add_mutually_exclusive_group()
    target.add_argument("--code", help="the session's six-character join code")
    target.add_argument("--session", help="the session's id")
    target.add_argument(
        "--session-token",
        dest="session_token",
        help=f"play a seat you already hold (the sessionToken from creating or joining); one bot. Without any "
        f"of these three flags the token is read from {SESSION_TOKEN_VARIABLE}, which other users cannot see",
    )
    bot.add_argument("--count", type=bot_count, default=1, help="computer players to seat, 1-8 (default: 1)")
    bot.add_argument("--name-prefix", dest="name_prefix", default="Bot", help="display name prefix (default: Bot)")
    bot.add_argument("--think", type=non_negative, default=0.3, help="average seconds before a move (default: 0.3)")
    bot.add_argument("--seed", type=int, help="makes the bots' choices repeatable (bot i uses seed+i)")
    bot.add_argument(
        "--level",
        type=level,
        default=Level.NORMAL,
        help="how well the bots play: easy (any card that fits), normal (rules of thumb), hard (searches simulated "
        "games each move) (default: normal)",
    )
    bot.add_argument(
        "--playouts",
        type=positive,
        default=DEFAULT_PLAYOUTS,
        help=f"hard only: games simulated per move at most (default: {DEFAULT_PLAYOUTS})",
    )
    bot.add_argument(
        "--move-budget",
        dest="move_budget",
        type=positive_float,
        default=DEFAULT_TIME_BUDGET_S,
        help=f"hard only: seconds of search per move at most, before --think (default: {DEFAULT_TIME_BUDGET_S})",
    )
    bot.add_argument(
        "--start",
        action="store_true",
        help="start the tournament once every seat is taken (the first bot's seat must be the creator's)",
    )
    bot.set_defaults(handler=_bot)
