"""The connect screen against a real server: logging in, remembering, and saying clearly what went wrong."""

from __future__ import annotations

import json
import stat
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from admin_tui import config
from admin_tui.app import AdminApp
from admin_tui.screens.connect import ConnectScreen
from admin_tui.screens.dashboard import DashboardScreen
from tests.admin_tui.conftest import PASSWORD, Server, drive, log_in, shows, until
from tests.support.processes import free_port

pytestmark = pytest.mark.slow


def test_logging_in_opens_the_dashboard_and_the_next_start_resumes_it(server: Server, tmp_path):
    admin = server.create_admin("ada")
    path = tmp_path / "admin.json"

    async def first_run(app: AdminApp, pilot: Pilot[Any]) -> None:
        await log_in(pilot, server.url, admin)
        await until(pilot, shows(pilot, "● live", "ada · admin", "sessions playing"), "the live dashboard")
        assert isinstance(app.screen, DashboardScreen)

    drive(first_run, path)
    remembered = json.loads(path.read_text())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert remembered["url"] == server.url
    assert remembered["username"] == "ada"
    assert remembered["role"] == "admin"
    assert remembered["access_token"]
    assert remembered["refresh_token"]
    assert PASSWORD not in path.read_text()

    async def second_run(app: AdminApp, pilot: Pilot[Any]) -> None:
        await until(pilot, shows(pilot, "● live", "ada · admin"), "the dashboard, without asking for the password")
        assert not any(isinstance(screen, ConnectScreen) for screen in app.screen_stack)

    drive(second_run, path)


def test_a_wrong_password_is_said_plainly_and_nothing_is_remembered(server: Server, tmp_path):
    admin = server.create_admin("bert")
    path = tmp_path / "admin.json"

    async def scenario(app: AdminApp, pilot: Pilot[Any]) -> None:
        await log_in(pilot, server.url, admin, password="not-the-password")
        await until(pilot, shows(pilot, "Wrong username or password (INVALID_CREDENTIALS)."), "the refusal")
        assert isinstance(app.screen, ConnectScreen)

    drive(scenario, path)
    assert not path.exists()


def test_an_unreachable_server_is_said_plainly(tmp_path):
    nobody = f"http://127.0.0.1:{free_port()}"

    async def scenario(app: AdminApp, pilot: Pilot[Any]) -> None:
        await log_in(pilot, nobody, "ada")
        await until(pilot, shows(pilot, "Server unreachable.", nobody), "the explanation")

    drive(scenario, tmp_path / "admin.json")


def test_a_player_account_is_not_let_in(server: Server, tmp_path):
    body = {"username": "pat", "email": "pat@example.com", "password": PASSWORD}
    server.api("POST", "/api/v1/auth/register", json=body)

    async def scenario(app: AdminApp, pilot: Pilot[Any]) -> None:
        await log_in(pilot, server.url, "pat")
        await until(pilot, shows(pilot, "pat is a player, not an admin (FORBIDDEN)"), "the refusal")

    drive(scenario, tmp_path / "admin.json")
    assert not (tmp_path / "admin.json").exists()  # a player's tokens are not kept


def test_a_bad_url_is_refused_before_anything_is_sent(tmp_path):
    async def scenario(app: AdminApp, pilot: Pilot[Any]) -> None:
        await log_in(pilot, "127.0.0.1:8000", "ada")
        await until(pilot, shows(pilot, "must start with http:// or https://"), "the refusal")

    drive(scenario, tmp_path / "admin.json")


def test_url_given_on_the_command_line_wins_over_the_remembered_one(tmp_path):
    path = tmp_path / "admin.json"
    config.save(path, config.Remembered("http://old.example:1", "ada", "access", "refresh", "admin"))

    async def scenario(app: AdminApp, pilot: Pilot[Any]) -> None:
        await until(pilot, lambda: isinstance(app.screen, ConnectScreen), "the connect screen")
        assert app.screen.query_one("#url").value == "http://new.example:2"  # type: ignore[attr-defined]
        assert app.screen.query_one("#username").value == "ada"  # type: ignore[attr-defined]

    drive(scenario, path, url="http://new.example:2")


def test_a_remembered_server_that_is_down_is_said_plainly_and_the_login_kept(tmp_path):
    path = tmp_path / "admin.json"
    remembered = config.Remembered(f"http://127.0.0.1:{free_port()}", "ada", "access", "refresh", "admin")
    config.save(path, remembered)

    async def scenario(app: AdminApp, pilot: Pilot[Any]) -> None:
        await until(pilot, lambda: isinstance(app.screen, ConnectScreen), "the connect screen")
        reason = app.screen.query_one("#connect-error", Static)
        await until(pilot, lambda: "Server unreachable." in str(reason.content), "the reason")

    drive(scenario, path)
    assert config.load(path) == remembered  # the server being down says nothing about the tokens
