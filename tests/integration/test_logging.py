"""Structured logs of a real server: one JSON object per line, request and connection ids, and no secrets.

Every record of the process (ours, Hypercorn's, the HTTP and WebSocket
clients' own debug lines) goes through the JSON formatter at DEBUG while a
player registers, logs in, refreshes, opens a session, connects with a token in
the query string and is dealt a hand; none of the secrets may appear.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio

from checkgame.observability.logs import JsonFormatter
from tests.integration.conftest import Server, connect, create_session, join_as_guest, register


class Captured:
    """The log lines written while the fixture is active."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines()]


@pytest.fixture
def captured() -> Iterator[Captured]:
    capture = Captured()
    handler = logging.StreamHandler(capture.stream)
    handler.setFormatter(JsonFormatter("test-node"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield capture
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


async def test_secrets_and_hands_never_reach_the_logs(
    server: Server, http: httpx.AsyncClient, captured: Captured
) -> None:
    password = "correct-horse-battery-staple"
    response = await http.post(
        "/auth/register", json={"username": "carol", "email": "carol@example.com", "password": password}
    )
    assert response.status_code == 201, response.text
    tokens = [response.json()["accessToken"], response.json()["refreshToken"]]
    login = await http.post("/auth/login", json={"login": "carol", "password": password})
    assert login.status_code == 200, login.text
    refreshed = await http.post("/auth/refresh", json={"refreshToken": login.json()["refreshToken"]})
    assert refreshed.status_code == 200, refreshed.text
    tokens += [login.json()["accessToken"], login.json()["refreshToken"], refreshed.json()["accessToken"]]
    tokens.append(refreshed.json()["refreshToken"])
    wrong = await http.post("/auth/login", json={"login": "carol", "password": "wrong-" + password})
    assert wrong.status_code == 401

    owner = await register(http)
    table = await create_session(http, owner, max_players=2)
    guest = await join_as_guest(http, table.code, "Guest")
    tokens += [owner.access, owner.refresh, table.token, guest.token]
    hands = []
    async with connect(server, table) as ann, connect(server, guest) as bob:
        await ann.until("session_state")
        await bob.until("session_state")
        await ann.send("start_game")
        for client in (ann, bob):
            hands.append((await client.until("game_started"))["data"]["hand"])
    bad = await http.get("/users/profile", headers={"Authorization": "Bearer not-a-real-token-but-secret"})
    assert bad.status_code == 401

    text = captured.text
    assert captured.lines()  # the server did log, in JSON
    for secret in [password, "wrong-" + password, "not-a-real-token-but-secret", *tokens]:
        assert secret not in text
    for hand in hands:
        assert len(hand) > 1
        assert json.dumps(hand) not in text
        assert json.dumps(hand, separators=(",", ":")) not in text
    assert not re.search(r"token=(?!\[REDACTED\])", text)


async def test_each_line_is_one_json_object_with_the_standard_fields(
    server: Server, http: httpx.AsyncClient, captured: Captured
) -> None:
    await register(http)
    lines = captured.lines()
    assert lines
    for line in lines:
        assert {"ts", "level", "logger", "msg", "node"} <= set(line), line
        assert line["node"] == "test-node"
        assert line["level"] in {"debug", "info", "warning", "error", "critical"}


def _access_lines(captured: Captured, route: str) -> list[dict[str, Any]]:
    return [line for line in captured.lines() if line["logger"] == "checkgame.access" and line["route"] == route]


async def test_a_request_id_is_taken_from_the_client_or_made_and_logged_with_the_access_line(
    server: Server, http: httpx.AsyncClient, captured: Captured
) -> None:
    account = await register(http)
    response = await http.get("/users/profile", headers={**account.auth, "X-Request-ID": "trace-42.a"})
    assert response.status_code == 200, response.text
    assert response.headers["X-Request-ID"] == "trace-42.a"

    unsafe = "has spaces and\ttabs"
    response = await http.get("/users/profile", headers={**account.auth, "X-Request-ID": unsafe})
    made = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{16}", made)
    response = await http.get("/users/profile", headers={**account.auth, "X-Request-ID": "x" * 65})
    assert re.fullmatch(r"[0-9a-f]{16}", response.headers["X-Request-ID"])

    lines = _access_lines(captured, "/api/v1/users/profile")
    assert [line["request_id"] for line in lines[:2]] == ["trace-42.a", made]
    first = lines[0]
    assert first["level"] == "info"
    assert first["method"] == "GET"
    assert first["status"] == 200
    assert first["duration_ms"] >= 0
    assert unsafe not in captured.text
    # a route template, never the raw path: no ids in the access log's route
    await http.get(f"/sessions/{account.user_id}")
    assert _access_lines(captured, "/api/v1/sessions/<id:session_id>")[0]["status"] == 404


async def test_websocket_lines_carry_their_connection_id(
    server: Server, http: httpx.AsyncClient, captured: Captured
) -> None:
    owner = await register(http)
    table = await create_session(http, owner, max_players=2)
    guest = await join_as_guest(http, table.code, "Guest")
    async with connect(server, table) as ann, connect(server, guest) as bob:
        for client in (ann, bob):
            await client.send("ping", nonce=1)
            await client.until("pong")  # answered by the reader: the connection is fully open
        listed = set(server.services.node.connections)  # what the admin console shows
    closes = await _closes(captured, 2)
    ids = [line["conn_id"] for line in closes]
    assert len(set(ids)) == 2
    assert all(re.fullmatch(r"[0-9a-f]{16}", i) for i in ids)
    assert set(ids) == listed  # an operator greps the logs for the id the console shows
    assert all("request_id" not in line for line in closes)


async def _closes(captured: Captured, count: int) -> list[dict[str, Any]]:
    """The "websocket closed" lines, once there are ``count`` (the server logs a close after the client's)."""
    with trio.fail_after(10):  # a ceiling, not a speed requirement
        while True:
            closes = [line for line in captured.lines() if line["msg"].startswith("websocket closed")]
            if len(closes) >= count:
                return closes
            await trio.sleep(0.01)


@pytest.mark.slow
async def test_checkgame_serve_logs_json_lines_on_stderr(tmp_path: Path) -> None:
    """The real command, as a container runs it: stdout for the banner, stderr for JSON logs."""
    env = {
        **os.environ,
        "CHECKGAME_LOG_FORMAT": "json",
        "CHECKGAME_NODE_ID": "cli-node",
        "CHECKGAME_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'checkgame.db'}",
        "JWT_SECRET": "cli-test-secret-0123456789abcdef0123456789",
    }
    command = [sys.executable, "-m", "checkgame", "serve", "--port", "0"]
    process = await trio.lowlevel.open_process(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert process.stdout is not None
    assert process.stderr is not None
    try:
        banner = b""
        with trio.fail_after(30):  # a ceiling for the start-up, not a speed requirement
            while (url := re.search(rb"running at (http://[^\s:]+:\d+)", banner)) is None:
                chunk = await process.stdout.receive_some()
                assert chunk, banner
                banner += chunk
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.get(url.group(1).decode() + "/health", headers={"X-Request-ID": "from-cli-test"})
        assert response.status_code == 200, response.text
    finally:
        process.send_signal(signal.SIGTERM)
        with trio.fail_after(30):
            await process.wait()
    errors = b""
    while chunk := await process.stderr.receive_some():
        errors += chunk
    lines = [json.loads(line) for line in errors.decode().splitlines()]
    assert all(line["node"] == "cli-node" for line in lines)
    access = [line for line in lines if line["logger"] == "checkgame.access"]
    assert [(a["route"], a["status"], a["request_id"]) for a in access] == [("/health", 200, "from-cli-test")]
    assert any("listening on" in line["msg"] for line in lines)
    assert process.returncode == 0
