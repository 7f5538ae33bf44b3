"""Screenshots of the browser client's main screens, for the README: ``python scripts/screenshots.py``.

Starts ``checkgame serve`` on a free port with a throwaway data directory, plays through the screens in
headless Chromium (the system's, ``/usr/bin/chromium``; Playwright never downloads a browser here) and
writes PNG files to ``docs/screenshots/``, each screen at a desktop and a phone size (``<screen>-<size>.png``).
A person registers, creates a table, adds three computer players and plays a whole tournament: the first legal
card down to two cards, then only draws, so that they lose the first game and the screens of elimination,
watching and between games come up; the network is cut once (the reconnecting state); then the results and
their statistics.

And in each language (``--language en fr``, both by default): the browser says it prefers that language, as a
player's phone would, and the client follows; screens are found by their structure, never by their words.
English pictures keep the plain names, the others carry the language (``table-your-turn-phone.fr.png``).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the browser tests' move helper, shared rather than copied

from tests.browser.conftest import CARD_EDGE, move, wait_for_js  # noqa: E402
from tests.browser.proxy import Relay  # noqa: E402


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


SIZES = {
    "desktop": {"viewport": {"width": 1200, "height": 820}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 1.5,  # crisp enough, and the README's pictures stay light
    },
}
"""Every screen is taken at both sizes, in every language."""
LANGUAGES = {"en": ("en-GB", "ann"), "fr": ("fr-CM", "amina")}
"""Each language: the browser's locale, and who plays (a username of their own: one server serves every run)."""
APPLIED = "s => { const t = document.querySelector('[data-screen=table]'); return !t || t.dataset.seq !== s; }"
"""Whether the page has moved past entry ``s`` (or left the table)."""
WHERE = """() => {
    const screen = document.querySelector("main [data-screen]");
    return screen ? (screen.dataset.phase || screen.dataset.screen) : "";
}"""
"""The screen shown, or on the table the player's situation there, read at once (it changes under our feet)."""
KEEP_CARDS = 2
"""The player plays down to this many cards, then only draws: they lose the first game for sure, so the
elimination, watching and between-games screens all come up in one tournament."""


def shoot(page: Page, out: Path, name: str, size: str) -> None:
    page.wait_for_timeout(500)  # let animations land and the countdown tick once
    path = out / f"{name}-{size}.png"
    page.screenshot(path=str(path))
    print(f"wrote {path}")


def draw(page: Page) -> bool:
    """Draw (the penalty, under an attack), and wait until the page has applied what followed."""
    seq = page.locator("[data-screen=table]").get_attribute("data-seq")
    page.locator("#draw").click()
    wait_for_js(page, APPLIED, seq)
    return True


def turn(page: Page, shots: set[str], out: Path, size: str) -> bool:
    """One move while it is our turn: play down to KEEP_CARDS cards (naming a suit after a Jack), then draw.

    The first time a Jack can be played, it is tapped for the picture of the suit picker, then put back.
    """
    table = page.locator("[data-screen=table][data-my-turn=true]")
    if table.count() == 0:
        return False
    phase = table.get_attribute("data-phase") or ""
    if phase == "attacked" and "attacked" not in shots:
        shots.add("attacked")
        shoot(page, out, "table-attacked", size)
    jack = page.locator(".hand button.playable[data-card^='J-']")
    if jack.count() and "suit" not in shots:
        shots.add("suit")
        jack.first.click(position=CARD_EDGE)
        shoot(page, out, "suit-choice", size)
        page.locator(".suit-picker button.link").click()  # Cancel, in any language
    if page.locator(".hand button").count() <= KEEP_CARDS and phase != "choosing-suit":
        return draw(page)
    return move(page)


def tournament(browser: Browser, base: str, out: Path, size: str, language: str, relay: Relay) -> None:
    """One person at one size in one language: lobby, waiting room, the table in its states, between games,
    results, profile."""
    locale, player = LANGUAGES[language]
    context = browser.new_context(**SIZES[size], locale=locale)
    page = context.new_page()
    name = f"{player}-{size}"
    size = size if language == "en" else f"{size}.{language}"  # what the file names carry
    page.goto(relay.url + "/#/login")
    shoot(page, out, "account", size)
    form = page.locator("form[aria-labelledby=register-title]")
    form.locator("input[name=username]").fill(name)
    form.locator("input[name=email]").fill(f"{name}@example.com")
    form.locator("input[name=password]").fill("correct-horse")
    form.locator("button[type=submit]").click()
    page.locator("form[aria-labelledby=create-title]").wait_for()
    assert page.evaluate("document.documentElement.lang") == language, "the client did not follow the browser"
    shoot(page, out, "lobby", size)

    page.locator("select[name=maxPlayers]").select_option("4")
    page.locator("form[aria-labelledby=create-title] button[type=submit]").click()
    page.locator("[data-screen=waiting]").wait_for()
    for bot in ("Bot 2", "Bot 3", "Bot 4"):
        page.locator("[data-action=add-bot]").click()
        page.locator("[data-screen=waiting] li", has_text=bot).wait_for()
    shoot(page, out, "waiting-room", size)
    page.locator("[data-action=start]").click()
    page.locator("[data-screen=table]").wait_for()

    shots: set[str] = set()
    stop = time.monotonic() + 900
    while page.locator("[data-screen=results]").count() == 0 and time.monotonic() < stop:
        phase = page.evaluate(WHERE)
        if phase == "your-turn" and "table" not in shots and page.locator(".log li").count() >= 6:
            shots.add("table")
            shoot(page, out, "table-your-turn", size)
            relay.cut()  # the network drops: the table says so and reconnects by itself
            page.locator(".offline-banner").wait_for()
            shoot(page, out, "reconnecting", size)
            page.locator("#connection[data-status=online]").wait_for()
        elif phase == "their-turn" and "their" not in shots and "table" in shots:
            shots.add("their")
            shoot(page, out, "table-their-turn", size)
        elif phase == "between" and "between" not in shots:
            shots.add("between")
            shoot(page, out, "between-games", size)
        elif phase == "eliminated" and "watching" not in shots:
            shots.add("watching")
            shoot(page, out, "eliminated-watching", size)
        if not turn(page, shots, out, size):
            page.wait_for_timeout(100)
    for missed in {"attacked", "suit"} - shots:  # these depend on the cards dealt
        print(f"{size}: no {missed} situation came up in this tournament; run again for its picture")
    page.locator(".games tbody tr").first.wait_for()
    shoot(page, out, "results", size)
    page.locator("[data-screen=results] a[href='#/profile']").click()
    page.locator(".stats").wait_for()
    shoot(page, out, "profile", size)
    context.close()


def capture(base: str, out: Path, chromium: str, languages: list[str]) -> None:
    host, port = base.removeprefix("http://").split(":")
    relay = Relay((host, int(port)))
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium)
            for language in languages:
                for size in SIZES:
                    tournament(browser, base, out, size, language, relay)
            browser.close()
    finally:
        relay.close()


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
            capture(base, args.out, args.chromium, args.language)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
            assert process.stdout is not None
            process.stdout.close()


if __name__ == "__main__":
    main()
