"""Ratings in the browser: two registered people play a game, then each sees their rating on the profile, and the
leaderboard screen ranks them, all time and this month, as the REST API does."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
import pytest

from tests.browser.conftest import Node, create_table_in_page, play_until_results, register_in_page

pytestmark = pytest.mark.slow
_numbers = itertools.count(1)


def test_a_rated_game_shows_on_the_profile_and_the_leaderboards(node: Node, new_page: Any, api: httpx.Client) -> None:
    ann, bob = new_page(), new_page()
    names = [f"rated{next(_numbers)}{id(_numbers) % 10_000}" for _ in range(2)]
    register_in_page(ann, node.url, names[0])
    register_in_page(bob, node.url, names[1])
    code = create_table_in_page(ann, players=2)
    bob.goto(f"{node.url}/join/{code}")  # logged in: seated at once, under the username
    bob.locator("[data-screen=waiting]").wait_for()
    ann.locator("[data-screen=waiting] li", has_text=names[1]).wait_for()
    ann.get_by_role("button", name="Start the tournament").click()
    play_until_results(ann, bob)

    def board() -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = api.get("/leaderboard", params={"limit": 100}).json()["items"]
        return [row for row in items if row["username"] in names]

    for _ in range(400):  # the result reaches the database in the background: a ceiling, not a speed check
        if len(rows := board()) == 2:
            break
        ann.wait_for_timeout(50)
    assert len(rows) == 2

    ann.goto(f"{node.url}/#/profile")
    panel = ann.locator("section.rating")
    panel.get_by_text("Rated games", exact=True).wait_for()
    ann_row = next(row for row in rows if row["username"] == names[0])
    assert panel.locator(".stat", has_text="Rated games").locator("dd").inner_text() == "1"
    assert panel.locator(".stat", has_text="Rating").first.locator("dd").inner_text() == f"{ann_row['rating']:.2f}"
    assert panel.locator(".rating-history li").count() == 1
    assert " of 2 · " in panel.locator(".rating-history li").inner_text()

    panel.get_by_role("link", name="Leaderboard").click()
    ann.locator("table.leaderboard").wait_for()
    shown = [r.inner_text() for r in ann.locator("table.leaderboard tbody tr td:nth-child(2)").all()]
    assert [n for n in shown if n in names] == [row["username"] for row in rows]  # the server's order
    assert ann.locator("table.leaderboard tr.me td:nth-child(2)").inner_text() == names[0]

    ann.get_by_role("link", name="This month").click()
    ann.locator("nav.periods a[aria-current=page]", has_text="This month").wait_for()
    ann.locator("table.leaderboard tr.me").wait_for()
    assert bob.locator("#nav a", has_text="Leaderboard").count() == 1
