"""The shortest path through the server: register, create, join, connect, start, first move."""

from __future__ import annotations

import httpx

from tests.integration.conftest import Server, connect, create_session, join_as_guest, register


async def test_two_players_connect_start_and_move(server: Server, http: httpx.AsyncClient) -> None:
    owner = await register(http)
    table = await create_session(http, owner, max_players=2)
    guest = await join_as_guest(http, table.code, "Guest")
    async with connect(server, table) as ann, connect(server, guest) as bob:
        established = await ann.until("connection_established")
        assert established["data"]["playerId"] == owner.user_id
        state = await ann.until("session_state")
        assert [s["player"] for s in state["data"]["seats"]] == [owner.user_id, guest.player_id]
        await bob.until("session_state")
        await ann.send("start_game")
        started = await ann.until("game_started")
        assert len(started["data"]["hand"]) == 7
        bob_started = await bob.until("game_started")
        assert bob_started["seq"] == started["seq"]
        assert bob_started["data"]["hand"] != started["data"]["hand"]
        first = started["data"]["firstPlayer"]
        assert first == owner.user_id  # game 1: seat 1 starts (RULES.md §5)
        await ann.send("draw_card", actionId="a1")
        drawn = await ann.until("card_drawn")
        assert len(drawn["data"]["cards"]) == 1
        seen_by_bob = await bob.until("card_drawn")
        assert "cards" not in seen_by_bob["data"]
        await ann.send("draw_card", actionId="a1")  # a retry of an applied action
        ack = await ann.until("action_ack", "invalid_action")
        assert ack["type"] == "action_ack"
        assert ack["data"]["duplicate"] is True
        await ann.send("draw_card", actionId="a2")  # not ann's turn any more
        refused = await ann.until("invalid_action")
        assert refused["data"]["code"] == "NOT_YOUR_TURN"
