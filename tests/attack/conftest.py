"""Fixtures of the attack suite: a real node per test, checked to have survived whatever the test did to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.attack.harness import RedisServer, Target
from tests.attack.rawws import RawSocket, open_socket
from tests.cluster.conftest import cluster as cluster  # two nodes behind nginx, for the attacks that need them
from tests.support.processes import free_port


@pytest.fixture
def target(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Target]:
    """An embedded node (SQLite, memory); ``@pytest.mark.parametrize("target", [{...}], indirect=True)`` sets env."""
    settings = request.param if isinstance(getattr(request, "param", None), dict) else {}
    node = Target(tmp_path / "node", settings=dict(settings))
    node.start()
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture
def ws_open(target: Target) -> Iterator[Callable[[str], RawSocket]]:
    """Open a raw WebSocket to ``target`` at a path (``/api/v1/ws?token=...``); all are closed after the test."""
    opened: list[RawSocket] = []

    def open_path(path: str) -> RawSocket:
        opened.append(open_socket(target.url, path))
        return opened[-1]

    yield open_path
    for ws in opened:
        ws.close()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of the test's own on a free loopback port (stop and start it to fake an outage)."""
    server = RedisServer(tmp_path, free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()
