"""The page's legality (checkgame/web/assets/rules.js) against the engine's, card by card.

The page highlights legal cards and explains the others with the server's refusal codes; if the two ever
disagreed, a player would be offered a card the server refuses, or denied one it accepts.
"""

from __future__ import annotations

import random
from typing import Any

from checkgame.rules import DECK, Card, Rank, Suit, card_to_wire, is_playable
from tests.browser.conftest import Node


def expected(card: Card, top: Card, demanded: Suit | None, penalty: int) -> str | None:
    """The engine's verdict for the player to move: None (legal) or its refusal code (RULES.md §15)."""
    if penalty > 0:
        return None if card.is_attack else "MUST_COUNTER_OR_DRAW"
    return None if is_playable(card, top, demanded) else "INVALID_PLAY"


def positions(count: int, seed: int) -> list[tuple[Card, Suit | None, int]]:
    """Every top card, then random ones: a Jack may carry a demanded suit, an attack card a pending penalty."""
    rng = random.Random(seed)
    tops = [*DECK, *(rng.choice(DECK) for _ in range(count))]
    found = []
    for top in tops:
        demanded = rng.choice([None, *Suit]) if top.rank is Rank.JACK else None
        penalty = rng.choice([0, 2, 4, 6, 8]) if top.is_attack else 0
        found.append((top, demanded, penalty))
    return found


def test_the_page_and_the_engine_agree_on_every_card(node: Node, new_page: Any) -> None:
    page = new_page()
    page.goto(node.url + "/")
    cases = positions(300, seed=7)
    wire = [{"top": card_to_wire(top), "demanded": None if d is None else d.value, "penalty": p} for top, d, p in cases]
    deck = [card_to_wire(card) for card in DECK]
    verdicts = page.evaluate(
        """async ([cases, deck]) => {
            const { refusal } = await import("/assets/rules.js");
            return cases.map((c) => deck.map((card) => {
                const game = { currentPlayer: "me", awaitingSuit: false, loser: null, topCard: c.top,
                               demandedSuit: c.demanded, pendingPenalty: c.penalty };
                const why = refusal(card, game, "me");
                return why ? why.code : null;
            }));
        }""",
        [wire, deck],
    )
    for (top, demanded, penalty), row in zip(cases, verdicts, strict=True):
        for card, verdict in zip(DECK, row, strict=True):
            assert verdict == expected(card, top, demanded, penalty), (card, top, demanded, penalty)
    legal = sum(v is None for row in verdicts for v in row)
    assert 0 < legal < len(cases) * len(DECK)  # both verdicts occur


def test_turns_and_suit_choices_come_first(node: Node, new_page: Any) -> None:
    """§15's order: not your turn, then a pending suit choice, before anything about the card."""
    page = new_page()
    page.goto(node.url + "/")
    codes = page.evaluate(
        """async () => {
            const { refusal } = await import("/assets/rules.js");
            const card = { rank: "5", suit: "hearts" };
            const game = { currentPlayer: "me", awaitingSuit: false, loser: null,
                           topCard: { rank: "9", suit: "spades" }, demandedSuit: null, pendingPenalty: 0 };
            const code = (changes) => (refusal(card, { ...game, ...changes }, "me") || { code: null }).code;
            return [code({ currentPlayer: "you" }), code({ awaitingSuit: true }), code({ loser: "you",
                    currentPlayer: null }), code({}), code({ topCard: { rank: "5", suit: "clubs" } })];
        }"""
    )
    assert codes == ["NOT_YOUR_TURN", "SUIT_CHOICE_PENDING", "GAME_OVER", "INVALID_PLAY", None]
