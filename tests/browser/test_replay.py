"""Game history and replays in a real browser: play a short tournament against computer players, find it on the
profile, and replay its game step by step (forward, back, play, pause), comparing every step the page shows
with the replay the server gives this player.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.browser.conftest import Node, create_table_in_page, play_until_results, register_in_page, wait_for_js

pytestmark = pytest.mark.slow


def shown(page: Any) -> dict[str, Any]:
    """The replayed table as the page shows it: the step, own cards, the top card, the others' hand sizes."""
    screen = page.locator("[data-screen=replay]")
    return {
        "step": int(str(screen.get_attribute("data-step"))),
        "hand": sorted(str(c.get_attribute("data-card")) for c in page.locator(".hand button").all()),
        "top": page.locator("[data-top]").get_attribute("data-top"),
        "others": [int(str(c.get_attribute("data-hand-size"))) for c in page.locator(".opponent .count").all()],
    }


def key(card: dict[str, str]) -> str:
    """The page's data-card key of a wire card (cards.js cardKey)."""
    return f"Joker-{card['color']}" if card["rank"] == "Joker" else f"{card['rank']}-{card['suit']}"


def expected(replay: dict[str, Any], step: int) -> dict[str, Any]:
    state = replay["steps"][step]["state"]
    return {
        "step": step,
        "hand": sorted(key(c) for c in state["hand"]),
        "top": key(state["topCard"]),
        "others": [p["handSize"] for p in state["players"] if p["id"] != replay["viewer"]],
    }


def at_step(page: Any, step: int) -> None:
    wait_for_js(page, "n => document.querySelector(`[data-screen=replay][data-step='${n}']`) !== null", step)


def test_a_finished_game_is_listed_on_the_profile_and_replays_step_by_step(
    node: Node, new_page: Any, api: httpx.Client
) -> None:
    page = new_page()
    register_in_page(page, node.url, "replayer")
    create_table_in_page(page, players=2)
    page.get_by_role("button", name="Add a computer player").click()
    page.locator("[data-screen=waiting] li", has_text="Bot 2").wait_for()
    page.get_by_role("button", name="Start the tournament").click()
    play_until_results(page)

    page.goto(node.url + "/#/profile")
    replay_link = page.locator("[data-history] a[data-action=replay]")
    replay_link.first.wait_for()
    assert replay_link.count() == 1  # one tournament of two players: one game
    game_id = str(page.locator("[data-history] tr[data-game]").first.get_attribute("data-game"))
    token = page.evaluate("JSON.parse(localStorage.getItem('checkgame.login')).accessToken")
    replay = api.get(f"/games/{game_id}/replay", headers={"Authorization": f"Bearer {token}"}).json()
    last = len(replay["steps"]) - 1
    assert last >= 2

    replay_link.first.click()
    at_step(page, 0)
    counter = page.locator("[data-step-counter]")
    assert counter.inner_text() == f"Step 0 of {last}"
    assert shown(page) == expected(replay, 0)
    assert page.locator(".hand button").count() == 7  # the deal: this player's own seven cards, nobody else's
    assert page.locator(".hand button:not([disabled])").count() == 0  # watched, not played

    page.get_by_role("button", name="Forward ▶").click()
    at_step(page, 1)
    assert counter.inner_text() == f"Step 1 of {last}"
    assert shown(page) == expected(replay, 1)
    page.get_by_role("button", name="Forward ▶").click()
    at_step(page, 2)
    assert shown(page) == expected(replay, 2)
    page.get_by_role("button", name="◀ Back").click()
    at_step(page, 1)
    assert shown(page) == expected(replay, 1)
    page.keyboard.press("ArrowLeft")
    at_step(page, 0)
    assert shown(page) == expected(replay, 0)

    page.get_by_role("button", name="▶ Play").click()
    wait_for_js(page, "() => Number(document.querySelector('[data-screen=replay]').dataset.step) >= 2")
    page.get_by_role("button", name="‖ Pause").click()
    paused = shown(page)
    assert page.get_by_role("button", name="▶ Play").get_attribute("aria-pressed") == "false"
    assert paused == expected(replay, paused["step"])

    page.get_by_role("button", name="End »").click()
    at_step(page, last)
    assert shown(page) == expected(replay, last)
    assert page.locator("[data-screen=replay] [data-screen=table][data-phase=game-over]").count() == 1
    assert page.get_by_role("button", name="Forward ▶").is_disabled()

    page.get_by_role("link", name="Back to your profile").click()
    page.locator("[data-history]").wait_for()

    stranger = new_page()  # somebody else's game: refused in words, not a blank screen
    register_in_page(stranger, node.url, "onlooker")
    stranger.goto(f"{node.url}/#/replay/{game_id}")
    stranger.locator("[data-screen=replay-refused][data-code=NOT_A_PLAYER]").wait_for()
    stranger.get_by_text("Only the players of a game can replay it.").first.wait_for()
