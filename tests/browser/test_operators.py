"""What an operator does reaches the people at the table: a notice, a kick, the end of a session, and pings.

An administrator made with ``checkgame create-admin`` acts through the admin API, exactly as the console does;
every check reads what the pages show, and the admin API confirms what the server saw.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.browser.conftest import Node, create_table_in_page, register_in_page, wait_for_js

pytestmark = pytest.mark.slow
PING_CEILING_S = 60.0
"""The server pings every 20 s; a round trip still unknown after three times that is a page that never answers."""


@pytest.fixture
def admin(node: Node) -> Iterator[httpx.Client]:
    """A client logged in as a fresh administrator of the server under test."""
    database = f"sqlite:///{node.data / 'checkgame.db'}"
    subprocess.run(
        [sys.executable, "-m", "checkgame", "create-admin", "--username", "operator", "--email", "ops@example.org",
         "--password", "operator-password", "--database-url", database],
        check=True,
        capture_output=True,
    )  # fmt: skip
    with httpx.Client(base_url=node.url, timeout=10) as client:
        login = client.post("/api/v1/auth/login", json={"login": "operator", "password": "operator-password"})
        client.headers["Authorization"] = f"Bearer {login.json()['accessToken']}"
        yield client


def seat_of(page: Any, session_id: str) -> str:
    """The player id the page holds a seat with."""
    return str(json.loads(page.evaluate("localStorage['checkgame.seats']"))[session_id]["playerId"])


def connections_of(admin: httpx.Client, player_id: str) -> list[dict[str, Any]]:
    response = admin.get("/admin/connections")
    assert response.status_code == 200, response.text
    return [c for c in response.json()["connections"] if c["playerId"] == player_id]


def test_a_notice_a_kick_and_the_end_of_the_session_reach_the_pages(
    node: Node, new_page: Any, admin: httpx.Client
) -> None:
    ann, bob = new_page(), new_page()
    bob_sockets: list[Any] = []
    bob.on("websocket", lambda ws: bob_sockets.append(ws))
    register_in_page(ann, node.url, "ann")
    code = create_table_in_page(ann, players=3)
    ann.get_by_role("button", name="Add a computer player").click()
    bob.goto(f"{node.url}/join/{code}")
    bob.locator("input[name=name]").fill("Bob")
    bob.get_by_role("button", name="Take a seat").click()
    ann.locator("[data-screen=waiting] li", has_text="Bob").wait_for()
    ann.get_by_role("button", name="Start the tournament").click()
    for page in (ann, bob):
        page.locator("[data-screen=table]").wait_for()
    session_id = ann.url.rsplit("/", 1)[1]
    ann_id, bob_id = seat_of(ann, session_id), seat_of(bob, session_id)

    # A notice: a banner on every page, and a line in the log.
    sent = admin.post(f"/admin/sessions/{session_id}/notice", json={"message": "The server restarts at 22:00."})
    assert sent.status_code == 200, sent.text
    for page in (ann, bob):
        page.get_by_role("alert").get_by_text("Message from the operators: The server restarts at 22:00.").wait_for()
        page.locator(".log li", has_text="Message from the operators: “The server restarts at 22:00.”").wait_for()

    # Bob is kicked: his page says so and stays off the table; Ann's log tells who left and why.
    kicked = admin.post(f"/admin/sessions/{session_id}/kick", json={"playerId": bob_id, "reason": "rude chat"})
    assert kicked.status_code == 200, kicked.text
    bob.locator("[data-screen=removed]", has_text="An operator removed you: rude chat").wait_for()
    closed = "() => ['offline', 'reconnecting'].includes(document.getElementById('connection').dataset.status)"
    wait_for_js(bob, closed)
    assert bob.locator("#connection").get_attribute("data-status") == "offline"  # 4403 is final: no retry scheduled
    ann.locator(".log li", has_text="Bob was removed by an operator (rude chat).").wait_for()
    assert session_id not in json.loads(bob.evaluate("localStorage['checkgame.seats']"))  # nor after a reload
    assert len(bob_sockets) == 1
    assert connections_of(admin, bob_id) == []

    # Ann's page answers the server's pings: the admin API knows her round trip.
    stop = time.monotonic() + PING_CEILING_S
    while not any(isinstance(c["rttMs"], int | float) for c in connections_of(admin, ann_id)):
        assert time.monotonic() < stop, "the page never answered a ping"
        ann.wait_for_timeout(250)
    assert len(bob_sockets) == 1  # seconds later, Bob's page still has not tried again

    # The session is ended: Ann is told, with the reason, and goes back to the lobby from there.
    ended = admin.post(f"/admin/sessions/{session_id}/end", json={"reason": "maintenance"})
    assert ended.status_code == 200, ended.text
    screen = ann.locator("[data-screen=ended]")
    screen.get_by_role("heading", name="An operator ended this session").wait_for()
    assert "Reason: maintenance" in screen.inner_text()
    screen.get_by_role("link", name="Back to the lobby").click()
    ann.get_by_role("heading", name="Welcome, ann").wait_for()
    assert session_id not in json.loads(ann.evaluate("localStorage['checkgame.seats']"))
