"""Sessions whose live state was lost end visibly, with a reason (issue 12, defect 9b).

The live state of a running tournament lives in the node's memory (embedded)
or in Redis. When it is lost, by restarting the embedded node or a Redis
without persistence, the database still said "playing" forever. Now a sweep
ends such sessions with ``endReason: live_state_lost``, shown by the API, the
lobby and the console.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.attack.harness import RedisServer, Target
from tests.support.processes import free_port, wait_until

pytestmark = pytest.mark.slow

CHECK_S = "1"
"""Sweep every second (and judge sessions a second old), so the test does not wait a minute."""


@dataclass
class Table:
    """A started tournament of a registered creator and one guest."""

    session_id: str
    creator_token: str


def _started_table(url: str) -> Table:
    with httpx.Client(base_url=url + "/api/v1", timeout=10) as http:
        name = f"lost{free_port()}"
        registered = http.post(
            "/auth/register", json={"username": name, "email": f"{name}@example.com", "password": "lost and found 9!"}
        )
        assert registered.status_code == 201, registered.text
        access = {"authorization": f"Bearer {registered.json()['accessToken']}"}
        created = http.post("/sessions", json={"name": "doomed", "maxPlayers": 2}, headers=access)
        assert created.status_code == 201, created.text
        session_id, token = created.json()["session"]["id"], created.json()["sessionToken"]
        joined = http.post("/sessions/join-by-code", json={"code": created.json()["joinCode"], "name": "Guest"})
        assert joined.status_code == 200, joined.text
        started = http.post(f"/sessions/{session_id}/games/start", headers={"authorization": f"Bearer {token}"})
        assert started.status_code == 200, started.text
    wait_until(lambda: _session(url, session_id)["status"] == "playing", "the start recorded", 10)
    return Table(session_id, token)


def _session(url: str, session_id: str) -> dict[str, Any]:
    response = httpx.get(f"{url}/api/v1/sessions/{session_id}", timeout=5)
    response.raise_for_status()
    session: dict[str, Any] = response.json()["session"]
    return session


def _assert_ended_as_lost(url: str, table: Table) -> None:
    wait_until(lambda: _session(url, table.session_id)["status"] == "finished", "the lost session ended", 30)
    detail = httpx.get(f"{url}/api/v1/sessions/{table.session_id}", timeout=5).json()
    assert detail["session"]["endReason"] == "live_state_lost", detail
    assert detail["session"]["winnerId"] is None
    assert detail["session"]["finishedAt"] is not None
    assert detail["live"] is None
    listed = httpx.get(f"{url}/api/v1/sessions?status=finished", timeout=5).json()["items"]
    assert [s["endReason"] for s in listed if s["id"] == table.session_id] == ["live_state_lost"]
    assert httpx.get(f"{url}/api/v1/sessions?status=playing", timeout=5).json()["total"] == 0


def test_an_embedded_node_restarted_mid_tournament_ends_the_session_it_lost(tmp_path: Path) -> None:
    node = Target(tmp_path / "node", settings={"CHECKGAME_LOST_SESSION_CHECK_S": CHECK_S})
    node.start()
    try:
        table = _started_table(node.url)
        assert node.stop() == 0
        node.start()  # the same data directory and port: the database remembers, the memory does not
        _assert_ended_as_lost(node.url, table)
        node.assert_alive()
        assert "Traceback" not in node.log_text()
    finally:
        node.stop()


@pytest.mark.redis
def test_a_node_whose_redis_restarts_empty_ends_the_sessions_it_lost(tmp_path: Path, redis_server: RedisServer) -> None:
    node = Target(
        tmp_path / "node", settings={"REDIS_URL": redis_server.url, "CHECKGAME_LOST_SESSION_CHECK_S": CHECK_S}
    )
    node.start()
    try:
        table = _started_table(node.url)
        redis_server.stop()
        redis_server.start()  # empty: no snapshot, no append-only file
        _assert_ended_as_lost(node.url, table)
        node.assert_alive()
    finally:
        node.stop()
