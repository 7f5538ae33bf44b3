"""Attacks on the admin stream (/admin/ws): odd frames, and an administrator who is one no longer."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Callable

import httpx
import pytest

from tests.attack.harness import Target
from tests.attack.rawws import BINARY, RawSocket, frame

pytestmark = pytest.mark.slow

PASSWORD = "operator passphrase 7!"


def _admin_token(target: Target, username: str) -> str:
    """Create an administrator with ``checkgame create-admin`` in the node's database, and log in."""
    command = ["create-admin", "--username", username, "--email", f"{username}@example.com", "--password", PASSWORD]
    subprocess.run(
        [sys.executable, "-m", "checkgame", *command],
        env=target.env(),
        check=True,
        capture_output=True,
    )
    login = httpx.post(target.url + "/api/v1/auth/login", json={"login": username, "password": PASSWORD}, timeout=10)
    assert login.status_code == 200, login.text
    return str(login.json()["accessToken"])


def test_odd_frames_and_a_demotion_close_the_stream(target: Target, ws_open: Callable[[str], RawSocket]) -> None:
    token = _admin_token(target, "operator")
    binary = ws_open(f"/admin/ws?token={token}")
    binary.wait_text('"overview"')
    binary.send(frame(BINARY, b""))
    assert binary.wait_closed(10) == 1003
    watching = ws_open(f"/admin/ws?token={token}")
    watching.send_text("[" * 1000 + "]" * 1000)
    assert "MALFORMED_MESSAGE" in watching.wait_text('"error"')
    with sqlite3.connect(target.workdir / "data" / "checkgame.db") as db:  # as an operator demotes in the database
        db.execute("UPDATE users SET role = 'player' WHERE username = 'operator'")
    assert watching.wait_closed(10) == 1008
    assert watching.close_reason == "FORBIDDEN"
    target.assert_survived()
