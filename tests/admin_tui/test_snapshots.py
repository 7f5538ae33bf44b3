"""Snapshots of the main screens, drawn from fixed data (fixture_server.py) so every run draws the same.

A snapshot is the screen as plain text, the same rendering as Textual's SVG
screenshots without the colours. After an intended change of a screen, run
with ``CHECKGAME_UPDATE_SNAPSHOTS=1`` and review the diff of snapshots/.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from admin_tui import config
from admin_tui.app import AdminApp
from tests.admin_tui.conftest import drive, screen_text, shows, until
from tests.admin_tui.fixture_server import quiet_connector, transport

pytestmark = pytest.mark.slow

SNAPSHOTS = Path(__file__).with_name("snapshots")


def check_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / f"{name}.txt"
    text = "\n".join(line.rstrip() for line in text.splitlines()) + "\n"
    if os.environ.get("CHECKGAME_UPDATE_SNAPSHOTS") or not path.exists():
        if not os.environ.get("CHECKGAME_UPDATE_SNAPSHOTS"):
            pytest.fail(f"no snapshot {path.name} yet: run with CHECKGAME_UPDATE_SNAPSHOTS=1 and review it")
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(text)
    assert text == path.read_text(), f"{name} changed; the screen now shows:\n{text}"


def console(tmp_path: Path, role: str = "admin") -> Path:
    path = tmp_path / "admin.json"
    config.save(path, config.Remembered("http://fixture.test", "root", "access", "refresh", role))
    return path


def snapshots(tmp_path: Path, steps: list[tuple[str, tuple[str, ...], tuple[str, ...]]], role: str = "admin") -> None:
    """Press the keys of each step, wait for its text, then compare the screen with its snapshot."""

    async def scenario(app: AdminApp, pilot: Pilot[Any]) -> None:
        for name, keys, ready in steps:
            await pilot.press(*keys)
            await until(pilot, shows(pilot, *ready), f"{name} is drawn")
            await pilot.pause()
            check_snapshot(name, screen_text(app))

    drive(scenario, console(tmp_path, role), size=(110, 32), transport=transport, connector=quiet_connector)


def test_overview_sessions_and_help(tmp_path):
    snapshots(
        tmp_path,
        [
            ("overview", (), ("DRAINING", "● live")),
            ("sessions", ("2",), ("Lunch break",)),
            ("help-sessions", ("question_mark",), ("Keys: Dashboard",)),
        ],
    )


def test_game_and_its_dialogs(tmp_path):
    snapshots(
        tmp_path,
        [
            ("game", ("2", "enter"), ("turn deadline  20:00:25", "Cy played 7♥", "● live")),
            ("confirm-kick", ("down", "k"), ("Kick Bob?",)),
            ("confirm-reveal", ("escape", "v"), ("Reveal all hands?",)),
        ],
    )


def test_a_read_only_admin_sees_the_actions_dimmed(tmp_path):
    ready = ("turn deadline  20:00:25", "Cy played 7♥", "● live")
    snapshots(tmp_path, [("game-read-only", ("2", "enter"), ready)], role="admin_readonly")


def test_the_connect_screen(tmp_path):
    async def scenario(app: AdminApp, pilot: Pilot[Any]) -> None:
        await until(pilot, shows(pilot, "Password (never stored)"), "the connect screen")
        check_snapshot("connect", screen_text(app))

    path = tmp_path / "admin.json"
    config.save(path, config.Remembered("http://fixture.test", "root"))
    drive(scenario, path, size=(110, 32), transport=transport, connector=quiet_connector)
