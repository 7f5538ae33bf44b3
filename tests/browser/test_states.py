"""Every situation a player can be in, seen in a real browser at desktop and phone sizes.

A person plays a whole tournament against computer players, playing their cards down to two and then only
drawing, so they surely lose the first game: the waiting room, their turn and the others', a dropped connection,
the elimination, the next game's countdown with the standings, watching the rest, and the results all come up
in one run. Situations that depend on the cards dealt (an attack on you, a Jack's pending suit, finishing safe)
are rendered from crafted log entries through the page's own model and table modules.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import (
    CARD_EDGE,
    CEILING_S,
    Node,
    create_table_in_page,
    move,
    play_until_results,
    ranking,
    register_in_page,
    serve,
    wait_for_js,
)
from tests.browser.proxy import Relay

pytestmark = pytest.mark.slow
SIZES: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1200, "height": 820}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
KEEP_CARDS = 2
APPLIED = "s => { const t = document.querySelector('[data-screen=table]'); return !t || t.dataset.seq !== s; }"
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    """A server that pauses 2 s between games, long enough to look at the countdown and the standings."""
    with serve(tmp_path_factory.mktemp("server"), CHECKGAME_NEXT_GAME_DELAY_S="2") as running:
        yield running


def losing_move(page: Any) -> bool:
    """On our turn: the first legal card (naming a suit after a Jack) while we hold more than two, else draw."""
    table = page.locator("[data-screen=table][data-my-turn=true]")
    if table.count() == 0:
        return False
    seq = table.get_attribute("data-seq")
    picker = page.locator(".suit-picker button[data-suit]")
    playable = page.locator(".hand button.playable")
    if picker.count():
        picker.first.click()
    elif page.locator(".hand button").count() > KEEP_CARDS and playable.count():
        playable.first.click(position=CARD_EDGE)
        if picker.count():
            picker.first.click()
    else:
        page.locator("#draw").click()
    wait_for_js(page, APPLIED, seq)
    return True


BETWEEN = """() => {
    const screen = document.querySelector("main [data-screen=between]");
    if (!screen) return null;
    const ids = (selector) => [...screen.querySelectorAll(selector)].map((li) => li.dataset.player);
    return {
        eliminated: screen.dataset.eliminated,
        countdown: screen.querySelector(".countdown").textContent,
        out: [...screen.querySelectorAll(".standings.out li")].map((li) => [li.dataset.player,
            li.textContent.includes("lost game 1")]),
        stillIn: ids(".standings.still-in li"),
        stale: document.querySelectorAll("main [data-top], main [data-demanded], main .hand").length,
        lobby: [...screen.querySelectorAll("a")].some((a) => a.textContent === "Back to the lobby"),
    };
}"""


def where(page: Any) -> str:
    """The screen shown, or on the table the player's situation there (data-phase), read in one evaluation."""
    return str(
        page.evaluate(
            "() => { const s = document.querySelector('main [data-screen]');"
            " return s ? (s.dataset.phase || s.dataset.screen) : ''; }"
        )
    )


