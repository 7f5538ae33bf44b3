"""People playing in real browsers: whole games and tournaments, a reload mid-game, a network drop.

Every move is a click on the page, and every check reads what the page shows; the REST API is only used to
confirm that what the page shows is what the server recorded.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest

from checkgame.auth import TokenCodec
from tests.browser.conftest import (
    SERVER_ENV,
    Node,
    create_table_in_page,
    move,
    play_until_results,
    ranking,
    register_in_page,
    wait_for_js,
)
from tests.browser.proxy import Relay

pytestmark = pytest.mark.slow
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
_numbers = itertools.count(1)


def username() -> str:
    return f"player{next(_numbers)}{id(_numbers) % 10_000}"


def table_state(page: Any) -> dict[str, Any]:
    """What the table shows: own cards, top card, the others' hand sizes, whose turn."""
    return {
        "hand": sorted(str(c.get_attribute("data-card")) for c in page.locator(".hand button").all()),
        "top": page.locator("[data-top]").get_attribute("data-top"),
        "others": [c.get_attribute("data-hand-size") for c in page.locator(".opponent .count").all()],
        "my_turn": page.locator("[data-screen=table]").get_attribute("data-my-turn"),
        "game": page.locator("[data-screen=table]").get_attribute("data-game"),
    }


def wait_for_my_turn(page: Any) -> None:
    page.locator("[data-screen=table][data-my-turn=true]").wait_for()


def test_two_people_play_a_whole_game_against_each_other(node: Node, new_page: Any, api: httpx.Client) -> None:
    ann, bob = new_page(), new_page()
    register_in_page(ann, node.url, username())
    code = create_table_in_page(ann, players=2)

    link = ann.get_by_label("Join link").input_value()  # what Ann shares
    assert link == f"{node.url}/join/{code}"
    bob.goto(link)  # a guest
    bob.locator("input[name=name]").fill("Bob")
    bob.get_by_role("button", name="Take a seat").click()
    bob.locator("[data-screen=waiting]").wait_for()
    bob.get_by_text("Waiting for").wait_for()
    ann.locator("[data-screen=waiting] li", has_text="Bob").wait_for()

    ann.get_by_role("button", name="Start the tournament").click()
    for page in (ann, bob):
        page.locator("[data-screen=table]").wait_for()
        assert page.locator(".hand button").count() == 7
        assert page.locator(".opponent .count").first.get_attribute("data-hand-size") == "7"

    # Whose turn it is, with the timer, on both screens; the other's cards are explained, not playable.
    waiting = bob if ann.locator("[data-my-turn=true]").count() else ann
    assert waiting.locator(".hand button.playable").count() == 0
    assert waiting.locator(".hand button").first.get_attribute("data-refusal") == "NOT_YOUR_TURN"
    assert waiting.locator(".countdown").inner_text().endswith(" s")

    play_until_results(ann, bob)
    assert ranking(ann) == ranking(bob)
    session_id = ann.url.rsplit("/", 1)[1]
    live = api.get(f"/sessions/{session_id}").json()["live"]
    assert live["status"] == "finished"
    assert ranking(ann) == live["ranking"]
    ann.locator(".games tbody tr").first.wait_for()  # the recorded game, from the REST API
    assert ann.locator(".games tbody tr").count() == 1

    late = new_page()  # the server's refusal, in plain words
    late.goto(f"{node.url}/join/{code}")
    late.locator("input[name=name]").fill("Late")
    late.get_by_role("button", name="Take a seat").click()
    late.get_by_role("alert").get_by_text("The tournament at this table is over.").wait_for()


