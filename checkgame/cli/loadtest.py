"""``checkgame loadtest``: computer players over the real protocol, measured (docs/performance.md)."""

from __future__ import annotations

import argparse
import sys

from checkgame.cli.args import non_negative, player_count, positive

__all__ = ["add_commands"]


def _fraction(text: str) -> float:
    value = float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 0 and below 1, not {value}")
    return value


def _loadtest(args: argparse.Namespace) -> int:
    import json
    import secrets

    from checkgame.loadtest.plan import Plan
    from checkgame.loadtest.report import render
    from checkgame.loadtest.run import run_all
    from checkgame.loadtest.servers import SetupError
    from checkgame.loadtest.worker import raise_file_limit

    if args.chaos:
        return _chaos(args)
    if (args.url is None) == (args.start is None):
        print("checkgame loadtest: give either --url or --start", file=sys.stderr)
        return 2
    if args.echo and args.start == "cluster":  # an echo room lives in one process; nginx spreads a table over two
        print("checkgame loadtest: --echo measures one process; use it with --start embedded or redis", file=sys.stderr)
        return 2
    raise_file_limit()
    plan = Plan(
        url=args.url or "",
        players=args.players,
        table_size=args.table_size,
        pace_s=args.pace,
        jitter=args.jitter,
        duration_s=args.duration,
        ramp_s=args.ramp,
        workers=args.workers,
        idle=args.idle,
        run_id=secrets.token_hex(3),
    )
    try:
        result = run_all(
            plan,
            start=args.start,
            echo=args.echo,
            postgres_url=args.postgres_url,
            redis_url=args.redis_url,
            progress=None if args.quiet else sys.stderr,
            server_pids=args.server_pid,
        )
    except SetupError as exc:
        print(f"checkgame loadtest: {exc}", file=sys.stderr)
        return 2
    print(render(result))
    if args.json is not None:
        with open(args.json, "w") as out:
            json.dump(result, out, indent=2)
    runs = [result, result["echo"]] if "echo" in result else [result]
    clean = all(run["errorCount"] == 0 and run["seatedAllPlayers"] for run in runs)
    return 0 if clean else 1  # a speed is never a failure; errors and players left standing are


def _chaos(args: argparse.Namespace) -> int:
    import json

    from checkgame.loadtest.chaos import render_soak, run_soak
    from checkgame.loadtest.servers import SetupError
    from checkgame.loadtest.worker import raise_file_limit

    if args.start != "cluster" or args.url is not None:
        print("checkgame loadtest: --chaos starts its own cluster; use it with --start cluster", file=sys.stderr)
        return 2
    raise_file_limit()
    try:
        result = run_soak(
            duration_s=args.duration,
            players=args.players,
            table_size=args.table_size,
            nodes=args.nodes,
            postgres_url=args.postgres_url,
        )
    except SetupError as exc:
        print(f"checkgame loadtest: {exc}", file=sys.stderr)
        return 2
    print(render_soak(result))
    if args.json is not None:
        with open(args.json, "w") as out:
            json.dump(result, out, indent=2)
    return 0 if result["gamesLost"] == 0 and not result["crashes"] else 1  # never because of a speed


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare ``loadtest``."""
    parser = commands.add_parser(
        "loadtest",
        help="measure a server under many computer players (latency, CPU, memory)",
        description="Seat --players computer players at tables of --table-size over the public API, play them over "
        "WebSockets at --pace, and report the time from each action to the moment every player of its table has "
        "it (p50/p95/p99/max), actions/s, errors, and the CPU and memory of the server and of this load generator. "
        "Against --url, the server must lift its per-IP and per-user REST limits (see docs/performance.md). "
        "Exits 1 when a player met an error or was never seated (never because of a speed).",
    )
    target = parser.add_argument_group("target (one of)")
    target.add_argument("--url", help="a running server or load balancer, e.g. http://127.0.0.1:8000")
    target.add_argument(
        "--start",
        choices=("embedded", "redis", "cluster"),
        help="start the server: one node on the embedded defaults, one on PostgreSQL + Redis, or two behind nginx",
    )
    target.add_argument(
        "--server-pid",
        type=int,
        action="append",
        help="with --url on this machine: read the server's CPU and memory from /proc (repeat for several "
        "processes); otherwise they come from its /metrics",
    )
    parser.add_argument("--players", type=positive, default=200, help="players to seat (default: 200)")
    parser.add_argument("--table-size", type=player_count, default=4, help="players per session (default: 4)")
    parser.add_argument(
        "--pace", type=non_negative, default=2.0, help="seconds between two actions of a player (default: 2)"
    )
    parser.add_argument("--jitter", type=_fraction, default=0.5, help="pause spread, ±fraction (default: 0.5)")
    parser.add_argument("--duration", type=non_negative, default=30.0, help="measured seconds (default: 30)")
    parser.add_argument("--ramp", type=non_negative, default=10.0, help="seconds over which tables sit down (10)")
    parser.add_argument("--workers", type=positive, default=2, help="load generator processes (default: 2)")
    parser.add_argument("--idle", action="store_true", help="connect the players but start no game (memory)")
    parser.add_argument(
        "--echo",
        action="store_true",
        help="first measure the bare WebSocket echo the same way: the ceiling (with --idle: bare connections)",
    )
    parser.add_argument(
        "--chaos",
        action="store_true",
        help="with --start cluster: a soak on its own Redis, database and Prometheus that kills a node, rolls every "
        "node, pauses Redis and refuses PostgreSQL at set moments of --duration, then reports the service-level "
        "objectives, the error budget each fault spent and the games lost (exits 1 on a lost game or a crash)",
    )
    parser.add_argument("--nodes", type=int, choices=(2, 3), default=2, help="with --chaos: nodes behind nginx (2)")
    parser.add_argument("--json", help="also write the results as JSON to this file")
    parser.add_argument("--quiet", action="store_true", help="no progress line")
    parser.add_argument(
        "--postgres-url",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="for --start redis/cluster: a fresh database is created next to this one and dropped after",
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/9",
        help="for --start redis/cluster: this Redis database is FLUSHED first (default: database 9)",
    )
    parser.set_defaults(handler=_loadtest)
