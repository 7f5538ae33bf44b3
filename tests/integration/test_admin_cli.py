"""``checkgame create-admin``: the account it writes, and logging in with it on a real server."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest
import trio

from checkgame.auth import verify_password
from checkgame.cli import main
from checkgame.store import User, open_store
from tests.integration.conftest import start_server


def _url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'checkgame.db'}"


def _user(tmp_path: Path, login: str) -> User | None:
    async def read() -> User | None:
        async with open_store(_url(tmp_path)) as store:
            return await store.find_user(login)

    return trio.run(read)


def _password_is(user: User, password: str) -> bool:
    return trio.run(verify_password, user.password_hash, password)


def _create(tmp_path: Path, *extra: str) -> int:
    argv = ["create-admin", "--username", "root", "--email", "Root@Example.org", "--database-url", _url(tmp_path)]
    return main([*argv, *extra])


def test_creates_an_administrator_in_a_fresh_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _create(tmp_path, "--password", "correct horse") == 0
    assert capsys.readouterr().out.startswith("created admin root (")
    user = _user(tmp_path, "root")
    assert user is not None
    assert (user.role, user.email) == ("admin", "root@example.org")
    assert _password_is(user, "correct horse")


def test_read_only_and_promotion_keep_the_password(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _create(tmp_path, "--password", "correct horse", "--read-only") == 0
    user = _user(tmp_path, "root")
    assert user is not None
    assert user.role == "admin_readonly"
    assert _create(tmp_path) == 0  # an existing account is promoted: no password is asked
    assert capsys.readouterr().out.splitlines()[-1] == "root is now admin (password unchanged)"
    promoted = _user(tmp_path, "root")
    assert promoted is not None
    assert (promoted.id, promoted.role) == (user.id, "admin")
    assert _password_is(promoted, "correct horse")


def test_the_password_is_asked_twice_when_not_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter(["first one", "second one"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.delenv("CHECKGAME_ADMIN_PASSWORD", raising=False)
    assert _create(tmp_path) == 2
    err = capsys.readouterr().err
    assert err.startswith("A password has at least 8 characters and is hard to guess: ")
    assert "You type it twice; it is not shown.\n" in err
    assert "the passwords differ" in err
    assert _user(tmp_path, "root") is None
    answers = iter(["same password", "same password"])
    assert _create(tmp_path) == 0
    user = _user(tmp_path, "root")
    assert user is not None
    assert _password_is(user, "same password")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--username", "x", "--email", "x@example.org", "--password", "long enough"], "username"),
        (["--username", "okname", "--email", "not-an-email", "--password", "long enough"], "email"),
        (["--username", "okname", "--email", "ok@example.org", "--password", "short"], "password"),
    ],
)
def test_invalid_accounts_are_refused_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(["create-admin", *argv, "--database-url", _url(tmp_path)]) == 2
    assert message in capsys.readouterr().err
    assert _user(tmp_path, argv[1]) is None


def test_an_email_of_another_account_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _create(tmp_path, "--password", "correct horse") == 0
    argv = ["create-admin", "--username", "other", "--email", "root@example.org", "--password", "correct horse"]
    assert main([*argv, "--database-url", _url(tmp_path)]) == 2
    assert "belongs to another account (root)" in capsys.readouterr().err
    assert _user(tmp_path, "other") is None


async def test_the_created_administrator_logs_in_and_opens_the_admin_api(nursery: trio.Nursery, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "checkgame", "create-admin", "--username", "boss", "--email", "boss@example.org"]
    env = {"DATABASE_URL": _url(tmp_path), "PATH": "/usr/bin:/bin"}
    done = await trio.run_process([*command, "--password", "correct horse"], env=env, capture_stdout=True)
    assert done.stdout.decode().startswith("created admin boss")
    server = await start_server(nursery, tmp_path)  # the same database file
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
            login = await http.post("/api/v1/auth/login", json={"login": "boss", "password": "correct horse"})
            assert login.status_code == 200, login.text
            assert login.json()["user"]["role"] == "admin"
            auth = {"Authorization": f"Bearer {login.json()['accessToken']}"}
            assert (await http.get("/admin/overview", headers=auth)).status_code == 200
    finally:
        server.stop.set()