@pytest.mark.parametrize("size", SIZES)
def test_a_tournament_shows_every_situation_of_a_losing_player(node: Node, new_page: Any, size: str) -> None:
    relay = Relay(node.address)
    try:
        page = new_page(**SIZES[size])
        register_in_page(page, relay.url, f"loser{size}{next(_numbers)}")
        create_table_in_page(page, players=3)
        for bot in ("Bot 2", "Bot 3"):
            page.get_by_role("button", name="Add a computer player").click()
            page.locator("[data-screen=waiting] li", has_text=bot).wait_for()
        assert where(page) == "waiting"
        assert page.locator("[data-screen=waiting] li svg.avatar").count() == 3
        me = page.evaluate("Object.values(JSON.parse(localStorage['checkgame.seats']))[0].playerId")
        page.get_by_role("button", name="Start the tournament").click()
        page.locator("[data-screen=table]").wait_for()
        assert page.locator(".felt .seat svg.avatar").count() == 2  # the two others around the felt
        assert page.locator(".felt .seat .fan .card.back").count() > 0

        seen: list[str] = []
        cut = checked_between = checked_eliminated = False
        stop = page.evaluate("Date.now()") + CEILING_S * 1000
        while where(page) != "results":
            assert page.evaluate("Date.now()") < stop, f"the tournament did not finish; seen {seen}"
            now = where(page)
            if not seen or seen[-1] != now:
                seen.append(now)
            if now == "their-turn" and not cut:  # the network drops mid-game: said on the table, then resumed
                cut = True
                assert relay.cut() > 0
                page.locator(".offline-banner[role=alert]").wait_for()
                page.locator("#connection[data-status=online]").wait_for()
                assert page.locator(".offline-banner").count() == 0
            elif now == "between":
                between = page.evaluate(BETWEEN)  # read at once: the next game may start any moment
                if between is not None:
                    checked_between = True
                    assert between["eliminated"] == "true"
                    assert between["countdown"].endswith(" s")
                    assert between["out"] == [[me, True]]  # we lost game 1
                    assert len(between["stillIn"]) == 2
                    assert between["stale"] == 0  # nothing of the finished game: no top card, no asked suit
                    assert between["lobby"]
            elif now == "eliminated" and not checked_eliminated:  # once: the page redraws on every move
                checked_eliminated = True
                strip = page.locator(".status-strip[data-phase=eliminated]")
                assert "watching the rest of the tournament" in strip.inner_text()
                strip.get_by_role("link", name="Back to the lobby").wait_for(state="visible", timeout=5_000)
                assert page.locator(".hand button").count() == 0
            if not losing_move(page):
                page.wait_for_timeout(30)
        seen.append("results")

        for situation in ("your-turn", "their-turn", "between", "eliminated", "results"):
            assert situation in seen, (situation, seen)
        assert seen.index("between") < seen.index("eliminated") < seen.index("results")
        assert cut, "the connection was never cut"
        assert checked_between
        assert checked_eliminated

        results = page.locator("[data-screen=results]")
        assert [li.get_attribute("data-player") for li in results.locator(".ranking li").all()][-1] == me
        assert results.locator(".podium li").count() == 3
        results.locator(".games tbody tr").nth(1).wait_for()  # each game's loser, from the recorded games
        assert results.locator(".games tbody tr").count() == 2
        assert results.locator(".games tbody tr").first.locator("[data-loser]").get_attribute("data-loser") == me
        if size == "phone":
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            for width in (360, 390):  # the header stays on one line
                page.set_viewport_size({"width": width, "height": 800})
                assert page.locator("header.bar").bounding_box()["height"] < 64
                assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.get_by_role("link", name="Back to the lobby").click()
        page.locator("form[aria-labelledby=join-title]").wait_for()
    finally:
        relay.close()


SITUATIONS = """async ([me]) => {
    const { SessionModel } = await import("/assets/model.js");
    const { tableView } = await import("/assets/table.js");
    const { momentOf } = await import("/assets/motion.js");
    const card = (rank, suit) => ({ rank, suit });
    const seats = ["me", "ann", "bob"].map((player, i) => ({ player, name: player.toUpperCase(), seat: i + 1,
        registered: false, left: false, eliminated: false, connected: true }));
    const snapshot = (game, extra = {}) => ({ type: "session_state", seq: 10, timestamp: 0, data: {
        status: "playing", creator: "me", maxPlayers: 3, seats, eliminated: [], ranking: null, gameNumber: 1,
        turnDeadline: null, nextGameAt: null, game, settings: { turnTimeoutSeconds: 30, nextGameDelaySeconds: 5 },
        ...extra } });
    const game = (changes) => ({ players: ["me", "ann", "bob"].map((id) => ({ id, handSize: 5, finished: false })),
        currentPlayer: "me", topCard: card("7", "hearts"), demandedSuit: null, pendingPenalty: 0, awaitingSuit: false,
        drawPileSize: 20, discardPileSize: 3, finishOrder: [], loser: null, hand: [card("5", "clubs")], ...changes });
    const show = (frame, after = []) => {
        const model = new SessionModel(me);
        model.apply(frame);
        const moments = after.map((f) => { model.apply(f); return momentOf(f, model); });
        const view = tableView({ model, hint: "" }, {});
        return { phase: view.dataset.phase, strip: view.querySelector(".status-strip").textContent,
                 attack: view.querySelector("[data-penalty]")?.textContent ?? null,
                 demanded: view.querySelector("[data-demanded]")?.dataset.demanded ?? null,
                 seats: view.querySelectorAll(".seat").length, moments: moments.map((m) => m && m.text) };
    };
    const entry = (seq, type, data) => ({ type, seq, timestamp: 1, data });
    return {
        attacked: show(snapshot(game({ currentPlayer: "bob" })), [
            entry(11, "card_played", { player: "bob", card: card("7", "spades"), chosenSuit: null, pendingPenalty: 2,
                                       awaitingSuit: false }),
            entry(12, "turn_changed", { player: "me", pendingPenalty: 2, demandedSuit: null })]),
        choosing: show(snapshot(game({ currentPlayer: "me", awaitingSuit: true, topCard: card("J", "clubs") }))),
        asked: show(snapshot(game({ currentPlayer: "ann" })), [
            entry(11, "card_played", { player: "ann", card: card("J", "hearts"), chosenSuit: "spades",
                                       pendingPenalty: 0, awaitingSuit: false }),
            entry(12, "turn_skipped", { player: "bob" })]),
        finished: show(snapshot(game({ currentPlayer: "ann", hand: [],
            players: [{ id: "me", handSize: 0, finished: true }, { id: "ann", handSize: 3, finished: false },
                      { id: "bob", handSize: 4, finished: false }], finishOrder: ["me"] }))),
        watching: show(snapshot(game({ currentPlayer: "ann", hand: undefined,
            players: [{ id: "ann", handSize: 3, finished: false }, { id: "bob", handSize: 4, finished: false }] }),
            { eliminated: ["me"] }), [entry(11, "game_finished", { loser: "bob", placements: ["ann", "bob"],
                                                                  reason: "last_player" })]),
    };
}"""


