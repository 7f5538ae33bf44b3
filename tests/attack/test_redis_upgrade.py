"""An upgrade while the node's Redis is unreachable is told to come back (1013), and the node recovers with Redis."""

from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.attack.harness import Target, play_bot_tournament
from tests.attack.rawws import open_socket, session_token
from tests.support.processes import free_port, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("redis-server") is None, reason="no redis-server")]


class _Redis:
    """A redis-server of the test's own, on a free loopback port, without persistence."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
        )
        wait_until(self._answers, "redis-server up", 10)

    def _answers(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[_Redis]:
    server = _Redis(tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_an_upgrade_without_redis_is_told_to_retry(tmp_path: Path, redis: _Redis) -> None:
    node = Target(tmp_path / "node", settings={"REDIS_URL": redis.url})
    node.start()
    try:
        _, token = session_token(node.url)
        redis.stop()
        ws = open_socket(node.url, f"/api/v1/ws?token={token}")
        try:
            assert ws.wait_closed(30) == 1013
            assert "reconnect" in (ws.close_reason or "")
        finally:
            ws.close()
        redis.start()  # empty: the session's live state is gone, but the node itself works again
        node.assert_alive()
        play_bot_tournament(node.url)
        node.assert_memory_settles()
        # The node's background tasks (timers, node reports) log their retries with a traceback while Redis is
        # away, by design of their own; the WebSocket's answer must not.
        endpoint = [line for line in node.log_text().splitlines() if "checkgame.transport.ws" in line]
        assert not [line for line in endpoint if "Traceback" in line], endpoint
    finally:
        node.stop()
