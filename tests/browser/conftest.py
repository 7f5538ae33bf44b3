"""Real browsers against a real server: headless Chromium (Debian's) driven by Playwright's sync API.

The server is ``python -m checkgame serve`` in a subprocess, exactly what a user runs, with limits raised so
that a test clicking at machine speed is never rate-limited and a short pause between games. The tests are
plain ``def`` functions: Playwright's sync API runs its own loop, apart from pytest-trio's.

Chromium and Playwright are required in CI (``CHECKGAME_REQUIRE_SERVICES=1``): missing, the tests fail there
and are skipped elsewhere. Never ``playwright install``: the browser is the system's, /usr/bin/chromium.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.services import services_required

CHROMIUM = os.environ.get("CHECKGAME_CHROMIUM", "/usr/bin/chromium")
CEILING_S = 240.0
"""A game that has not ended by then is stuck: a ceiling that turns a hang into a failure, not a speed check."""
SERVER_ENV = {
    "CHECKGAME_JWT_SECRET": "browser-tests-secret-0123456789abcdef",
    "CHECKGAME_NEXT_GAME_DELAY_S": "0.5",
    "CHECKGAME_AUTH_PER_MIN": "10000",
    "CHECKGAME_SESSIONS_PER_HOUR": "10000",
    "CHECKGAME_REQUESTS_PER_MIN": "100000",
    "CHECKGAME_ACTIONS_PER_S": "100",
    "CHECKGAME_ACTION_BURST": "100",
    "CHECKGAME_MESSAGES_PER_MIN": "100000",
    "CHECKGAME_LOG_LEVEL": "warning",
    "CHECKGAME_PING_INTERVAL_S": "0.5",  # round trips show up at once in the operators' test
    "CHECKGAME_QUICK_PLAY_WAIT_S": "1",  # a quick-play table fills with computer players at once
}


def _unavailable(reason: str) -> None:
    if services_required():
        pytest.fail(f"{reason} (CHECKGAME_REQUIRE_SERVICES is set)")
    pytest.skip(reason)


@dataclass
class Node:
    """The server under test."""

    url: str
    process: subprocess.Popen[str]
    data: Path
    """The server's data directory (its SQLite database is ``checkgame.db`` there)."""

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.url.removeprefix("http://").split(":")
        return host, int(port)


@contextlib.contextmanager
def serve(data: Path, **env_overrides: str) -> Iterator[Node]:
    """``checkgame serve`` on a free port with SERVER_ENV (and ``env_overrides``); SIGTERM must stop it cleanly."""
    env = {**os.environ, **SERVER_ENV, **env_overrides, "CHECKGAME_DATA_DIR": str(data)}
    with (data / "stderr.log").open("w") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "checkgame", "serve", "--host", "127.0.0.1", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            env=env,
        )
        try:
            url = _announced_url(process, data / "stderr.log")
            yield Node(url, process, data)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                code = process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                raise
            finally:
                assert process.stdout is not None
                process.stdout.close()
    assert code == 0, (data / "stderr.log").read_text()


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    """The server under test, one per test module."""
    with serve(tmp_path_factory.mktemp("server")) as running:
        yield running


def _announced_url(process: subprocess.Popen[str], log: Path) -> str:
    """The URL ``checkgame serve`` tells the user to open."""
    assert process.stdout is not None
    for line in process.stdout:
        found = re.match(r"Play in your browser: (http://\S+?)/?$", line.strip())
        if found:
            return found.group(1)
    raise AssertionError(f"the server did not start:\n{log.read_text()}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium from the system."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    # Playwright's sync API runs a plain asyncio loop. trio-asyncio (imported by the PostgreSQL store, so by any
    # run that collects its tests) installs an event loop policy whose loops need Trio: use asyncio's own meanwhile.
    policy = asyncio.get_event_loop_policy()
    asyncio.set_event_loop_policy(asyncio.DefaultEventLoopPolicy())
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
            yield chromium
            chromium.close()
    finally:
        asyncio.set_event_loop_policy(policy)


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """Open a page in a fresh browser context (its own storage: another person); JavaScript errors fail the test."""
    contexts: list[Any] = []
    errors: list[str] = []

    def open_page(**options: Any) -> Any:
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.on("pageerror", lambda exc: errors.append(f"{exc}"))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        return page

    yield open_page
    for context in contexts:
        context.close()
    # Chromium logs every refused request and every socket cut on purpose; the page shows its own words for them.
    handled = ("Failed to load resource", "WebSocket")
    assert not [e for e in errors if not any(h in e for h in handled)], errors


@pytest.fixture
def api(node: Node) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=node.url + "/api/v1", timeout=10) as client:
        yield client


