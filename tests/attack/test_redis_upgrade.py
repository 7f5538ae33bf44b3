"""An upgrade while the node's Redis is unreachable is told to come back (1013), and the node recovers with Redis."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.attack.harness import RedisServer, Target, play_bot_tournament
from tests.attack.rawws import open_socket, session_token

pytestmark = [pytest.mark.slow, pytest.mark.redis]


def test_an_upgrade_without_redis_is_told_to_retry(tmp_path: Path, redis_server: RedisServer) -> None:
    node = Target(tmp_path / "node", settings={"REDIS_URL": redis_server.url})
    node.start()
    try:
        _, token = session_token(node.url)
        redis_server.stop()
        ws = open_socket(node.url, f"/api/v1/ws?token={token}")
        try:
            assert ws.wait_closed(30) == 1013
            assert "reconnect" in (ws.close_reason or "")
        finally:
            ws.close()
        redis_server.start()  # empty: the session's live state is gone, but the node itself works again
        node.assert_alive()
        play_bot_tournament(node.url)
        node.assert_memory_settles()
        # The node's background tasks (timers, node reports) log their retries with a traceback while Redis is
        # away, by design of their own; the WebSocket's answer must not.
        endpoint = [line for line in node.log_text().splitlines() if "checkgame.transport.ws" in line]
        assert not [line for line in endpoint if "Traceback" in line], endpoint
    finally:
        node.stop()
