"""Real PostgreSQL and Redis for the tests that need them.

By default a test whose service does not answer is skipped, so ``pytest`` works
on a laptop with nothing installed. CI sets ``CHECKGAME_REQUIRE_SERVICES=1``
(``.ci/run`` does): then a missing service *fails* the test instead, so a green
run really exercised PostgreSQL and Redis.

``CHECKGAME_TEST_POSTGRES_URL`` and ``CHECKGAME_TEST_REDIS_URL`` point at other
servers (defaults: the local ones, trust auth, database ``test``).
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

import pytest

POSTGRES_URL = os.environ.get("CHECKGAME_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("CHECKGAME_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def services_required() -> bool:
    """True in CI: a missing service is a failure, not a skip."""
    return os.environ.get("CHECKGAME_REQUIRE_SERVICES", "") not in ("", "0", "false", "no")


def _answers(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def require(service: str) -> str:
    """The URL of ``service`` (``postgres`` or ``redis``), or skip/fail the calling test when it is down."""
    url, port = (POSTGRES_URL, 5432) if service == "postgres" else (REDIS_URL, 6379)
    if not _answers(url, port):
        message = f"{service} does not answer at {urlsplit(url).netloc}"
        if services_required():
            pytest.fail(f"{message} (CHECKGAME_REQUIRE_SERVICES is set)")
        pytest.skip(message)
    return url
