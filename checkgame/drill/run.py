"""The disaster-recovery drill: load, back up, keep writing, destroy, restore to a point in time, validate, time it.

Timeline (all on a throwaway cluster archiving its WAL to pgBackRest's two repositories):
1. migrate and write ``tables`` real games; ``backup.sh full`` (local disk and S3);
2. keep writing for ``write_s`` seconds, with an hourly-style ``backup.sh diff`` to S3 half-way;
3. stop writing for a moment: that moment is the recovery target, and every table's rows and
   checksum are taken then, as the expected result;
4. write again until the archive holds WAL past the target (what an operator watching
   ``pg_stat_archiver`` sees), then destroy the cluster: SIGKILL and its data directory deleted;
5. ``restore.sh --time TARGET --repo 2`` from the object store, start PostgreSQL (it replays the
   archived WAL up to the target and promotes), start a node on it and wait until it is ready;
6. compare: checksums equal to the expected ones, the application's invariants, the node serving
   the last game written before the target and not one written after it.
RTO is destruction → a ready node; RPO is the writes lost: destruction − recovery target.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import trio

from checkgame.drill.backrest import STANZA, LocalS3, S3Repo, archive_settings, write_config
from checkgame.drill.load import checksums, play_table, session_id, violations
from checkgame.drill.pg import PgCluster, as_postgres, free_port, make_workdir
from checkgame.errors import StoreError
from checkgame.store import open_store

__all__ = ["DrillReport", "run_drill"]

SCRIPTS = Path(__file__).resolve().parents[2] / "deploy" / "scripts"
"""backup.sh and restore.sh, run as an operator runs them (the drill is run from a checkout)."""
DATABASE = "checkgame"


@dataclass
class DrillReport:
    """What the drill measured and found; ``passed`` when every check holds and both targets are met."""

    rto_s: float = 0.0
    rpo_s: float = 0.0
    rto_target_s: float = 3600.0
    rpo_target_s: float = 900.0
    target: str = ""
    tables_at_target: int = 0
    tables_lost: int = 0
    """Written (acknowledged) after the target: gone by design of a restore to that moment."""
    steps: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems and self.rto_s < self.rto_target_s and self.rpo_s < self.rpo_target_s

    def lines(self) -> list[str]:
        def verdict(got: float, goal: float) -> str:
            return "met" if got < goal else "MISSED"

        return [
            f"recovery target {self.target}: {self.tables_at_target} tournaments restored, "
            f"{self.tables_lost} written after it discarded",
            *(f"  {step}: {seconds:.1f} s" for step, seconds in self.steps.items()),
            *(f"problem: {problem}" for problem in self.problems),
            f"RTO {self.rto_s:.1f} s (target < {self.rto_target_s:.0f} s): {verdict(self.rto_s, self.rto_target_s)}",
            f"RPO {self.rpo_s:.1f} s (target < {self.rpo_target_s:.0f} s): {verdict(self.rpo_s, self.rpo_target_s)}",
            "dr-drill: PASSED" if self.passed else "dr-drill: FAILED",
        ]


def _script(name: str, *args: str, env: dict[str, str]) -> None:
    done = subprocess.run(as_postgres(["bash", str(SCRIPTS / name), *args]), env={**os.environ, **env},
                          capture_output=True, text=True, timeout=1800, check=False)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"{name} {' '.join(args)} failed: {done.stderr.strip()[-2000:]}")


async def _write(url: str, done: list[str], count: int | None = None) -> None:
    """Write tables numbered on from ``len(done)``, appending each session id once acknowledged, until ``count``
    are written or the caller's scope ends (a table is written whole, or not begun)."""
    async with open_store(url) as store:
        for _ in iter(int, 1) if count is None else range(count):
            with trio.CancelScope(shield=True):
                done.append(await play_table(store, len(done), seed=len(done)))
            await trio.lowlevel.checkpoint()


def _archived_past(cluster: PgCluster, lsn: str) -> bool:
    return (
        cluster.psql(f"SELECT coalesce(last_archived_wal >= pg_walfile_name('{lsn}'), false) FROM pg_stat_archiver")
        == "t"
    )


