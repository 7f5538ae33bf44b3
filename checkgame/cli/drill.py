"""``checkgame dr-drill``: the disaster-recovery drill (checkgame/drill/run.py) with its verdict as exit status."""

from __future__ import annotations

import argparse
import sys

__all__ = ["add_commands"]


def _drill(args: argparse.Namespace) -> int:
    from checkgame.drill.backrest import S3Repo
    from checkgame.drill.run import run_drill

    s3 = None
    if args.s3_endpoint:
        s3 = S3Repo(args.s3_endpoint, args.s3_bucket, args.s3_key, args.s3_secret, verify_tls=not args.s3_no_verify)
    try:
        report = run_drill(
            tables=args.tables,
            write_s=args.write_seconds,
            archive_timeout_s=args.archive_timeout,
            s3=s3,
            rto_target_s=args.rto_target,
            rpo_target_s=args.rpo_target,
        )
    except RuntimeError as exc:
        print(f"checkgame dr-drill: {exc}", file=sys.stderr)
        return 2
    print("\n".join(report.lines()), flush=True)
    return 0 if report.passed else 1


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare ``dr-drill``."""
    drill = commands.add_parser(
        "dr-drill",
        help="disaster-recovery drill: destroy a throwaway PostgreSQL, restore it from S3 to a point in time, time it",
        description="On a throwaway PostgreSQL cluster (needs root or the postgres user, PostgreSQL 15 and "
        "pgbackrest): write real games, back up with deploy/scripts/backup.sh, keep writing, destroy the cluster, "
        "restore to a point in time from the S3 repository with restore.sh, validate every table and the game's "
        "invariants, serve it with a node, and print RTO and RPO against the targets (exit 1 when missed).",
    )
    drill.add_argument("--tables", type=int, default=20, help="tournaments written before the full backup")
    drill.add_argument("--write-seconds", type=float, default=10.0, help="writing after the full backup")
    drill.add_argument("--archive-timeout", type=int, default=60, help="PostgreSQL archive_timeout, seconds")
    drill.add_argument("--rto-target", type=float, default=3600.0, help="seconds (the plan: < 1 h)")
    drill.add_argument("--rpo-target", type=float, default=900.0, help="seconds (the plan: < 15 min)")
    drill.add_argument("--s3-endpoint", default="", help="host:port of the S3 repository; default: a local moto")
    drill.add_argument("--s3-bucket", default="checkgame-backups")
    drill.add_argument("--s3-key", default="")
    drill.add_argument("--s3-secret", default="")
    drill.add_argument("--s3-no-verify", action="store_true", help="do not verify the S3 server's certificate")
    drill.set_defaults(handler=_drill)
