"""A real ``checkgame serve`` whose DATABASE_URL is a real PgBouncer in transaction pooling mode.

The node's pool (up to 10 connections) shares PgBouncer's 3 server connections, so consecutive
transactions of one pooled connection run on different PostgreSQL backends: prepared statements
or session state kept across transactions would break the tournament (the store contract suite
runs through the same PgBouncer; see tests/contract/pg_bouncer_dbs.py).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import trio

from checkgame.drill.pg import PgCluster, make_workdir
from checkgame.store import open_store
from checkgame.store.migrate import load_migrations
from checkgame.store.postgres import MIGRATIONS_PACKAGE
from tests.attack.harness import Target, play_bot_tournament
from tests.support.pgbouncer import PgBouncer

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def bouncer() -> Iterator[PgBouncer]:
    root = make_workdir("checkgame-pgbouncer-")
    cluster = PgCluster(root / "primary").init().start()
    cluster.psql("CREATE DATABASE checkgame")
    started = PgBouncer(cluster, root, pool_size=3)
    try:
        yield started.start()
    finally:
        started.stop()
        cluster.destroy()
        shutil.rmtree(root, ignore_errors=True)


def test_a_tournament_plays_through_pgbouncer_and_is_recorded(bouncer: PgBouncer, tmp_path: Path) -> None:
    url = bouncer.url("checkgame")
    migrate = [sys.executable, "-m", "checkgame", "migrate", "--database-url", url]
    migrated = subprocess.run(migrate, capture_output=True, text=True, timeout=60, check=False)
    assert migrated.returncode == 0, migrated.stderr
    node = Target(tmp_path / "node", {"DATABASE_URL": url})
    node.start()
    try:
        session_ids = [play_bot_tournament(node.url)]
        node.assert_alive()
        assert "Traceback" not in node.log_text(), node.log_text()[-4000:]
    finally:
        node.stop()

    db = bouncer.backend
    for session_id in session_ids:
        games = int(db.psql(f"SELECT count(*) FROM games WHERE session_id = '{session_id}'", "checkgame"))
        assert games >= 1
        unlogged = db.psql(
            "SELECT count(*) FROM games g WHERE g.session_id = "
            f"'{session_id}' AND NOT EXISTS (SELECT 1 FROM game_actions a WHERE a.game_id = g.id)",
            "checkgame",
        )
        assert unlogged == "0"
        assert db.psql(f"SELECT status FROM sessions WHERE id = '{session_id}'", "checkgame") == "finished"
    # Everything went through PgBouncer, multiplexed on its few server connections.
    (stats,) = [row for row in bouncer.show("STATS") if row[0] == "checkgame"]
    assert int(stats[1]) >= 10  # total_xact_count
    servers = [row for row in bouncer.show("SERVERS") if row[2] == "checkgame"]  # type|user|database|...
    assert 1 <= len(servers) <= 3
    assert "prepared statement" not in bouncer.log_text()


async def test_concurrent_migrations_through_pgbouncer_apply_each_version_once(bouncer: PgBouncer) -> None:
    results: list[list[int]] = []

    async def migrate_once() -> None:
        async with open_store(bouncer.url("checkgame")) as store:
            results.append(await store.migrate())

    async with trio.open_nursery() as nursery:
        for _ in range(4):
            nursery.start_soon(migrate_once)
    applied = sorted(version for versions in results for version in versions)
    assert applied == [m.version for m in load_migrations(MIGRATIONS_PACKAGE)]
    async with open_store(bouncer.url("checkgame")) as store:
        assert await store.pending_migrations() == []
    # No session lock stayed behind on a server connection: a later migration does not wait for it.
    with trio.fail_after(30):
        async with open_store(bouncer.url("checkgame")) as store:
            assert await store.migrate() == []