# ------------------------------------------------------------------ playing through the page


def register_in_page(page: Any, base: str, username: str) -> None:
    """Register an account through the page's own form."""
    page.goto(base + "/#/login")
    form = page.locator("form[aria-labelledby=register-title]")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=email]").fill(f"{username}@example.com")
    form.locator("input[name=password]").fill("correct-horse")
    form.locator("button[type=submit]").click()
    page.get_by_role("heading", name=f"Welcome, {username}").wait_for()


def create_table_in_page(page: Any, players: int) -> str:
    """Create a table from the lobby; return its join code, read from the waiting room."""
    form = page.locator("form[aria-labelledby=create-title]")
    form.locator("select[name=maxPlayers]").select_option(str(players))
    form.locator("button[type=submit]").click()
    code = page.locator("[data-screen=waiting] [data-code]")
    code.wait_for()
    return str(code.get_attribute("data-code"))


def wait_for_js(page: Any, expression: str, arg: Any = None, timeout: float = 20) -> None:
    """Poll a JavaScript expression until it is truthy (a ceiling, not a speed check).

    Playwright's ``wait_for_function`` compiles its predicate with ``eval`` in the page, which the client's
    Content-Security-Policy (``script-src 'self'``) forbids whenever the predicate must be polled;
    ``evaluate`` goes through the debugging protocol and is allowed.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression, arg):
        assert time.monotonic() < deadline, f"{expression} did not hold within {timeout} s"
        time.sleep(0.05)


CARD_EDGE = {"x": 10, "y": 40}
"""Where to tap a card in the hand: its left edge, the part a wide hand's overlapping cards leave visible."""


def move(page: Any) -> bool:
    """Make one move if it is this page's turn: the first playable card (naming a suit after a Jack), or draw.

    Returns whether a move was made; then waits until the page has applied an entry after it.
    """
    table = page.locator("[data-screen=table][data-my-turn=true]")
    if table.count() == 0:
        return False
    seq = table.get_attribute("data-seq")
    picker = page.locator(".suit-picker button[data-suit]")
    if picker.count():
        picker.first.click()
    else:
        playable = page.locator(".hand button.playable")
        if playable.count():
            playable.first.click(position=CARD_EDGE)
            if picker.count():  # a Jack: the picker opened
                picker.first.click()
        else:
            page.locator("#draw").click()
    wait_for_js(
        page,
        "seq => { const t = document.querySelector('[data-screen=table]'); return !t || t.dataset.seq !== seq; }",
        seq,
    )
    return True


def play_until_results(*pages: Any, during: Callable[[], None] | None = None) -> None:
    """Let every page play its turns until each shows the tournament's results."""
    stop = time.monotonic() + CEILING_S
    while not all(p.locator("[data-screen=results]").count() for p in pages):
        assert time.monotonic() < stop, "the tournament did not finish"
        moved = False
        for page in pages:
            moved = move(page) or moved
        if during is not None:
            during()
        if not moved:
            pages[0].wait_for_timeout(50)


def ranking(page: Any) -> list[str]:
    """Player ids in the results screen's ranking, winner first."""
    return [str(li.get_attribute("data-player")) for li in page.locator(".ranking li").all()]
