"""Quick play in a real browser: a guest clicks "Play now", and computer players fill the table once its wait
(one second on the test server, ``CHECKGAME_QUICK_PLAY_WAIT_S``) ends; the guest plays the tournament out."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.browser.conftest import Node, play_until_results, ranking

pytestmark = pytest.mark.slow


def test_play_now_seats_a_guest_whose_table_computer_players_fill(node: Node, new_page: Any, api: httpx.Client) -> None:
    page = new_page()
    page.goto(node.url + "/")
    quick = page.locator("form[data-form=quick-play]")
    quick.locator("input[name=guestName]").fill("Quinn")
    quick.locator("select[name=maxPlayers]").select_option("3")
    assert quick.locator("input[name=acceptComputers]").is_checked()  # agreeing is the default
    quick.get_by_role("button", name="Play now").click()
    page.locator("[data-screen=table]").wait_for()
    session_id = page.evaluate("Object.keys(JSON.parse(localStorage.getItem('checkgame.seats')))[0]")
    live = api.get(f"/sessions/{session_id}").json()["live"]
    assert [seat["name"] for seat in live["seats"]] == ["Quinn", "Bot 2", "Bot 3"]
    play_until_results(page)
    final = api.get(f"/sessions/{session_id}").json()["live"]
    assert final["status"] == "finished"
    assert ranking(page) == final["ranking"]
