"""Watching and chatting in real browsers: the lobby's watch link, the public table, the two chats kept apart."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from tests.browser.conftest import Node, create_table_in_page, register_in_page

pytestmark = pytest.mark.slow
_numbers = itertools.count(1)


def username() -> str:
    return f"social{next(_numbers)}{id(_numbers) % 10_000}"


def say(page: Any, text: str) -> None:
    chat = page.locator("aside.chat")
    chat.locator("input[name=text]").fill(text)
    chat.get_by_role("button", name="Send").click()


def test_a_guest_watches_from_the_lobby_and_each_chat_stays_on_its_side(node: Node, new_page: Any) -> None:
    ann, bob, guest, fan = new_page(), new_page(), new_page(), new_page()
    host = username()
    register_in_page(ann, node.url, host)
    code = create_table_in_page(ann, players=2)
    bob.goto(f"{node.url}/join/{code}")
    bob.locator("input[name=name]").fill("Bob")
    bob.get_by_role("button", name="Take a seat").click()
    bob.locator("[data-screen=waiting]").wait_for()
    say(ann, "good luck, Bob")
    bob.locator("aside.chat li", has_text="good luck, Bob").wait_for()
    ann.locator("aside.chat li", has_text="good luck, Bob").wait_for()

    guest.goto(node.url + "/#/")
    row = guest.locator("ul.tables li", has_text=f"{host}'s table")
    row.get_by_role("link", name="Watch").click()
    guest.get_by_role("heading", name="Watching a table").wait_for()
    guest.get_by_text("Log in to write here").wait_for()  # a guest reads the spectators' chat only
    register_in_page(fan, node.url, username())
    fan.goto(guest.url)
    fan.get_by_role("heading", name="Watching a table").wait_for()
    guest.locator("p[data-spectators='2']").wait_for()
    ann.locator("aside.chat [data-spectators='2']").wait_for()  # the players see how many watch
    say(fan, "go Bob!")
    guest.locator("aside.chat li", has_text="go Bob!").wait_for()

    ann.get_by_role("button", name="Start the tournament").click()
    guest.get_by_text("7 cards").first.wait_for()  # the public view: how many cards, never which
    ann.locator("[data-screen=table]").wait_for()
    say(ann, "here we go")
    bob.locator("aside.chat li", has_text="here we go").wait_for()
    say(fan, "popcorn")
    guest.locator("aside.chat li", has_text="popcorn").wait_for()
    assert guest.locator("aside.chat li", has_text="good luck").count() == 0
    assert guest.locator("aside.chat li", has_text="here we go").count() == 0
    assert ann.locator("aside.chat li", has_text="go Bob!").count() == 0
    assert ann.locator("aside.chat li", has_text="popcorn").count() == 0
    assert guest.locator(".hand button").count() == 0

    bob.locator("aside.chat li", has_text="here we go").get_by_role("button", name="Mute").click()
    bob.get_by_text("2 messages from people you muted.").wait_for()  # all of Ann's, on Bob's device only
    assert ann.locator("aside.chat li", has_text="here we go").count() == 1
