"""Fixtures of the cluster tests: real nodes, real PostgreSQL, Redis and nginx (skipped locally when absent)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cluster.harness import Cluster, drop_postgres_database, fresh_postgres_database
from tests.support.services import require, services_required

FAST = {
    "CHECKGAME_ACTIONS_PER_S": "1000",
    "CHECKGAME_ACTION_BURST": "1000",
    "CHECKGAME_MESSAGES_PER_MIN": "1000000",
    "CHECKGAME_NEXT_GAME_DELAY_S": "0.05",
    "CHECKGAME_AUTH_PER_MIN": "100000",
    "CHECKGAME_REQUESTS_PER_MIN": "1000000",
    "CHECKGAME_SESSIONS_PER_HOUR": "100000",
}
REDIS_TEST_DB = 13
"""A Redis database of the cluster tests' own, flushed before each test."""


def _require_nginx() -> None:
    if shutil.which("nginx") is None:
        if services_required():
            pytest.fail("nginx is not installed (CHECKGAME_REQUIRE_SERVICES is set)")
        pytest.skip("nginx is not installed")


@pytest.fixture
def cluster(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Cluster]:
    """Two nodes (or ``@pytest.mark.parametrize("cluster", [3], indirect=True)``) behind nginx."""
    admin_url = require("postgres")
    redis_url = f"{require('redis').rsplit('/', 1)[0]}/{REDIS_TEST_DB}"
    _require_nginx()
    subprocess.run(["redis-cli", "-u", redis_url, "flushdb"], check=True, capture_output=True)
    database_url, name = fresh_postgres_database(admin_url)
    settings = dict(FAST)
    settings.update(getattr(request, "param", {}) if isinstance(getattr(request, "param", None), dict) else {})
    nodes = request.param if isinstance(getattr(request, "param", None), int) else 2
    cluster = Cluster(tmp_path, database_url, redis_url, settings=settings)
    try:
        cluster.start(nodes)
        yield cluster
    finally:
        cluster.stop()
        drop_postgres_database(admin_url, name)
