"""DATABASE_READ_URL against a real streaming replica (``pg_basebackup -R``) of a throwaway primary.

Which server answered is told apart by what each has: with the replica's replay paused, a
session written since is on the primary only, so a listing that misses it came from the replica.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from checkgame.drill.pg import PgCluster, make_workdir
from checkgame.store import open_store
from checkgame.store.base import GameResult, SessionPlayer, SessionRecord, Store, User
from tests.attack.harness import Target

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


@dataclass
class Pair:
    primary: PgCluster
    replica: PgCluster

    def read_url(self, **params: object) -> str:
        query = "&".join(f"{name}={value}" for name, value in params.items())
        return self.replica.url() + (f"?{query}" if query else "")

    def lsn(self) -> str:
        return self.primary.psql("SELECT pg_current_wal_lsn()")

    def wait_replica(self, function: str = "pg_last_wal_replay_lsn") -> None:
        """Until the replica has received (or replayed) everything the primary has written (a 30 s ceiling)."""
        target = self.lsn()
        deadline = time.monotonic() + 30
        while self.replica.psql(f"SELECT {function}() >= '{target}'::pg_lsn") != "t":
            assert time.monotonic() < deadline, f"the replica never reached {target} ({function})"
            time.sleep(0.05)


@pytest.fixture
def pair() -> Iterator[Pair]:
    root = make_workdir("checkgame-replica-")
    primary = PgCluster(root / "primary").init().start()
    replica = primary.standby(root / "replica")
    try:
        yield Pair(primary, replica)
    finally:
        replica.destroy()
        primary.destroy()
        shutil.rmtree(root, ignore_errors=True)


def session(n: int) -> SessionRecord:
    return SessionRecord(f"s{n}", f"CODE{n:02d}", f"Table {n}", "u1", 4, False, "waiting", T0)


async def listed(store: Store) -> list[str]:
    page, _ = await store.list_sessions(status=None, public_only=False, limit=10, offset=0)
    return sorted(s.id for s in page)


async def test_lag_tolerant_reads_go_to_the_replica_and_read_backs_to_the_primary(pair: Pair) -> None:
    async with open_store(pair.primary.url(), migrate=True) as writer:
        await writer.create_user(User("u1", "Ann", "ann@example.org", "argon2$x", "player", T0))
        await writer.create_session(session(1))
    pair.wait_replica()
    tolerant = pair.read_url(max_lag=3600, lag_check_interval=0)
    strict = pair.read_url(max_lag=0, lag_check_interval=0)
    async with (
        open_store(pair.primary.url(), read_url=tolerant) as store,
        open_store(pair.primary.url(), read_url=strict) as fussy,
    ):
        assert await listed(store) == ["s1"]
        status = await store.read_replica()
        assert status is not None
        assert (status.state, status.reads_from, status.lag_s) == ("streaming", "replica", 0.0)

        pair.replica.psql("SELECT pg_wal_replay_pause()")
        await store.create_session(session(2))
        await store.add_session_player(SessionPlayer("s2", "u1", "Ann", 0, "u1", T0))
        pair.wait_replica("pg_last_wal_receive_lsn")  # received, not replayed
        assert await listed(store) == ["s1"]  # the replica's view: within max_lag, so still read there
        assert await store.list_played_sessions("u1", limit=10, offset=0) == ([], 0)  # the profile's history too
        ([played], _) = await fussy.list_played_sessions("u1", limit=10, offset=0)
        assert played.session.id == "s2"
        assert await store.get_session("s2") == replace(session(2), player_count=1)  # a read-back: primary
        assert await listed(fussy) == ["s1", "s2"]  # behind by more than max_lag=0: the primary
        lagging = await fussy.read_replica()
        assert lagging is not None
        assert (lagging.state, lagging.reads_from) == ("lagging", "primary")
        assert lagging.lag_s is not None
        assert lagging.lag_s > 0

        pair.replica.psql("SELECT pg_wal_replay_resume()")
        pair.wait_replica()
        assert await listed(fussy) == ["s1", "s2"]
        caught_up = await fussy.read_replica()
        assert caught_up is not None
        assert caught_up.reads_from == "replica"

        pair.replica.stop()
        assert await listed(store) == ["s1", "s2"]  # the replica is gone: the primary answers
        down = await store.read_replica()
        assert down is not None
        assert (down.state, down.reads_from, down.lag_s) == ("down", "primary", None)
        assert down.error

        pair.replica.start()
        back = await store.read_replica()
        assert back is not None
        assert back.reads_from == "replica"


async def test_a_replica_down_at_start_does_not_stop_the_store(pair: Pair) -> None:
    pair.replica.stop()
    async with open_store(pair.primary.url(), migrate=True, read_url=pair.read_url()) as store:
        assert await listed(store) == []
        status = await store.read_replica()
        assert status is not None
        assert status.state == "down"


@pytest.mark.parametrize(
    ("query", "message"), [("max_lag=soon", "max_lag must be a number"), ("lag_check_interval=-1", "at least 0")]
)
async def test_bad_replica_options_are_refused(query: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        async with open_store("postgresql://db/x", read_url=f"postgresql://replica/x?{query}"):
            pass  # pragma: no cover - never entered


async def test_a_replica_needs_a_postgresql_primary(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="needs a postgresql"):
        async with open_store(f"sqlite:///{tmp_path / 'x.db'}", read_url="postgresql://replica/x"):
            pass  # pragma: no cover - never entered


def test_health_says_where_reads_go(pair: Pair, tmp_path: Path) -> None:
    node = Target(
        tmp_path / "node",
        {"DATABASE_URL": pair.primary.url(), "DATABASE_READ_URL": pair.read_url(lag_check_interval=0)},
    )
    node.start()
    try:
        health = httpx.get(node.url + "/health", timeout=10)
        assert health.status_code == 200, health.text
        assert health.json()["checks"]["databaseReplica"]["readsFrom"] == "replica"

        pair.replica.stop()
        health = httpx.get(node.url + "/health", timeout=10)
        assert health.status_code == 200, health.text  # degraded, not down: the primary serves the reads
        check = health.json()["checks"]["databaseReplica"]
        assert (check["state"], check["readsFrom"]) == ("down", "primary")
        assert httpx.get(node.url + "/api/v1/sessions", timeout=10).status_code == 200
    finally:
        node.stop()
    assert "Traceback" not in node.log_text()


async def test_ratings_and_leaderboards_are_read_from_the_replica(pair: Pair) -> None:
    async with open_store(pair.primary.url(), migrate=True) as writer:
        for n, name in ((1, "Ann"), (2, "Ben")):
            await writer.create_user(User(f"u{n}", name, f"{name}@example.org", "argon2$x", "player", T0))
        await writer.create_session(session(1))
        for n in (1, 2):
            await writer.add_session_player(SessionPlayer("s1", f"p{n}", f"P{n}", n, f"u{n}", T0))
    pair.wait_replica()
    async with open_store(pair.primary.url(), read_url=pair.read_url(max_lag=3600, lag_check_interval=0)) as store:
        pair.replica.psql("SELECT pg_wal_replay_pause()")
        played = GameResult("g1", "s1", 1, 7, 5, ("p1", "p2"), "p1", T0, T0, "p2", ("p1", "p2"), "last_card")
        assert len(await store.record_game(played)) == 2  # written on the primary
        pair.wait_replica("pg_last_wal_receive_lsn")
        assert await store.leaderboard(since=None, limit=10) == []  # the replica has not replayed it
        assert (await store.get_rating("u1")).games == 0
        assert await store.rating_history("u1", limit=5) == []
        pair.replica.psql("SELECT pg_wal_replay_resume()")
        pair.wait_replica()
        assert [e.user_id for e in await store.leaderboard(since=None, limit=10)] == ["u1", "u2"]
        assert (await store.get_rating("u1")).games == 1
