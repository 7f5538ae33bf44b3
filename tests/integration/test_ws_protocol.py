"""The WebSocket protocol against a real server: bad input, limits, resume, idempotency, timers, shutdown."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio
from trio_websocket import ConnectionClosed

from checkgame import rules, sessions
from tests.integration.conftest import (
    Seat,
    Server,
    TableClient,
    connect,
    create_session,
    join_as_guest,
    open_ws,
    register,
    start_server,
)


async def two_seats(http: httpx.AsyncClient) -> tuple[Seat, Seat]:
    owner = await register(http)
    table = await create_session(http, owner, max_players=2)
    return table, await join_as_guest(http, table.code, "Guest")


async def started_pair(server: Server, http: httpx.AsyncClient, ann: TableClient, bob: TableClient) -> dict[str, Any]:
    await ann.until("session_state")
    await bob.until("session_state")
    await ann.send("start_game")
    started = await ann.until("game_started")
    await bob.until("game_started")
    return started


async def game_of(server: Server, session_id: str) -> sessions.SessionState | None:
    """The authoritative state, for "nothing changed" checks."""
    return await server.services.sessions.live.load(session_id)


async def _settled(server: Server, session_id: str) -> sessions.SessionState:
    """The state once the recorder has acknowledged every result (each acknowledgement adds an entry)."""
    with trio.fail_after(10):
        while True:
            state = await game_of(server, session_id)
            assert state is not None
            if not state.pending_results:
                return state
            await trio.sleep(0.02)


def _code(closed: ConnectionClosed) -> int:
    assert closed.reason is not None
    return closed.reason.code


async def test_bad_frames_get_precise_errors_and_change_nothing(server: Server, http: httpx.AsyncClient) -> None:
    table, guest = await two_seats(http)
    async with connect(server, table) as ann, connect(server, guest) as bob:
        await started_pair(server, http, ann, bob)
        before = await game_of(server, table.session_id)
        cases = [
            ("{not json", "MALFORMED_MESSAGE"),
            ('["a list"]', "MALFORMED_MESSAGE"),
            ('{"type": "fly_away", "data": {}}', "UNKNOWN_MESSAGE_TYPE"),
            ('{"type": "play_card", "data": {"card": 7}}', "VALIDATION_ERROR"),
            ('{"type": "play_card", "data": {"card": "ZZ"}}', "VALIDATION_ERROR"),
            ('{"type": "resume", "data": {"lastSeq": "x"}}', "VALIDATION_ERROR"),
        ]
        for raw, code in cases:
            await ann.ws.send_message(raw)
            error = await ann.until("error", "invalid_action")
            assert error["data"]["code"] == code, raw
            await ann.send("ping")  # resets the violation count: these are not a flood
            await ann.until("pong")
        after = await game_of(server, table.session_id)
        assert after == before


async def test_illegal_and_out_of_turn_moves_are_refused_with_rule_codes(
    server: Server, http: httpx.AsyncClient
) -> None:
    table, guest = await two_seats(http)
    async with connect(server, table) as ann, connect(server, guest) as bob:
        started = await started_pair(server, http, ann, bob)
        before = await game_of(server, table.session_id)
        assert before is not None
        assert before.game is not None
        await bob.send("draw_card", actionId="b1")
        refused = await bob.until("invalid_action")
        assert refused["data"] == {"code": "NOT_YOUR_TURN", "message": refused["data"]["message"], "actionId": "b1"}
        not_mine = next(c for c in before.game.hand_of(guest.player_id))
        await ann.send("play_card", card=not_mine.code, actionId="a1")
        assert (await ann.until("invalid_action"))["data"]["code"] == "CARD_NOT_IN_HAND"
        await ann.send("choose_suit", suit="hearts", actionId="a2")
        assert (await ann.until("invalid_action"))["data"]["code"] == "NO_SUIT_CHOICE_PENDING"
        hand = started["data"]["hand"]
        top = before.game.top_card
        illegal = [c for c in map(rules.card_from_wire, hand) if not rules.is_playable(c, top, None)]
        if illegal:
            await ann.send("play_card", card=rules.card_to_wire(illegal[0]), actionId="a3")
            assert (await ann.until("invalid_action"))["data"]["code"] == "INVALID_PLAY"
        assert await game_of(server, table.session_id) == before


async def test_oversized_frames_and_floods_are_refused_then_closed_with_1008(
    server: Server, http: httpx.AsyncClient
) -> None:
    table, _ = await two_seats(http)
    async with connect(server, table) as ann:
        await ann.until("session_state")
        await ann.ws.send_message(json.dumps({"type": "ping", "data": {"nonce": "x" * 5000}}))
        assert (await ann.until("error"))["data"]["code"] == "MESSAGE_TOO_LARGE"
        codes = []
        with pytest.raises(ConnectionClosed) as closed:
            for _ in range(100):
                await ann.send("draw_card")
                frame = await ann.until("error", "invalid_action")
                codes.append(frame["data"]["code"])
        assert "RATE_LIMITED" in codes
        assert _code(closed.value) == 1008


async def test_a_bad_token_is_refused_with_1008(server: Server) -> None:
    url = server.url.replace("http://", "ws://") + "/api/v1/ws?token=garbage"
    async with open_ws(url) as ws:
        frame = json.loads(await ws.get_message())
        assert frame["type"] == "error"
        assert frame["data"]["code"] == "INVALID_TOKEN"
        with pytest.raises(ConnectionClosed) as closed:
            await ws.get_message()
        assert _code(closed.value) == 1008


async def test_resume_replays_exactly_the_missed_entries(server: Server, http: httpx.AsyncClient) -> None:
    table, guest = await two_seats(http)
    async with connect(server, table) as ann:
        async with connect(server, guest) as bob:
            await started_pair(server, http, ann, bob)
            last_seen = bob.last_seq
        # bob is away: ann moves
        await ann.send("draw_card", actionId="a1")
        await ann.until("turn_changed")
        missed = [f for f in ann.frames if f.get("seq") and f["seq"] > last_seen]
        assert missed
        async with connect(server, guest, last_seq=last_seen) as bob:
            await bob.until("connection_established")
            replayed: list[dict[str, Any]] = []
            while len(replayed) < len(missed):
                frame = await bob.receive()
                if frame.get("seq") is not None:
                    replayed.append(frame)
            assert [f["seq"] for f in replayed] == [f["seq"] for f in missed]
            assert [f["type"] for f in replayed] == [f["type"] for f in missed]
            drawn = next(f for f in replayed if f["type"] == "card_drawn")
            assert "cards" not in drawn["data"]  # bob sees ann's draw without the card
            # the resume message on a live connection sends the same entries again, in order
            await bob.send("resume", lastSeq=last_seen)
            again: list[dict[str, Any]] = []
            while len(again) < len(missed):  # entries newer than the missed ones (bob's return) may come first
                frame = await bob.receive()
                if frame.get("seq") is not None and frame["seq"] <= missed[-1]["seq"]:
                    again.append(frame)
            assert [f["seq"] for f in again] == [f["seq"] for f in missed]


async def test_resume_from_too_far_back_sends_one_snapshot(
    nursery: trio.Nursery, tmp_path, http: httpx.AsyncClient, server: Server
) -> None:
    table, _guest = await two_seats(http)
    async with connect(server, table) as ann:
        await ann.until("session_state")
        await ann.send("resume", lastSeq=-5)
        snapshot = await ann.until("session_state")
        assert snapshot["seq"] == snapshot["data"]["seq"]


async def test_heartbeat_timeout_closes_a_silent_connection(nursery: trio.Nursery, tmp_path) -> None:
    server = await start_server(nursery, tmp_path, heartbeat_timeout_s=0.3)
    async with httpx.AsyncClient(base_url=server.url + "/api/v1") as http:
        table, _ = await two_seats(http)
    async with connect(server, table) as ann:
        await ann.until("session_state")
        with pytest.raises(ConnectionClosed) as closed, trio.fail_after(10):
            while True:
                await ann.receive()
        assert _code(closed.value) == 4408
    server.stop.set()


async def test_turn_timer_and_grace_period_act_for_absent_players(nursery: trio.Nursery, tmp_path) -> None:
    server = await start_server(nursery, tmp_path, turn_timeout_s=0.3, grace_s=0.5)
    async with httpx.AsyncClient(base_url=server.url + "/api/v1") as http:
        table, guest = await two_seats(http)
    async with connect(server, table) as ann:
        async with connect(server, guest) as bob:
            await started_pair(server, http, ann, bob)
        # ann does not move: the timer draws for her
        timeout = await ann.until("turn_timeout")
        assert timeout["data"]["player"] == table.player_id
        drawn = await ann.until("card_drawn")
        assert drawn["data"]["player"] == table.player_id
        assert len(drawn["data"]["cards"]) == 1
        # bob's connection is gone: after the grace period he has left, lost, and the tournament is over
        finished = await ann.until("tournament_finished")
        away = [f["data"]["player"] for f in ann.frames if f["type"] == "player_disconnected"]
        assert away == [guest.player_id]
        assert finished["data"]["winner"] == table.player_id
    server.stop.set()


async def test_graceful_shutdown_closes_sockets_with_1001_and_exits(nursery: trio.Nursery, tmp_path) -> None:
    server = await start_server(nursery, tmp_path)
    async with httpx.AsyncClient(base_url=server.url + "/api/v1") as http:
        table, guest = await two_seats(http)
    async with connect(server, table) as ann, connect(server, guest) as bob:
        await ann.until("session_state")
        await bob.until("session_state")
        server.stop.set()
        for client in (ann, bob):
            with pytest.raises(ConnectionClosed) as closed, trio.fail_after(5):
                while True:
                    await client.receive()
            assert _code(closed.value) == 1001


async def test_entries_never_wait_for_a_slow_socket_and_a_long_absence_resumes_with_a_snapshot(
    nursery: trio.Nursery, tmp_path: Path
) -> None:
    server = await start_server(nursery, tmp_path, outbox_size=2)
    async with httpx.AsyncClient(base_url=server.url + "/api/v1") as http:
        table, guest = await two_seats(http)
        async with connect(server, table) as ann:
            async with connect(server, guest) as bob:
                await started_pair(server, http, ann, bob)
                last = ann.last_seq
            # bob leaving ends the game and the tournament: four entries at once, more than ann's queue holds,
            # all written straight to her socket (only a socket that pushes back queues; see tests/attack)
            response = await http.delete(
                f"/sessions/{guest.session_id}/leave", headers={"Authorization": f"Bearer {guest.token}"}
            )
            assert response.status_code == 204
            await ann.until("tournament_finished")
        state = await _settled(server, table.session_id)
        assert state.status is sessions.Status.FINISHED
        async with connect(server, table, last_seq=last) as ann:  # too much to replay into 2 slots: a snapshot
            snapshot = await ann.until("session_state")
            assert snapshot["seq"] == state.seq
            assert snapshot["data"]["ranking"] == [table.player_id, guest.player_id]
    server.stop.set()


async def test_resuming_when_nothing_was_missed_continues_with_the_next_entries(
    server: Server, http: httpx.AsyncClient
) -> None:
    table, guest = await two_seats(http)
    async with connect(server, table) as ann:
        async with connect(server, guest) as bob:
            await started_pair(server, http, ann, bob)
        await ann.until("player_disconnected")
        up_to_date = ann.last_seq  # bob's last entry is the one logging his departure
        async with connect(server, guest, last_seq=up_to_date) as bob:
            await bob.until("connection_established")
            back = await bob.until("player_reconnected", "session_state", timeout=5)  # an entry, not a snapshot
            assert (back["type"], back["seq"]) == ("player_reconnected", up_to_date + 1)
            await ann.send("draw_card", actionId="a1")
            drawn = await bob.until("card_drawn")
            assert drawn["seq"] == up_to_date + 2


async def test_players_hear_when_a_finished_game_is_stored(server: Server, http: httpx.AsyncClient) -> None:
    table, guest = await two_seats(http)
    async with connect(server, table) as ann, connect(server, guest) as bob:
        await started_pair(server, http, ann, bob)
        await bob.send("leave_game")  # bob loses the game at once (RULES.md §14)
        finished = await ann.until("game_finished")
        recorded = await ann.until("game_recorded")
        assert recorded["gameId"] == finished["gameId"]
        assert recorded["seq"] > finished["seq"]
        stored = await http.get(f"/sessions/{table.session_id}/games/{recorded['gameId']}")
        assert stored.status_code == 200  # acknowledged only once the store holds it
        assert stored.json()["game"]["loser"] == guest.player_id
