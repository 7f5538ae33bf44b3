"""Expired tokens, lost logins and a server that goes away: the console renews, reconnects or says why."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from admin_tui import config
from admin_tui.app import AdminApp
from admin_tui.screens.connect import ConnectScreen
from admin_tui.screens.dashboard import DashboardScreen
from admin_tui.screens.game import GameScreen
from tests.admin_tui.conftest import SECRET, Server, drive, open_game, shows, start_server, until

pytestmark = pytest.mark.slow


def access_token(user_id: str, role: str, lifetime_s: float) -> str:
    """An access token as the server signs them (its format is in checkgame/auth/tokens.py), ending when we say.

    Waiting out the real 15 minutes is no way to test expiry; the server still verifies this one for real.
    """
    now = int(time.time())
    claims = {"iss": "checkgame", "typ": "access", "sub": user_id, "iat": now - 60, "exp": int(now + lifetime_s)}
    return jwt.encode(claims | {"role": role}, SECRET, algorithm="HS256")


def remembered_with(server: Server, tmp_path: Any, username: str, access: str, refresh: str) -> Any:
    path = tmp_path / "admin.json"
    config.save(path, config.Remembered(server.url, username, access, refresh, "admin"))
    return path


def test_an_expired_access_token_is_renewed_without_asking(server: Server, tmp_path):
    admin = server.create_admin("erin")
    login = server.login(admin)
    expired = access_token(login["user"]["id"], "admin", lifetime_s=-5)
    path = remembered_with(server, tmp_path, admin, expired, login["refreshToken"])

    async def scenario(app: AdminApp, pilot: Pilot[Any]) -> None:
        await until(pilot, shows(pilot, "● live", "erin · admin"), "the dashboard, with a renewed token")
        assert isinstance(app.screen, DashboardScreen)

    drive(scenario, path)
    now = config.load(path)
    assert now.access_token not in ("", expired)
    assert now.refresh_token not in ("", login["refreshToken"])  # refresh tokens rotate
    assert server.api("GET", "/admin/overview", now.access_token)["node"] == "node-test"


def test_a_login_that_cannot_be_renewed_goes_back_to_the_connect_screen(server: Server, tmp_path):
    admin = server.create_admin("finn")
    login = server.login(admin)
    server.api("POST", "/api/v1/auth/logout", json={"refreshToken": login["refreshToken"]})  # revoked elsewhere
    expired = access_token(login["user"]["id"], "admin", lifetime_s=-5)
    path = remembered_with(server, tmp_path, admin, expired, login["refreshToken"])

    async def scenario(app: AdminApp, pilot: Pilot[Any]) -> None:
        await until(pilot, lambda: isinstance(app.screen, ConnectScreen), "the connect screen")
        reason = app.screen.query_one("#connect-error", Static)
        await until(pilot, lambda: "has expired; log in again" in str(reason.content), "the reason, on the screen")
        assert app.screen.query_one("#username").value == "finn"  # type: ignore[attr-defined]

    drive(scenario, path)
    assert config.load(path) == config.Remembered(server.url, "finn")


def test_the_live_feed_renews_its_token_on_expiry_and_keeps_following_the_game(server: Server, tmp_path):
    admin = server.create_admin("gus")
    login = server.login(admin)
    session = server.start_table("Expiry table")
    short = access_token(login["user"]["id"], "admin", lifetime_s=4)
    path = remembered_with(server, tmp_path, admin, short, login["refreshToken"])

    async def scenario(app: AdminApp, pilot: Pilot[Any]) -> None:
        game = await open_game(app, pilot, session["id"])
        await until(pilot, lambda: app.remembered.access_token != short, "the feed closed for expiry and renewed")
        await until(pilot, lambda: app.link.status == "live", "live again")
        seen = game._last_seq
        await until(pilot, lambda: game._last_seq > seen, "moves still arriving: the watch was sent again")
        assert isinstance(app.screen, GameScreen)

    drive(scenario, path)


def test_a_server_that_goes_away_is_shown_and_the_feed_comes_back_with_it(tmp_path):
    server = start_server(tmp_path)
    try:
        admin = server.create_admin("hana")
        login = server.login(admin)
        path = remembered_with(server, tmp_path, admin, login["accessToken"], login["refreshToken"])

        async def scenario(app: AdminApp, pilot: Pilot[Any]) -> None:
            await until(pilot, shows(pilot, "● live"), "the live feed")
            server.stop()
            await until(pilot, shows(pilot, "retrying in"), "the lost feed, with its next attempt")
            await pilot.press("4")
            await until(pilot, shows(pilot, "Server unreachable"), "the health tab saying so")
            server.restart()
            await until(pilot, shows(pilot, "● live"), "the feed back by itself", timeout=60)
            await until(pilot, shows(pilot, "HEALTHY"), "health back")

        drive(scenario, path)
    finally:
        server.stop()
