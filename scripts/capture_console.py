"""Screenshots of the operator console on a live server, for the docs: docs/console-overview.svg and -game.svg.

Starts ``checkgame serve`` (SQLite in a temporary directory), an admin made
with ``checkgame create-admin``, and a tournament of ``checkgame bot``
players plus a second table filling up; then drives ``checkgame admin``
headless through its connect screen, lets the sparklines fill for a while,
and saves the overview and the followed game as SVG.

    .venv/bin/python scripts/capture_console.py [--out docs] [--warmup 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from admin_tui.app import AdminApp
from admin_tui.panes.sessions import SessionsPane
from admin_tui.screens.game import GameScreen
from admin_tui.widgets import KeyedTable

PASSWORD = "capture-console-password"
SIZE = (120, 36)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def checkgame(env: dict[str, str], *args: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "checkgame", *args], env=env, stdout=out, stderr=subprocess.STDOUT
        )


def wait_ready(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"the server at {url} did not become ready")


def table(env: dict[str, str], url: str, host: str, name: str, seats: int, bots: int, workdir: Path) -> list[Any]:
    """A session created by ``host`` with ``bots`` computer players; started by the host's own bot when full."""
    api = url + "/api/v1"
    body = {"username": host, "email": f"{host}@example.com", "password": PASSWORD}
    tokens = httpx.post(api + "/auth/register", json=body, timeout=10).raise_for_status().json()
    headers = {"Authorization": f"Bearer {tokens['accessToken']}"}
    created = httpx.post(api + "/sessions", json={"name": name, "maxPlayers": seats}, headers=headers, timeout=10)
    session = created.raise_for_status().json()
    common = ["bot", "--url", url, "--think", "0.8", "--seed", "11"]
    log = workdir / f"{host}.log"
    processes = [checkgame(env, *common, "--code", session["joinCode"], "--count", str(bots), log=log)]
    if bots == seats - 1:
        host_seat = ["--session-token", session["sessionToken"], "--start", "--name-prefix", host.title()]
        processes.append(checkgame(env, *common, *host_seat, log=log))
    return processes


async def drive(url: str, out: Path, warmup_s: float, config_path: Path) -> None:
    app = AdminApp(config_path, url)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause(0.5)
        for field, value in (("username", "root"), ("password", PASSWORD)):
            app.screen.query_one(f"#{field}").value = value  # type: ignore[attr-defined]
        app.screen.query_one("#password").focus()
        await pilot.press("enter")
        await pilot.pause(warmup_s)  # a while of overview frames for the sparklines
        app.save_screenshot("console-overview.svg", path=str(out))
        await pilot.press("2")
        await pilot.pause(1.0)
        sessions = app.screen.query_one("#sessions-table", KeyedTable)
        pane = app.screen.query_one("#sessions-pane", SessionsPane)
        playing = [key for key, session in pane.sessions.items() if session["status"] == "playing"]
        sessions.move_cursor(row=sessions.get_row_index(playing[0]))
        await pilot.press("enter")
        await pilot.pause(8.0)  # a few moves in the log
        assert isinstance(app.screen, GameScreen)
        app.save_screenshot("console-game.svg", path=str(out))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs"), help="where the SVG files go (default: docs)")
    parser.add_argument("--warmup", type=float, default=20.0, help="seconds of live overview before the capture")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="capture-console-") as tmp:
        workdir = Path(tmp)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = dict(os.environ)
        env.update(
            {
                "DATABASE_URL": f"sqlite:///{workdir / 'checkgame.db'}",
                "JWT_SECRET": "capture-console-secret-0123456789abcdefghij",
                "CHECKGAME_DATA_DIR": str(workdir),
                "CHECKGAME_PORT": str(port),
                "CHECKGAME_NODE_ID": "node-demo",
                "CHECKGAME_LOG_LEVEL": "warning",
            }
        )
        env.pop("REDIS_URL", None)
        processes = [checkgame(env, "serve", log=workdir / "server.log")]
        try:
            wait_ready(url)
            made = subprocess.run(
                [sys.executable, "-m", "checkgame", "create-admin", "--username", "root",
                 "--email", "root@example.com", "--password", PASSWORD],
                env=env, capture_output=True, text=True, check=False,
            )  # fmt: skip
            if made.returncode != 0:
                raise SystemExit(f"create-admin failed: {made.stderr}")
            processes += table(env, url, "ann", "Friday table", seats=4, bots=3, workdir=workdir)
            processes += table(env, url, "bea", "Lunch break", seats=4, bots=2, workdir=workdir)
            args.out.mkdir(parents=True, exist_ok=True)
            asyncio.run(drive(url, args.out, args.warmup, workdir / "admin.json"))
        finally:
            for process in reversed(processes):
                process.terminate()
            for process in processes:
                process.wait(15)
    print(f"wrote {args.out / 'console-overview.svg'} and {args.out / 'console-game.svg'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
