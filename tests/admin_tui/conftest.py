"""A real server for the console to drive: ``checkgame serve`` on a free port, SQLite in a temp directory.

Admins are made with ``checkgame create-admin``; games are played by
``checkgame bot`` processes over the public API. Textual runs on asyncio and
pytest here on trio, so each test is a plain function that runs its console
with ``asyncio.run`` (see :func:`drive`).
"""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import RichLog

from admin_tui.app import AdminApp
from admin_tui.screens.game import GameScreen
from admin_tui.widgets import KeyedTable
from tests.support.processes import free_port, wait_until

SECRET = "admin-console-tests-secret-0123456789abcdef"
PASSWORD = "correct-horse-battery"
CEILING_S = 30.0
"""How long a condition may take to come true before a test gives up (a ceiling, never a speed assertion)."""


@dataclass
class Server:
    """One ``checkgame serve`` process and what the tests made on it."""

    url: str
    workdir: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    bots: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "checkgame", *args], env=self.env, capture_output=True, text=True, timeout=60
        )

    def create_admin(self, username: str, *, read_only: bool = False) -> str:
        """An admin account made the way an operator makes one: ``checkgame create-admin``."""
        args = ["create-admin", "--username", username, "--email", f"{username}@example.com", "--password", PASSWORD]
        done = self.cli(*args, *(["--read-only"] if read_only else []))
        assert done.returncode == 0, done.stderr
        return username

    def api(self, method: str, path: str, token: str | None = None, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = httpx.request(method, self.url + path, headers=headers, timeout=10, **kw)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def login(self, username: str) -> dict[str, Any]:
        body: dict[str, Any] = self.api("POST", "/api/v1/auth/login", json={"login": username, "password": PASSWORD})
        return body

    def start_table(self, name: str, players: int = 3, think_s: float = 1.0) -> dict[str, Any]:
        """A session whose tournament ``checkgame bot`` players are playing: the creator's seat plus the others."""
        user = f"host{uuid.uuid4().hex[:8]}"
        tokens = self.api(
            "POST",
            "/api/v1/auth/register",
            json={"username": user, "email": f"{user}@example.com", "password": PASSWORD},
        )
        created = self.api(
            "POST", "/api/v1/sessions", tokens["accessToken"], json={"name": name, "maxPlayers": players}
        )
        common = ["--url", self.url, "--think", str(think_s), "--seed", "7"]
        self.bots.append(self._bot(*common, "--code", created["joinCode"], "--count", str(players - 1)))
        self.bots.append(
            self._bot(*common, "--session-token", created["sessionToken"], "--start", "--name-prefix", "Host")
        )
        session: dict[str, Any] = created["session"]
        return session

    def _bot(self, *args: str) -> subprocess.Popen[bytes]:
        log = (self.workdir / f"bot{len(self.bots)}.log").open("ab")
        with log:
            return subprocess.Popen(
                [sys.executable, "-m", "checkgame", "bot", *args], env=self.env, stdout=log, stderr=subprocess.STDOUT
            )

    def wait_ready(self) -> None:
        def ready() -> bool:
            return httpx.get(self.url + "/ready", timeout=1).status_code == 200

        wait_until(ready, "the server is ready", CEILING_S)

    def restart(self) -> None:
        """The same server again (same port, database and secret), after :meth:`stop`."""
        self.process = _launch(self.workdir, self.env)
        self.wait_ready()

    def stop_bots(self) -> None:
        _end(self.bots)
        self.bots.clear()

    def stop(self) -> None:
        _end([*self.bots, self.process])
        self.bots.clear()


def _end(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_server(workdir: Path) -> Server:
    """A fresh ``checkgame serve`` on a free port, ready; the caller stops it."""
    port = free_port()
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{workdir / 'checkgame.db'}",
            "JWT_SECRET": SECRET,
            "CHECKGAME_DATA_DIR": str(workdir),
            "CHECKGAME_PORT": str(port),
            "CHECKGAME_NODE_ID": "node-test",
            "CHECKGAME_LOG_LEVEL": "warning",
            "CHECKGAME_AUTH_PER_MIN": "1000",
            "CHECKGAME_REQUESTS_PER_MIN": "100000",
            "CHECKGAME_SESSIONS_PER_HOUR": "1000",
            "CHECKGAME_NEXT_GAME_DELAY_S": "1",
        }
    )
    env.pop("REDIS_URL", None)
    running = Server(f"http://127.0.0.1:{port}", workdir, env, _launch(workdir, env))
    running.wait_ready()
    return running


def _launch(workdir: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with (workdir / "server.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "checkgame", "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
        )


@pytest.fixture(scope="package")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("admin-console-server"))
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def server(shared_server: Server) -> Iterator[Server]:
    """The package's server; the bots a test started stop with the test."""
    try:
        yield shared_server
    finally:
        shared_server.stop_bots()


# ---------------------------------------------------------------------- driving the console


def screen_text(app: App[Any]) -> str:
    """What a person sees now, as plain text (the same rendering as Textual's SVG screenshots)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True, color_system=None)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


async def until(pilot: Pilot[Any], check: Callable[[], bool], what: str, timeout: float = CEILING_S) -> None:
    """Let the console run until ``check()`` holds; fail with the screen's text after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"{what}: not within {timeout} s; the screen shows:\n{screen_text(pilot.app)}")


def shows(pilot: Pilot[Any], *texts: str) -> Callable[[], bool]:
    """A check for :func:`until`: the screen shows every one of ``texts``."""

    def check() -> bool:
        screen = screen_text(pilot.app)
        return all(text in screen for text in texts)

    return check


def drive(
    scenario: Callable[[AdminApp, Pilot[Any]], Awaitable[None]],
    config_path: Path,
    url: str | None = None,
    size: tuple[int, int] = (120, 36),
    **kwargs: Any,
) -> None:
    """Run the console headless against ``scenario`` (the console's own event loop: asyncio)."""

    async def main() -> None:
        app = AdminApp(config_path, url, **kwargs)
        async with app.run_test(size=size, notifications=True) as pilot:
            await scenario(app, pilot)

    asyncio.run(main())


async def log_in(pilot: Pilot[Any], url: str, username: str, password: str = PASSWORD) -> None:
    """Fill in the connect screen the way a person does and press enter."""
    app = pilot.app
    await until(pilot, lambda: bool(app.screen.query("#password")), "the connect screen")
    for field_id, value in (("url", url), ("username", username), ("password", password)):
        app.screen.query_one(f"#{field_id}").value = value  # type: ignore[attr-defined]
    app.screen.query_one("#password").focus()
    await pilot.press("enter")


def log_shows(game: GameScreen, text: str) -> Callable[[], bool]:
    """The game's event log holds ``text`` (scrolled into view or not)."""
    log = game.query_one("#game-log", RichLog)
    return lambda: any(text in str(line.text) for line in log.lines)


async def open_game(app: AdminApp, pilot: Pilot[Any], session_id: str) -> GameScreen:
    """Sessions tab, the session's row, enter: what an operator does to follow a game."""
    await pilot.press("2")
    table = app.screen.query_one("#sessions-table", KeyedTable)
    await until(pilot, lambda: session_id in table.rows, "the session is listed")
    table.move_cursor(row=table.get_row_index(session_id))
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, GameScreen), "the game screen")
    assert isinstance(app.screen, GameScreen)
    return app.screen