def test_a_guest_on_a_phone_joins_by_code_and_plays_bots_to_the_end(
    node: Node, new_page: Any, api: httpx.Client
) -> None:
    owner = username()
    tokens = api.post("/auth/register", json={"username": owner, "email": f"{owner}@example.com",
                                              "password": "correct-horse"}).json()  # fmt: skip
    auth = {"Authorization": f"Bearer {tokens['accessToken']}"}
    created = api.post("/sessions", json={"name": "Bots' table", "maxPlayers": 3}, headers=auth).json()
    session_id = created["session"]["id"]
    assert api.post(f"/sessions/{session_id}/bots", json={}, headers=auth).status_code == 201
    # The creator's own seat is played by `checkgame bot`, which starts the tournament once the guest is in.
    creator = subprocess.Popen(
        [sys.executable, "-m", "checkgame", "bot", "--url", node.url, "--session-token", created["sessionToken"],
         "--start", "--think", "0.2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        guest = new_page(**PHONE)
        guest.goto(node.url + "/")
        guest.locator("input[name=code]").fill(created["joinCode"].lower())  # typed into the lobby
        guest.locator("form[aria-labelledby=join-title] button[type=submit]").click()
        guest.locator("input[name=name]").fill("Zoé")
        guest.get_by_role("button", name="Take a seat").click()
        guest.locator("[data-screen=table]").wait_for()
        width = guest.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, "the table fits a phone's width"
        play_until_results(guest)
        assert creator.wait(timeout=60) == 0
    finally:
        if creator.poll() is None:
            creator.kill()
            creator.wait()
    live = api.get(f"/sessions/{session_id}").json()["live"]
    assert live["status"] == "finished"
    assert ranking(guest) == live["ranking"]
    assert len(live["ranking"]) == 3
    heading = guest.locator("[data-screen=results] h1").inner_text()
    assert "tournament" in heading


def test_a_reload_mid_game_restores_the_table(node: Node, new_page: Any) -> None:
    page = new_page()
    register_in_page(page, node.url, username())
    create_table_in_page(page, players=2)
    page.get_by_role("button", name="Add a computer player").click()
    page.locator("[data-screen=waiting] li", has_text="Bot 2").wait_for()
    page.get_by_role("button", name="Start the tournament").click()
    for _ in range(3):  # a few moves in, so the table is not the deal's
        wait_for_my_turn(page)
        move(page)
    wait_for_my_turn(page)  # while it is our turn, nothing else moves
    before = table_state(page)
    log_before = page.locator(".log li").count()

    page.reload()
    wait_for_my_turn(page)
    assert table_state(page) == before
    assert page.locator("#connection").get_attribute("data-status") == "online"
    assert page.locator(".log li").count() < log_before  # a fresh page: the snapshot, not the old log
    play_until_results(page)


def test_a_dropped_connection_resumes_with_last_seq(node: Node, new_page: Any) -> None:
    relay = Relay(node.address)
    try:
        page = new_page()
        sockets: list[str] = []
        page.on("websocket", lambda ws: sockets.append(ws.url))
        register_in_page(page, relay.url, username())
        create_table_in_page(page, players=2)
        page.get_by_role("button", name="Add a computer player").click()
        page.locator("[data-screen=waiting] li", has_text="Bot 2").wait_for()
        page.get_by_role("button", name="Start the tournament").click()
        wait_for_my_turn(page)
        move(page)
        wait_for_my_turn(page)
        before = table_state(page)
        seq = int(page.locator("[data-screen=table]").get_attribute("data-seq") or -1)

        assert relay.cut() > 0
        page.locator("#connection[data-status=reconnecting]").wait_for()
        assert "Connection lost" in page.locator("#connection").inner_text()
        page.locator("#connection[data-status=online]").wait_for()
        assert len(sockets) == 2
        assert sockets[1].endswith(f"&lastSeq={seq}")  # resumed, not reloaded
        assert table_state(page) == before
        play_until_results(page)
    finally:
        relay.close()


def test_illegal_cards_are_explained_and_refused_without_a_message(node: Node, new_page: Any) -> None:
    page = new_page()
    register_in_page(page, node.url, username())
    create_table_in_page(page, players=2)
    page.get_by_role("button", name="Add a computer player").click()
    page.locator("[data-screen=waiting] li", has_text="Bot 2").wait_for()
    page.get_by_role("button", name="Start the tournament").click()
    sent: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(str(payload))))
    page.reload()  # so the socket is observed from its start
    for _ in range(40):  # until a hand holds a card that cannot be played now
        wait_for_my_turn(page)
        blocked = page.locator(".hand button[aria-disabled=true]")
        if blocked.count():
            break
        move(page)
    else:
        raise AssertionError("no card was illegal in 40 turns")  # with 7 cards and more, practically impossible
    card = blocked.first
    reason = str(card.get_attribute("title"))
    assert card.get_attribute("data-refusal") in ("INVALID_PLAY", "MUST_COUNTER_OR_DRAW")
    moves_before = [f for f in sent if "play_card" in f or "draw_card" in f]
    card.focus()
    page.keyboard.press("Enter")  # the keyboard works like a tap
    assert page.locator(".hint").inner_text() == reason
    assert [f for f in sent if "play_card" in f or "draw_card" in f] == moves_before
    assert page.evaluate("document.activeElement.dataset.focus") == card.get_attribute("data-focus")

    seq = page.locator("[data-screen=table]").get_attribute("data-seq")
    page.evaluate("document.getElementById('announce').textContent = ''")
    page.keyboard.press("d")  # draws, from the keyboard
    wait_for_js(page, "seq => document.querySelector('[data-screen=table]').dataset.seq !== seq", seq)
    assert any("draw_card" in f for f in sent)
    if page.locator("[data-screen=table][data-status=playing]").count():  # the game goes on: our turn comes back
        wait_for_my_turn(page)
        wait_for_js(page, "() => document.getElementById('announce').textContent === 'Your turn.'")