def test_the_situations_the_cards_decide_are_each_told(node: Node, new_page: Any) -> None:
    """An attack landing on you, a Jack's suit still to name, a suit asked for, finishing safe, watching."""
    page = new_page()
    page.goto(node.url + "/")
    shown = page.evaluate(SITUATIONS, ["me"])
    attacked = shown["attacked"]
    assert attacked["phase"] == "attacked"
    assert "attacked: +2" in attacked["strip"]
    assert attacked["attack"].startswith("Attack +2")
    assert attacked["moments"] == [None, "Attack! Counter with a 7 or a Joker, or draw 2"]
    assert shown["choosing"]["phase"] == "choosing-suit"
    assert shown["choosing"]["strip"].startswith("Name a suit for your Jack")
    asked = shown["asked"]
    assert asked["demanded"] == "spades"
    assert asked["moments"] == ["ANN asks for ♠ spades", "BOB is skipped"]
    assert shown["finished"]["phase"] == "finished"
    assert "safe this game" in shown["finished"]["strip"]
    assert "watching the rest of this game" in shown["finished"]["strip"]
    watching = shown["watching"]
    assert watching["phase"] == "eliminated"
    assert watching["seats"] == 2  # the two still playing sit around the felt
    assert watching["moments"] == ["BOB loses game 1"]


def test_a_player_who_finishes_first_watches_the_rest_of_the_game(node: Node, new_page: Any) -> None:
    """Three people: Ann plays her cards while Bob and Cid draw (they play only once the draw pile is empty, so the
    top card changes): Ann finishes first, and watches the two of them play on."""
    ann, bob, cid = new_page(), new_page(**SIZES["phone"]), new_page()
    register_in_page(ann, node.url, f"ann{next(_numbers)}")
    code = create_table_in_page(ann, players=3)
    for page, name in ((bob, "Bob"), (cid, "Cid")):
        page.goto(f"{node.url}/join/{code}")
        page.locator("input[name=name]").fill(name)
        page.get_by_role("button", name="Take a seat").click()
        page.locator("[data-screen=waiting]").wait_for()
    ann.locator("[data-screen=waiting] li", has_text="Cid").wait_for()
    ann.get_by_role("button", name="Start the tournament").click()
    for page in (ann, bob, cid):
        page.locator("[data-screen=table]").wait_for()

    stop = ann.evaluate("Date.now()") + CEILING_S * 1000
    while where(ann) != "finished":
        assert ann.evaluate("Date.now()") < stop, "Ann did not finish"
        moved = move(ann)
        for page in (bob, cid):
            if page.locator("[data-screen=table][data-my-turn=true]").count() == 0:
                continue
            if page.locator("#draw").get_attribute("data-left") == "0":  # the two hold the deck: change the top card
                moved = move(page) or moved  # (with their hands of twenty cards, Ann still finishes long before)
                continue
            seq = page.locator("[data-screen=table]").get_attribute("data-seq")
            page.locator("#draw").click()
            wait_for_js(page, APPLIED, seq)
            moved = True
        if not moved:
            ann.wait_for_timeout(30)

    strip = ann.locator(".status-strip[data-phase=finished]")
    assert "You finished 1st: safe this game" in strip.inner_text()
    assert "watching the rest of this game" in strip.inner_text()
    assert ann.locator(".hand button").count() == 0
    assert ann.locator(".felt .seat").count() == 2  # Bob and Cid play on around the felt
    ann.locator("#moments [data-moment=finished]", has_text="You are out of cards").wait_for()
    bob.locator(".seat", has=bob.locator(".badge", has_text="finished 1st")).wait_for()
    play_until_results(ann, bob, cid)
    assert ranking(ann) == ranking(bob) == ranking(cid)


MOTION = """async () => {
    const { motionFor } = await import("/assets/motion.js");
    const card = { rank: "5", suit: "clubs" };
    const frame = { type: "card_played", seq: 2, timestamp: 1, data: { player: "ann", card, chosenSuit: null,
                    pendingPenalty: 0, awaitingSuit: false } };
    return typeof motionFor(frame, { me: "me" }, document.body);
}"""


def test_cards_fly_unless_the_player_asks_for_less_motion(node: Node, new_page: Any) -> None:
    moving, still = new_page(), new_page(reduced_motion="reduce")
    for page in (moving, still):
        page.goto(node.url + "/")
    assert moving.evaluate(MOTION) == "function"  # the played card flies from the seat to the pile
    assert still.evaluate(MOTION) == "object"  # null: the change is instant
