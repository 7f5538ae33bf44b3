"""Start-up as an operator meets it: each failure is one line naming the setting and a distinct exit status,
and a production node never migrates by itself (real ``python -m checkgame`` processes)."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from checkgame.cli.failures import EXIT_DATABASE, EXIT_LISTEN, EXIT_REDIS, EXIT_USAGE
from tests.support.processes import free_port, wait_until

pytestmark = pytest.mark.slow

SECRET = secrets.token_urlsafe(48)  # production refuses a guessable one


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHECKGAME_") and k not in ("DATABASE_URL",)}
    env.pop("REDIS_URL", None)
    return {**env, "HOME": str(tmp_path), "CHECKGAME_DATA_DIR": str(tmp_path / "data"), **extra}


def _run(tmp_path: Path, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "checkgame", *argv]
    return subprocess.run(
        command, env=_env(tmp_path, **env), stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60
    )


def _said(done: subprocess.CompletedProcess[str]) -> list[str]:
    """What the command said to a person on stderr: every line that is not a JSON log line."""
    return [line for line in done.stderr.splitlines() if not line.startswith("{")]


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def _unreachable_postgres() -> str:
    return f"postgresql://checkgame:secret@127.0.0.1:{free_port()}/checkgame"


@pytest.mark.parametrize(
    ("case", "status", "starts"),
    [
        ("database", EXIT_DATABASE, "checkgame serve: DATABASE_URL postgresql://checkgame:***@127.0.0.1:"),
        ("redis", EXIT_REDIS, "checkgame serve: REDIS_URL redis://127.0.0.1:"),
        ("port", EXIT_LISTEN, "checkgame serve: cannot listen on 127.0.0.1:"),
    ],
)
def test_serve_fails_in_one_line_with_its_own_status(
    tmp_path: Path, taken_port: int, case: str, status: int, starts: str
) -> None:
    flags = {
        "database": ["--database-url", _unreachable_postgres()],
        "redis": ["--redis-url", f"redis://127.0.0.1:{free_port()}/0"],
        "port": ["--port", str(taken_port)],
    }[case]
    done = _run(tmp_path, "serve", "--port", str(free_port()), *flags)
    assert done.returncode == status, done.stderr
    said = _said(done)
    assert len(said) == 1, done.stderr
    assert said[0].startswith(starts)
    assert "secret" not in done.stderr  # the password of the URL is not printed
    if case == "port":
        assert said[0].endswith("address already in use")


def test_debug_adds_the_traceback(tmp_path: Path) -> None:
    done = _run(tmp_path, "serve", "--debug", "--port", str(free_port()), "--database-url", _unreachable_postgres())
    assert done.returncode == EXIT_DATABASE
    assert "Traceback" in done.stderr
    assert done.stderr.splitlines()[-1].startswith("checkgame serve: DATABASE_URL")


def test_serve_help_documents_the_exit_statuses(tmp_path: Path) -> None:
    done = _run(tmp_path, "serve", "--help")
    for status, what in ((EXIT_DATABASE, "DATABASE_URL"), (EXIT_REDIS, "REDIS_URL"), (EXIT_LISTEN, "--port")):
        assert any(line.strip().startswith(f"{status} ") and what in line for line in done.stdout.splitlines())


@pytest.mark.parametrize(
    "argv",
    [
        ["migrate"],
        ["create-admin", "--username", "root", "--email", "root@example.org", "--password", "long enough pw"],
    ],
)
def test_database_commands_fail_in_one_line(tmp_path: Path, argv: list[str]) -> None:
    done = _run(tmp_path, *argv, "--database-url", _unreachable_postgres())
    assert done.returncode == EXIT_DATABASE, done.stderr
    assert _said(done) == [line for line in done.stderr.splitlines() if line]
    assert len(_said(done)) == 1, done.stderr
    assert _said(done)[0].startswith(f"checkgame {argv[0]}: DATABASE_URL postgresql://checkgame:***@")


def test_create_admin_without_a_terminal_says_how_to_give_the_password(tmp_path: Path) -> None:
    done = _run(tmp_path, "create-admin", "--username", "root", "--email", "root@example.org")
    assert done.returncode == EXIT_USAGE
    assert done.stderr.splitlines() == [
        "checkgame create-admin: no terminal to ask the password on: give --password or set CHECKGAME_ADMIN_PASSWORD"
    ]


def test_create_admin_takes_the_password_from_the_environment(tmp_path: Path) -> None:
    argv = ["create-admin", "--username", "root", "--email", "root@example.org"]
    done = _run(tmp_path, *argv, CHECKGAME_ADMIN_PASSWORD="correct horse battery staple")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("created admin root")


def test_the_console_without_a_terminal_is_one_line(tmp_path: Path) -> None:
    done = _run(tmp_path, "admin", "--url", f"http://127.0.0.1:{free_port()}")
    assert done.returncode == EXIT_USAGE
    assert len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith("checkgame admin: the console needs a terminal")


def _ready(url: str) -> httpx.Response:
    return httpx.get(f"{url}/ready", timeout=5)


def test_a_production_node_waits_for_checkgame_migrate(tmp_path: Path) -> None:
    """docs/operations.md: migrations are a release step; the node answers /ready 503 until it has run."""
    database = f"sqlite:///{tmp_path / 'prod.db'}"
    port = free_port()
    env = _env(tmp_path, CHECKGAME_PRODUCTION="true", JWT_SECRET=SECRET, DATABASE_URL=database)
    command = [sys.executable, "-m", "checkgame", "serve", "--port", str(port)]
    node = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _ready(url).status_code in (200, 503), "the node answers /ready", 30)
        waiting = _ready(url)
        assert waiting.status_code == 503
        assert waiting.json()["reasons"] == ["migrations pending"]
        migrated = _run(tmp_path, "migrate", "--database-url", database)
        assert migrated.returncode == 0, migrated.stderr
        assert migrated.stdout.startswith("applied migrations [1")
        wait_until(lambda: _ready(url).status_code == 200, "ready once migrated", 10)
    finally:
        node.terminate()
        _, stderr = node.communicate(timeout=30)
    assert node.returncode == 0, stderr
    assert "pending: /ready answers 503 until `checkgame migrate` runs" in stderr
    assert "Traceback" not in stderr