async def _drill(
    root: Path, s3: S3Repo, report: DrillReport, *, tables: int, write_s: float, archive_timeout_s: int
) -> None:
    config = root / "pgbackrest" / "pgbackrest.conf"
    cluster = PgCluster(root / "db", settings=archive_settings(config, archive_timeout_s=archive_timeout_s))
    write_config(config, cluster, root / "repo1", s3)
    env = {"PGBACKREST_CONFIG": str(config), "PGBACKREST_STANZA": STANZA}
    url = cluster.url(DATABASE)
    cluster.init().start()
    try:
        cluster.psql(f"CREATE DATABASE {DATABASE}")
        async with open_store(url) as store:
            await store.migrate()
        done: list[str] = []
        await _write(url, done, tables)
        started = time.monotonic()
        _script("backup.sh", "full", env=env)
        report.steps["full backup (local + S3)"] = time.monotonic() - started

        half = time.monotonic() + write_s / 2
        with trio.move_on_at(trio.current_time() + write_s / 2):
            await _write(url, done)
        started = time.monotonic()
        _script("backup.sh", "diff", env={**env, "BACKUP_REPOS": "2"})
        report.steps["differential backup (S3)"] = time.monotonic() - started
        with trio.move_on_at(trio.current_time() + max(0.0, write_s - (time.monotonic() - half))):
            await _write(url, done)

        report.target = cluster.psql(
            "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US+00')"
        )
        target_at = time.time()
        expected = checksums(cluster, DATABASE)
        written = report.tables_at_target = len(done)
        target_lsn = cluster.psql("SELECT pg_current_wal_insert_lsn()")
        await trio.sleep(0.2)  # nothing commits at the target itself

        async def keep_writing() -> None:
            with contextlib.suppress(StoreError):  # the cluster dies under the writer, as meant
                await _write(url, done)

        # The writer's pool retries the dead server and would log a traceback for each attempt: expected here.
        logging.getLogger("asyncpg.pool").disabled = True
        async with trio.open_nursery() as nursery:
            nursery.start_soon(keep_writing)
            while not _archived_past(cluster, target_lsn):  # noqa: ASYNC110 - a condition of another process
                await trio.sleep(0.2)
            destroyed_at = time.time()
            cluster.kill()
            shutil.rmtree(cluster.data)
        report.rpo_s = destroyed_at - target_at
        report.tables_lost = len(done) - written

        started = time.monotonic()
        _script("restore.sh", "--yes", "--time", report.target, "--repo", "2", env=env)
        report.steps["restore from S3"] = time.monotonic() - started
        started = time.monotonic()
        cluster.start()
        deadline = time.monotonic() + 600
        while cluster.psql("SELECT pg_is_in_recovery()") != "f":
            if time.monotonic() > deadline:
                raise RuntimeError("PostgreSQL did not leave recovery within 600 s")
            await trio.sleep(0.1)
        report.steps["WAL replay to the target"] = time.monotonic() - started
        await _serve_and_check(root, cluster, report, expected, written)
        report.rto_s = time.time() - destroyed_at
    finally:
        cluster.stop("immediate")


async def _serve_and_check(
    root: Path, cluster: PgCluster, report: DrillReport, expected: dict[str, str], written: int
) -> None:
    started = time.monotonic()
    port = free_port()
    env = {**os.environ, "DATABASE_URL": cluster.url(DATABASE), "CHECKGAME_PORT": str(port),
           "CHECKGAME_DATA_DIR": str(root / "node"), "CHECKGAME_LOG_FORMAT": "json"}  # fmt: skip
    with (root / "node.log").open("wb") as log:
        node = await trio.lowlevel.open_process(
            [sys.executable, "-m", "checkgame", "serve"], env=env, stdout=log, stderr=log
        )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=5) as http:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if (await http.get("/ready")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if node.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the node on the restored database never got ready (see {root / 'node.log'})")
                await trio.sleep(0.1)
            report.steps["node ready on the restored database"] = time.monotonic() - started
            last = (await http.get(f"/api/v1/sessions/{session_id(written - 1)}")).json()
            if last.get("session", {}).get("status") != "finished":
                report.problems.append(f"the node does not serve the last tournament before the target: {last}")
            beyond = await http.get(f"/api/v1/sessions/{session_id(written)}")
            if beyond.status_code != 404:
                report.problems.append(f"a tournament written after the target was restored ({beyond.status_code})")
    finally:
        node.terminate()
        with trio.move_on_after(30) as waited:
            await node.wait()
        if waited.cancelled_caught:
            node.kill()
    restored = checksums(cluster, DATABASE)
    for table in sorted(expected.keys() | restored.keys()):
        if expected.get(table) != restored.get(table):
            report.problems.append(f"table {table}: expected {expected.get(table)}, restored {restored.get(table)}")
    for rule, count in violations(cluster, DATABASE).items():
        report.problems.append(f"{count} x {rule}")


def run_drill(
    *, tables: int = 20, write_s: float = 4.0, archive_timeout_s: int = 60, s3: S3Repo | None = None,
    rto_target_s: float = 3600.0, rpo_target_s: float = 900.0,
) -> DrillReport:  # fmt: skip
    """Run the whole drill on a throwaway cluster (and a local S3 server unless ``s3`` is given)."""
    if shutil.which("pgbackrest") is None:
        raise RuntimeError("pgbackrest is not installed (Debian: apt-get install pgbackrest)")
    report = DrillReport(rto_target_s=rto_target_s, rpo_target_s=rpo_target_s)
    root = make_workdir("checkgame-dr-drill-")
    for sub in ("pgbackrest", "pgbackrest/lock", "pgbackrest/log", "repo1"):  # pgBackRest runs as postgres
        (root / sub).mkdir()
        if os.geteuid() == 0:
            shutil.chown(root / sub, "postgres", "postgres")
    local = None if s3 is not None else LocalS3(root).start()
    try:
        repo = s3 if s3 is not None else local.repo  # type: ignore[union-attr]
        trio.run(
            lambda: _drill(root, repo, report, tables=tables, write_s=write_s, archive_timeout_s=archive_timeout_s)
        )
    except Exception as exc:
        raise RuntimeError(f"{exc} (its files are kept in {root})") from exc
    finally:
        if local is not None:
            local.stop()
    shutil.rmtree(root, ignore_errors=True)
    return report
