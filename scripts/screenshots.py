"""Screenshots of the browser client's main screens, for the README: ``python scripts/screenshots.py``.

Starts ``checkgame serve`` on a free port with a throwaway data directory, plays through the screens in
headless Chromium (the system's, ``/usr/bin/chromium``; Playwright never downloads a browser here) and
writes PNG files to ``docs/screenshots/``. A person registers, creates a table, adds two computer players,
plays a whole tournament (the first legal card, else a draw) and looks at their statistics.

Once per language (``--language en fr``, both by default): the browser says it prefers that language, as a
player's phone would, and the client follows. English screens keep their plain names (``table.png``, the
README's), the others get the language before the extension (``table.fr.png``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the browser tests' move helper, shared rather than copied

from tests.browser.conftest import move  # noqa: E402


def start_server(data: Path) -> tuple[subprocess.Popen[str], str]:
    env = {
        **os.environ,
        "CHECKGAME_DATA_DIR": str(data),
        "CHECKGAME_NEXT_GAME_DELAY_S": "3",
        "CHECKGAME_LOG_LEVEL": "warning",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "checkgame", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert process.stdout is not None
    for line in process.stdout:
        found = re.match(r"Play in your browser: (http://\S+?)/?$", line.strip())
        if found:
            return process, found.group(1)
    raise SystemExit("the server did not start")


LANGUAGES = {"en": ("en-GB", "ann"), "fr": ("fr-CM", "amina")}
"""Each language: the browser's locale, and who plays (a username of their own: one server serves both runs)."""


def shoot(page: Page, out: Path, name: str, language: str) -> None:
    page.wait_for_timeout(300)  # let the countdown tick once
    path = out / (f"{name}.png" if language == "en" else f"{name}.{language}.png")
    page.screenshot(path=str(path))
    print(f"wrote {path}")


def capture(base: str, out: Path, chromium: str, language: str) -> None:
    """Every screen, in `language`: found by their structure, never by their words, so any language works."""
    locale, player = LANGUAGES[language]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium)
        page = browser.new_context(viewport={"width": 1200, "height": 820}, locale=locale).new_page()
        page.goto(base + "/#/login")
        form = page.locator("form[aria-labelledby=register-title]")
        form.locator("input[name=username]").fill(player)
        form.locator("input[name=email]").fill(f"{player}@example.com")
        form.locator("input[name=password]").fill("correct-horse")
        form.locator("button[type=submit]").click()
        page.locator("form[aria-labelledby=create-title]").wait_for()
        assert page.evaluate("document.documentElement.lang") == language, "the client did not follow the browser"
        shoot(page, out, "lobby", language)

        page.locator("select[name=maxPlayers]").select_option("3")
        page.locator("form[aria-labelledby=create-title] button[type=submit]").click()
        page.locator("[data-screen=waiting]").wait_for()
        page.locator("[data-action=add-bot]").click()
        page.locator("[data-screen=waiting] li", has_text="Bot 2").wait_for()
        shoot(page, out, "waiting-room", language)

        page.locator("[data-action=add-bot]").click()
        page.locator("[data-screen=waiting] li", has_text="Bot 3").wait_for()
        page.locator("[data-action=start]").click()
        page.locator("[data-screen=table]").wait_for()
        shot_table = False
        stop = time.monotonic() + 600
        while page.locator("[data-screen=results]").count() == 0 and time.monotonic() < stop:
            table = page.locator("[data-screen=table][data-my-turn=true]")
            if table.count() and not shot_table and page.locator(".log li").count() >= 6:
                shoot(page, out, "table", language)
                shot_table = True
                # The same seat on a phone: a second connection of the same player, given the seat's token.
                phone = browser.new_context(
                    viewport={"width": 390, "height": 844},
                    is_mobile=True,
                    has_touch=True,
                    device_scale_factor=2,
                    locale=locale,
                )
                seats = json.dumps(page.evaluate("localStorage['checkgame.seats']"))
                phone.add_init_script(f"localStorage.setItem('checkgame.seats', {seats})")
                phone_page = phone.new_page()
                phone_page.goto(page.url)
                phone_page.locator("[data-screen=table]").wait_for()
                shoot(phone_page, out, "table-phone", language)
                phone.close()
                page.locator("#connection[data-status=online]").wait_for()
            if not move(page):
                page.wait_for_timeout(100)
        page.locator(".games tbody tr").first.wait_for()
        shoot(page, out, "results", language)
        page.locator("[data-screen=results] a[href='#/profile']").click()
        page.locator(".stats").wait_for()
        shoot(page, out, "profile", language)
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--chromium", default=os.environ.get("CHECKGAME_CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument(
        "--language", nargs="+", choices=sorted(LANGUAGES), default=sorted(LANGUAGES), help="the languages to shoot"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as data:
        process, base = start_server(Path(data))
        try:
            for language in args.language:
                capture(base, args.out, args.chromium, language)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
            assert process.stdout is not None
            process.stdout.close()


if __name__ == "__main__":
    main()
