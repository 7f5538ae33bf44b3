"""A Redis Cluster master killed mid-tournament: its replica takes over, and every game goes on to its end.

A real ``checkgame serve`` node runs on a real cluster (three masters, one
replica each, ``cluster-node-timeout`` 1 s). Several tournaments of bots are
under way when the master that holds one of them is killed with SIGKILL. The
test reports how long the games on that shard stood still, as the players saw
it (from the kill to the next move committed there), then requires every
tournament to finish with its games recorded and the node to be alive.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from checkgame.live.redis import CLUSTER_BUCKETS, bucket_of
from tests.attack.harness import Target
from tests.support.processes import wait_until
from tests.support.redis_cluster import RedisCluster, cluster_available
from tests.support.services import services_required

pytestmark = [pytest.mark.slow, pytest.mark.redis]

TABLES = 4
PLAYERS = 3
THINK_S = "0.05"
"""Bots that take a moment per move, so the tournaments are still running when the master dies."""


@pytest.fixture(scope="module")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisCluster]:
    if not cluster_available():
        if services_required():
            pytest.fail("redis-server and redis-cli 7 are needed for a Redis Cluster")
        pytest.skip("redis-server and redis-cli 7 are needed for a Redis Cluster")
    cluster = RedisCluster(tmp_path_factory.mktemp("failover-cluster"))
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@dataclass
class Table:
    session_id: str
    bots: list[subprocess.Popen[bytes]]

    def finished_bots(self) -> bool:
        return all(bot.poll() is not None for bot in self.bots)


def _open_table(url: str, n: int) -> Table:
    """A registered creator and ``PLAYERS - 1`` bots, started; the tournament runs once all are seated."""
    name = f"failover{n}x{time.monotonic_ns() % 10**9}"
    with httpx.Client(base_url=url + "/api/v1", timeout=10) as http:
        registered = http.post(
            "/auth/register", json={"username": name, "email": f"{name}@example.com", "password": "a master dies 9!"}
        )
        assert registered.status_code == 201, registered.text
        created = http.post(
            "/sessions",
            json={"name": f"table {n}", "maxPlayers": PLAYERS},
            headers={"authorization": f"Bearer {registered.json()['accessToken']}"},
        )
        assert created.status_code == 201, created.text
    session = created.json()
    bot = [sys.executable, "-m", "checkgame", "bot", "--url", url, "--think", THINK_S]
    joiners = [*bot, "--code", session["joinCode"], "--count", str(PLAYERS - 1), "--seed", str(10 * n)]
    creator = [*bot, "--session-token", session["sessionToken"], "--start", "--seed", str(10 * n + 9)]
    bots = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for argv in (joiners, creator)]
    return Table(session["session"]["id"], bots)


def _status(url: str, session_id: str) -> str:
    detail = httpx.get(f"{url}/api/v1/sessions/{session_id}", timeout=5).json()
    return str(detail["session"]["status"])


def _version(cluster: RedisCluster, session_id: str) -> int:
    """The session's live version, read from the master that serves it now."""
    key = _state_key(session_id)
    try:
        answer = cluster.cli(cluster.master_of(key), "hget", key, "v")
    except LookupError:  # no master serves it (yet)
        return -1
    return int(answer) if answer.isdigit() else -1


def _state_key(session_id: str) -> str:
    return f"{{cg:{bucket_of(session_id, CLUSTER_BUCKETS)}}}:s:{session_id}"


def test_a_killed_master_fails_over_and_every_tournament_finishes(tmp_path: Path, redis_cluster: RedisCluster) -> None:
    node = Target(tmp_path / "node", settings={"REDIS_URL": redis_cluster.url})
    node.start()
    tables: list[Table] = []
    try:
        tables = [_open_table(node.url, n) for n in range(TABLES)]
        wait_until(lambda: all(_status(node.url, t.session_id) == "playing" for t in tables), "tables playing", 30)
        victim_table = tables[0]
        victim = redis_cluster.master_of(_state_key(victim_table.session_id))
        on_victim = [t for t in tables if redis_cluster.master_of(_state_key(t.session_id)) == victim]
        before = {t.session_id: _version(redis_cluster, t.session_id) for t in on_victim}

        killed_at = time.monotonic()
        redis_cluster.kill(victim)
        wait_until(
            lambda: all(_version(redis_cluster, t.session_id) > before[t.session_id] for t in on_victim),
            "the games of the killed master's shard moving again",
            60,
        )
        stood_still_s = time.monotonic() - killed_at
        wait_until(redis_cluster.healthy, "a replica promoted", 30)
        print(f"\nfailover seen by players: {stood_still_s:.2f} s ({len(on_victim)} of {TABLES} tables on the shard)")

        wait_until(lambda: all(t.finished_bots() for t in tables), "every tournament over", 120)
        for table in tables:
            for bot in table.bots:
                out = bot.stdout.read().decode(errors="replace") if bot.stdout else ""
                assert bot.returncode == 0, out[-3000:]
            assert _status(node.url, table.session_id) == "finished"
            games = httpx.get(f"{node.url}/api/v1/sessions/{table.session_id}/games", timeout=5).json()["items"]
            assert sorted(game["number"] for game in games) == list(range(1, PLAYERS)), games  # one loser a game
        node.assert_alive()
        # While the shard is down the node logs warnings (connections told to come back, timer rounds retried);
        # nothing it logs may be an error.
        errors = [line for line in node.log_text().splitlines() if '"level": "error"' in line or "critical" in line]
        assert not errors, errors[:3]
    finally:
        for table in tables:
            for bot in table.bots:
                if bot.poll() is None:
                    bot.kill()
                bot.wait()
                if bot.stdout:
                    bot.stdout.close()
        node.stop()
