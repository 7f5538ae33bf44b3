"""The PostgreSQL contract backend "via pgbouncer": a throwaway cluster behind a real PgBouncer for the session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.contract import pg_bouncer_dbs


@pytest.fixture(scope="session")
def pgbouncer_backend() -> Iterator[None]:
    """Start the cluster and PgBouncer on first use (a session fixture), stop them after the last test."""
    with pg_bouncer_dbs.running():
        yield