def test_an_expired_login_is_renewed_with_the_refresh_token(node: Node, new_page: Any) -> None:
    page = new_page()
    register_in_page(page, node.url, username())
    login = json.loads(page.evaluate("localStorage['checkgame.login']"))
    codec = TokenCodec(SERVER_ENV["CHECKGAME_JWT_SECRET"])
    expired = codec.issue_access(login["user"]["id"], login["user"]["role"], time.time() - 3600)
    page.evaluate(
        "token => { const login = JSON.parse(localStorage['checkgame.login']); login.accessToken = token;"
        " localStorage['checkgame.login'] = JSON.stringify(login); }",
        expired,
    )
    page.goto(node.url + "/#/profile")
    page.reload()  # the page starts with the expired token
    page.get_by_role("heading", name="Statistics").wait_for()
    renewed = json.loads(page.evaluate("localStorage['checkgame.login']"))
    assert renewed["accessToken"] != expired
    assert renewed["refreshToken"] != login["refreshToken"]  # rotated
    assert page.get_by_role("link", name=login["user"]["username"]).is_visible()  # still logged in


def test_both_join_links_open_the_join_screen(node: Node, new_page: Any, api: httpx.Client) -> None:
    owner = username()
    tokens = api.post("/auth/register", json={"username": owner, "email": f"{owner}@example.com",
                                              "password": "correct-horse"}).json()  # fmt: skip
    auth = {"Authorization": f"Bearer {tokens['accessToken']}"}
    created = api.post("/sessions", json={"name": "Links", "isPrivate": True}, headers=auth).json()
    code = created["joinCode"]
    for link in (created["joinUrl"], f"{node.url}/join/{code.lower()}"):  # the API's link, and the page's
        page = new_page()
        page.goto(link)
        page.get_by_role("heading", name=f"Join table {code}").wait_for()
        assert page.url == f"{node.url}/#/join/{code}"


def test_the_host_picks_the_computer_players_level(node: Node, new_page: Any) -> None:
    page = new_page()
    register_in_page(page, node.url, username())
    create_table_in_page(page, players=3)
    picker = page.get_by_label("Computer player level")
    assert picker.locator("option").all_inner_texts() == ["Easy", "Normal", "Hard"]
    assert picker.input_value() == "normal"
    picker.select_option("hard")
    with page.expect_response(lambda r: r.url.endswith("/bots")) as seated:
        page.get_by_role("button", name="Add a computer player").click()
    assert seated.value.request.post_data_json == {"level": "hard"}
    assert seated.value.json()["level"] == "hard"
    page.locator("[data-screen=waiting] li", has_text="Bot 2").wait_for()
    assert page.get_by_label("Computer player level").input_value() == "hard"  # kept for the next one
