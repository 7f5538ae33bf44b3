"""The README's walkthrough (scripts/walkthrough.sh), run twice in a row in a clean HOME against a real server:
the second run logs in instead of registering, and neither leaves a table behind in the lobby."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.processes import free_port, wait_until

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).parents[2] / "scripts" / "walkthrough.sh"


def _clean_env(home: Path) -> dict[str, str]:
    """A newcomer's environment: a fresh HOME, and checkgame on the PATH (as the README's first command leaves it)."""
    path = f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}"
    keep = {k: v for k, v in os.environ.items() if not k.startswith("CHECKGAME_") and k not in ("DATABASE_URL",)}
    return {**keep, "HOME": str(home), "PATH": path, "XDG_DATA_HOME": str(home / ".local" / "share")}


@pytest.fixture
def node(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    env = _clean_env(tmp_path / "home")
    (tmp_path / "home").mkdir()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "checkgame", "serve", "--port", str(port)],
        env={**env, "CHECKGAME_NEXT_GAME_DELAY_S": "0.5"},  # the games themselves are played as in the README
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: httpx.get(f"{url}/ready", timeout=5).status_code == 200, "the server is ready", 30)
        yield url, env
    finally:
        server.terminate()
        server.wait(timeout=30)


def _walk(url: str, env: dict[str, str]) -> list[str]:
    done = subprocess.run(
        ["sh", str(SCRIPT)],
        env={**env, "CHECKGAME_URL": url, "THINK": "0"},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout.splitlines()


def test_the_walkthrough_runs_twice_in_a_row(node: tuple[str, dict[str, str]]) -> None:
    url, env = node
    first = _walk(url, env)
    assert first[0] == "registered ann"
    assert [line for line in first if line.startswith("game 1: ")]  # games are told by name
    assert first[-1].endswith("; 0 of 1 tournaments won") or first[-1].endswith("; 1 of 1 tournaments won")
    second = _walk(url, env)
    assert second[0] == "logged in as ann (the account exists)"
    assert "of 2 tournaments won" in second[-1]
    lobby = httpx.get(f"{url}/api/v1/sessions", params={"status": "waiting"}, timeout=5).json()
    assert lobby["items"] == []  # no orphan table


def test_a_failure_stops_the_walkthrough_with_the_servers_reason(node: tuple[str, dict[str, str]]) -> None:
    url, env = node
    taken = httpx.post(
        f"{url}/api/v1/auth/register",
        json={"username": "ann", "email": "ann@example.org", "password": "another long password"},
        timeout=10,
    )
    assert taken.status_code == 201
    done = subprocess.run(
        ["sh", str(SCRIPT)], env={**env, "CHECKGAME_URL": url}, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == (
        "walkthrough: registering ann failed (HTTP 409): DUPLICATE_USERNAME: this username is already taken"
    )
