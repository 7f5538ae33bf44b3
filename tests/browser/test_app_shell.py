"""The client as an app on a phone: its languages, its manifest and offline shell, touch, and sound.

Each check reads what a person would see or what a browser installing the app reads (the manifest, the
service worker and its cache), in headless Chromium against a real server.
"""

from __future__ import annotations

import itertools
import re
import struct
from pathlib import Path
from typing import Any

import httpx
import pytest

from checkgame import config
from checkgame.sessions import machine
from tests.browser.conftest import Node, create_table_in_page, move, register_in_page, wait_for_js

pytestmark = pytest.mark.slow
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
_numbers = itertools.count(1)
DOCS = Path(__file__).resolve().parents[2] / "docs"


def username() -> str:
    return f"shell{next(_numbers)}{id(_numbers) % 10_000}"


def png_size(body: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header (its IHDR chunk)."""
    assert body[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", body[16:24])
    return width, height


# ------------------------------------------------------------------ languages


def test_every_word_exists_in_english_and_in_french(node: Node, new_page: Any) -> None:
    page = new_page()
    page.goto(node.url + "/")
    keys = page.evaluate(
        """async () => {
            const { CATALOGUE, WORDS } = await import("/assets/words.js");
            return { en: Object.keys(CATALOGUE.en).sort(), fr: Object.keys(CATALOGUE.fr).sort(),
                     tableEn: Object.keys(WORDS.en).sort(), tableFr: Object.keys(WORDS.fr).sort() };
        }"""
    )
    assert keys["en"] == keys["fr"]
    assert keys["tableEn"] == keys["tableFr"]
    # Every refusal code the protocol and the rules document, so a player never reads the server's English.
    documented = re.findall(r"`([A-Z][A-Z_]{3,})`", (DOCS / "protocol.md").read_text())
    documented += re.findall(r"`([A-Z][A-Z_]{3,})`", (DOCS / "rules.md").read_text().split("## 15.")[1])
    # Not codes: settings (CHECKGAME_*, and the unprefixed DATABASE_URL, REDIS_URL… aliases) and the state
    # machine's constants (RECORD_RETRY_S), which the protocol names in the same back quotes.
    not_codes = set(config._ALIASES.values()) | {name for name in vars(machine) if name.isupper()}
    codes = {code for code in documented if not code.startswith("CHECKGAME_") and code not in not_codes}
    assert {"SESSION_NOT_FOUND", "NOT_YOUR_TURN", "ACCOUNT_DISABLED"} <= codes
    assert sorted(code for code in codes if f"error.{code}" not in keys["fr"]) == []


def test_a_french_browser_sees_french_and_a_switch_survives_a_reload(node: Node, new_page: Any) -> None:
    page = new_page(locale="fr-CM")
    page.goto(node.url + "/")
    page.get_by_role("heading", name="Jouer à Check").wait_for()
    assert page.evaluate("document.documentElement.lang") == "fr"
    assert page.title() == "Check — le jeu de cartes"
    assert page.get_by_role("link", name="Règles", exact=True).is_visible()

    # A server refusal, by its code, in French: no table has this code.
    page.locator("input[name=code]").fill("ZZZZ22")
    page.locator("form[aria-labelledby=join-title] button[type=submit]").click()
    page.get_by_role("heading", name="Rejoindre la table ZZZZ22").wait_for()
    page.locator("input[name=name]").fill("Amina")
    page.get_by_role("button", name="Prendre place").click()
    page.get_by_role("alert").get_by_text("Aucune table n'a ce code ou ce lien.").wait_for()

    page.get_by_role("button", name="Switch to English").click()
    page.get_by_role("heading", name="Join table ZZZZ22").wait_for()  # the open screen, redrawn
    assert page.evaluate("document.documentElement.lang") == "en"
    page.goto(node.url + "/")
    page.reload()
    page.get_by_role("heading", name="Play Check").wait_for()  # the choice beats the browser's language
    assert page.evaluate("document.documentElement.lang") == "en"

    page.get_by_role("button", name="Passer en français").click()
    page.get_by_role("heading", name="Jouer à Check").wait_for()
    page.reload()
    page.get_by_role("heading", name="Jouer à Check").wait_for()


def test_an_english_browser_sees_english_and_the_rules_in_both_languages(node: Node, new_page: Any) -> None:
    page = new_page(locale="en-GB")
    page.goto(node.url + "/")
    page.get_by_role("heading", name="Play Check").wait_for()
    assert page.evaluate("document.documentElement.lang") == "en"
    page.get_by_role("link", name="All the rules").click()
    page.get_by_role("heading", name="How to play Check").wait_for()
    english = page.locator("[data-screen=rules] h2").all_inner_texts()
    page.get_by_role("button", name="Passer en français").click()
    page.get_by_role("heading", name="Comment jouer à Check").wait_for()
    french = page.locator("[data-screen=rules] h2").all_inner_texts()
    assert len(english) == len(french) >= 5
    assert "Les cartes spéciales" in french


def test_quick_play_the_leaderboard_and_the_computer_levels_speak_french(node: Node, new_page: Any) -> None:
    page = new_page(locale="en-GB")
    name = username()
    register_in_page(page, node.url, name)
    page.get_by_role("button", name="Passer en français").click()
    page.get_by_role("heading", name=f"Bienvenue, {name}").wait_for()
    quick = page.locator("form[data-form=quick-play]")
    assert quick.get_by_role("heading", name="Jouer maintenant").is_visible()
    assert quick.get_by_role("button", name="Jouer maintenant").is_visible()

    page.locator("#nav").get_by_role("link", name="Classement").click()
    page.get_by_role("heading", name="Classement").wait_for()
    assert page.get_by_role("link", name="Ce mois-ci").is_visible()
    assert page.get_by_text("Les joueurs inscrits sont classés").is_visible()

    page.goto(node.url + "/#/")
    create_table_in_page(page, players=3)
    picker = page.get_by_label("Niveau de l'ordinateur")
    assert picker.locator("option").all_inner_texts() == ["Facile", "Normal", "Difficile"]
    assert page.get_by_role("heading", name="Chat de la table").is_visible()
    page.get_by_role("button", name="Switch to English").click()  # the chat outlives redraws: relabelled
    page.get_by_role("heading", name="Table chat").wait_for()
    assert page.get_by_role("textbox", name="Say something…").is_visible()


def test_a_game_in_french_names_the_cards_in_french(node: Node, new_page: Any) -> None:
    """The table, the log and the refusals: French card names, never an English one."""
    page = new_page(locale="fr-FR")
    name = username()
    page.goto(node.url + "/#/login")
    form = page.locator("form[aria-labelledby=register-title]")
    form.locator("input[name=username]").fill(name)
    form.locator("input[name=email]").fill(f"{name}@example.com")
    form.locator("input[name=password]").fill("correct-horse")
    form.locator("button[type=submit]").click()
    page.get_by_role("heading", name=f"Bienvenue, {name}").wait_for()
    create_table_in_page(page, players=2)
    page.get_by_role("button", name="Ajouter un joueur ordinateur").click()
    page.locator("[data-screen=waiting] li", has_text="Bot 2").wait_for()
    page.get_by_role("button", name="Lancer le tournoi").click()
    page.locator("[data-screen=table]").wait_for()
    for _ in range(4):
        page.locator("[data-screen=table][data-my-turn=true]").wait_for()
        move(page)
    labels = " ".join(str(c.get_attribute("aria-label")) for c in page.locator(".hand button, .discard").all())
    log = " ".join(page.locator(".log li").all_inner_texts())
    seen = f"{labels} {log}"
    assert any(suit in seen for suit in ("pique", "cœur", "carreau", "trèfle"))
    for english in (" of ", "spades", "hearts", "diamonds", "clubs", "Jack", "Queen", "King", "Play the"):
        assert english not in seen, english
    assert page.locator("#hand-title").inner_text().startswith(("Votre main", "Vous"))

    # Switched mid-game: the table and the lines already in the log are told again in English.
    page.get_by_role("button", name="Switch to English").click()
    page.locator("#hand-title", has_text="You").wait_for()
    log = " ".join(page.locator(".log li").all_inner_texts())
    assert "A new game:" in log
    for french in ("a joué", "a pioché", "Nouvelle partie", "(vous)"):
        assert french not in log, french


# ------------------------------------------------------------------ the installable app


def test_the_manifest_is_linked_and_describes_an_installable_app(node: Node, new_page: Any) -> None:
    page = new_page()
    page.goto(node.url + "/")
    href = page.locator("link[rel=manifest]").get_attribute("href")
    assert page.locator("meta[name=apple-mobile-web-app-capable]").get_attribute("content") == "yes"
    assert "viewport-fit=cover" in str(page.locator("meta[name=viewport]").get_attribute("content"))
    with httpx.Client(base_url=node.url) as web:
        response = web.get(str(href))
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/manifest+json"
        manifest = response.json()
        assert manifest["name"]
        assert manifest["short_name"] == "Check"
        assert manifest["start_url"] == "/"
        assert manifest["scope"] == "/"
        assert manifest["display"] == "standalone"
        assert manifest["theme_color"] == page.locator("meta[name=theme-color]").get_attribute("content")
        sizes = set()
        for icon in manifest["icons"]:
            fetched = web.get(icon["src"])
            assert fetched.status_code == 200, icon["src"]
            assert fetched.headers["content-type"] == icon["type"]
            if icon["type"] == "image/png":
                width, height = png_size(fetched.content)
                assert icon["sizes"] == f"{width}x{height}"
                sizes.add((width, icon["purpose"]))
        assert {(192, "any"), (512, "any"), (192, "maskable"), (512, "maskable")} <= sizes
        apple = web.get(str(page.locator("link[rel=apple-touch-icon]").get_attribute("href")))
        assert png_size(apple.content) == (180, 180)


def test_the_service_worker_serves_the_shell_offline(node: Node, new_page: Any) -> None:
    page = new_page()
    page.goto(node.url + "/")
    page.get_by_role("heading", name="Play Check").wait_for()
    wait_for_js(page, "() => navigator.serviceWorker.controller !== null")  # installed, activated, in charge
    cached = page.evaluate(
        """async () => {
            const names = await caches.keys();
            const urls = [];
            for (const name of names) {
                for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
            }
            return { names, urls };
        }"""
    )
    assert len(cached["names"]) == 1
    assert cached["names"][0].startswith("checkgame-shell-")
    assert {"/", "/assets/app.js", "/assets/words.js", "/assets/style.css"} <= set(cached["urls"])
    assert not [url for url in cached["urls"] if url.startswith(("/api/", "/ws"))]

    page.context.set_offline(True)
    page.reload()
    page.locator("[data-screen=offline]").wait_for()
    page.get_by_role("heading", name="No connection").wait_for()
    assert page.locator("#connection").get_attribute("data-status") == "offline"
    page.goto(node.url + "/join/ABC234")  # a shareable link opens offline too: the same cached page
    page.locator("[data-screen=offline]").wait_for()

    page.context.set_offline(False)  # back online: the page comes back by itself
    page.get_by_role("heading", name="Join table ABC234").wait_for()


# ------------------------------------------------------------------ touch and sound


def test_a_phone_shows_no_keyboard_hints_and_plays_a_sound_on_its_turn(node: Node, new_page: Any) -> None:
    desktop = new_page()
    desktop.goto(node.url + "/")
    hint = "async () => (await import('/assets/words.js')).keyHint('D')"
    assert desktop.evaluate(hint) == " (key D)"

    phone = new_page(**PHONE)
    phone.goto(node.url + "/")
    assert phone.evaluate(hint) == ""
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    header = phone.locator("header.bar").bounding_box()
    brand = phone.locator(".brand").bounding_box()
    assert header is not None
    assert brand is not None
    assert header["height"] < 2 * 44 + 24, "the header does not wrap onto a second line"

    phone.get_by_role("button", name="Sound").click()  # a tap: the gesture that lets the page make sound
    register_in_page(phone, node.url, username())
    create_table_in_page(phone, players=2)
    phone.get_by_role("button", name="Add a computer player").click()
    phone.locator("[data-screen=waiting] li", has_text="Bot 2").wait_for()
    phone.get_by_role("button", name="Start the tournament").click()
    phone.locator("[data-screen=table][data-my-turn=true]").wait_for()
    phone.locator(".hint", has_text="Your turn").wait_for()
    shown = phone.evaluate(
        "() => document.body.innerText + [...document.querySelectorAll('[title], [aria-label]')]"
        ".map((el) => `${el.title} ${el.getAttribute('aria-label')}`).join(' ')"
    )
    assert "(key" not in shown
    assert "(Esc" not in shown
    wait_for_js(phone, "() => ['turn', 'attack'].includes(document.getElementById('sound').dataset.lastCue)")
    for control in phone.locator("header button:visible, .hand button, #draw").all():
        box = control.bounding_box()
        assert box is not None
        assert min(box["height"], box["width"]) >= 44, control.inner_text()


def test_sound_is_off_by_default_and_the_choice_is_remembered(node: Node, new_page: Any) -> None:
    page = new_page()
    page.goto(node.url + "/")
    toggle = page.get_by_role("button", name="Sound")
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    page.reload()
    assert page.get_by_role("button", name="Sound").get_attribute("aria-pressed") == "true"
    page.get_by_role("button", name="Sound").click()
    page.reload()
    assert page.get_by_role("button", name="Sound").get_attribute("aria-pressed") == "false"
