"""Servers the contract suites share for the whole run: a real Redis Cluster (three masters, one replica each),
and a throwaway PostgreSQL cluster behind a real PgBouncer ("via pgbouncer" store backend)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.contract import pg_bouncer_dbs
from tests.support.redis_cluster import RedisCluster, cluster_available
from tests.support.services import services_required


@pytest.fixture(scope="session")
def redis_cluster_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a cluster started once for the whole run (its tests use key prefixes of their own)."""
    if not cluster_available():
        message = "redis-server and redis-cli 7 are needed for a Redis Cluster"
        if services_required():
            pytest.fail(f"{message} (CHECKGAME_REQUIRE_SERVICES is set)")
        pytest.skip(message)
    cluster = RedisCluster(tmp_path_factory.mktemp("redis-cluster"))
    try:
        cluster.start()
        yield cluster.url
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def pgbouncer_backend() -> Iterator[None]:
    """Start the cluster and PgBouncer on first use (a session fixture), stop them after the last test."""
    with pg_bouncer_dbs.running():
        yield
