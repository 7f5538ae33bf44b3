"""The admin API against a real server: who may look and act, every action for real, the audit log."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
import trio
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from trio_websocket import ConnectionClosed

from checkgame import rules
from checkgame.transport.ws import player
from tests.integration.conftest import (
    PASSWORD,
    Account,
    Seat,
    Server,
    TableClient,
    connect,
    create_session,
    eventually,
    expect_error,
    join_as_guest,
    open_ws,
    register,
)

READS = ["/overview", "/sessions", "/connections", "/users", "/audit"]
ACTIONS: list[tuple[str, dict[str, Any] | None]] = [
    ("/sessions/{sid}/kick", {"playerId": "nobody"}),
    ("/sessions/{sid}/end", {"reason": "x"}),
    ("/sessions/{sid}/notice", {"message": "hello"}),
    ("/sessions/{sid}/reveal", {"reason": "x"}),
    ("/sessions/{sid}/chat/mute", {"playerId": "nobody"}),
    ("/sessions/{sid}/chat/delete", {"seq": 1}),
    ("/nodes/test-node/drain", None),
    ("/nodes/test-node/undrain", None),
]


@pytest.fixture
async def admin_http(server: Server) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url + "/admin", timeout=10) as client:
        yield client


async def promoted(server: Server, http: httpx.AsyncClient, role: str = "admin") -> Account:
    """A registered user given ``role`` in the database, logged in again so the token carries it."""
    account = await register(http)
    await server.services.store.set_role(account.user_id, role)
    response = await http.post("/auth/login", json={"login": account.username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return Account(account.username, account.user_id, response.json()["accessToken"], account.refresh)


async def table_of(http: httpx.AsyncClient, *guests: str) -> tuple[Seat, list[Seat]]:
    owner = await register(http)
    table = await create_session(http, owner, max_players=1 + len(guests))
    return table, [await join_as_guest(http, table.code, name) for name in guests]


async def start(ann: TableClient, *others: TableClient) -> None:
    for client in (ann, *others):
        await client.until("session_state")
    await ann.send("start_game")
    for client in (ann, *others):
        await client.until("game_started")


async def closed_with(client: TableClient, timeout: float = 10) -> tuple[int, str | None, list[str]]:
    """Read until the server closes the socket: (code, reason, frame types seen meanwhile)."""
    seen: list[str] = []
    with trio.fail_after(timeout), pytest.raises(ConnectionClosed) as closed:
        while True:
            seen.append((await client.receive())["type"])
    reason = closed.value.reason
    assert reason is not None
    return reason.code, reason.reason, seen


# -- who may look and act


@pytest.mark.parametrize("path", READS)
async def test_reading_needs_an_administrators_token(
    server: Server, http: httpx.AsyncClient, admin_http: httpx.AsyncClient, path: str
) -> None:
    expect_error(await admin_http.get(path), 401, "UNAUTHORIZED")
    expect_error(await admin_http.get(path, headers={"Authorization": "Bearer nonsense"}), 401, "INVALID_TOKEN")
    player = await register(http)
    expect_error(await admin_http.get(path, headers=player.auth), 403, "FORBIDDEN")
    for role in ("admin", "admin_readonly"):
        admin = await promoted(server, http, role)
        response = await admin_http.get(path, headers=admin.auth)
        assert response.status_code == 200, response.text


async def test_a_read_only_administrator_can_look_but_every_action_is_refused(
    server: Server, http: httpx.AsyncClient, admin_http: httpx.AsyncClient
) -> None:
    table, _ = await table_of(http, "Bob")
    player, viewer = await register(http), await promoted(server, http, "admin_readonly")
    for path, body in ACTIONS:
        url = path.format(sid=table.session_id)
        expect_error(await admin_http.post(url, json=body), 401, "UNAUTHORIZED")
        expect_error(await admin_http.post(url, json=body, headers=player.auth), 403, "FORBIDDEN")
        expect_error(await admin_http.post(url, json=body, headers=viewer.auth), 403, "READ_ONLY")
    assert (await admin_http.get("/audit", headers=viewer.auth)).json() == {"entries": []}
    assert not server.services.node.draining


async def test_a_demoted_administrator_cannot_act_with_an_older_token(
    server: Server, http: httpx.AsyncClient, admin_http: httpx.AsyncClient
) -> None:
    table, _ = await table_of(http, "Bob")
    admin = await promoted(server, http)
    await server.services.store.set_role(admin.user_id, "player")
    response = await admin_http.post(f"/sessions/{table.session_id}/notice", json={"message": "hi"}, headers=admin.auth)
    expect_error(response, 403, "FORBIDDEN")


# -- looking


async def test_overview_sessions_and_connections_show_the_live_cluster(
    server: Server, http: httpx.AsyncClient, admin_http: httpx.AsyncClient
) -> None:
    admin = await promoted(server, http)
    table, (guest,) = await table_of(http, "Bob")
    await table_of(http, "Waiting")
    async with connect(server, table) as ann, connect(server, guest) as bob:
        await start(ann, bob)
        body = (await admin_http.get("/overview", headers=admin.auth)).json()
        assert body["node"] == "test-node"
        assert [node["id"] for node in body["nodes"]] == ["test-node"]
        assert body["nodes"][0]["connections"] == 2
        assert body["nodes"][0]["draining"] is False
        assert body["sessions"] == {"waiting": 1, "playing": 1, "finished": 0}
        assert body["gamesInProgress"] == 1
        assert body["connections"] == 2
        assert body["users"] == 3  # two table owners and the administrator
        assert set(body["rates"]) == {"actionsPerSecond", "messagesInPerSecond", "messagesOutPerSecond"}
        assert body["uptimeSeconds"] >= 0

        listed = (await admin_http.get("/sessions?status=playing", headers=admin.auth)).json()["sessions"]
        assert [s["id"] for s in listed] == [table.session_id]
        (row,) = listed
        assert row["code"] == table.code
        assert row["status"] == "playing"
        assert row["gameNumber"] == 1
        assert [(p["name"], p["connected"], p["cardCount"], p["eliminated"]) for p in row["players"]][1] == (
            "Bob",
            True,
            7,
            False,
        )
        expect_error(await admin_http.get("/sessions?status=lost", headers=admin.auth), 422, "VALIDATION_ERROR")

        listing = (await admin_http.get("/connections", headers=admin.auth)).json()
        connections = listing["connections"]
        assert listing["total"] == 2
        assert sorted(c["playerId"] for c in connections) == sorted([table.player_id, guest.player_id])
        bobs = next(c for c in connections if c["playerId"] == guest.player_id)
        assert (bobs["name"], bobs["sessionId"], bobs["node"]) == ("Bob", table.session_id, "test-node")
        anns = next(c for c in connections if c["playerId"] == table.player_id)
        assert anns["connectedAt"] <= anns["lastMessageAt"]  # ann sent start_game
        assert bobs["lastMessageAt"] is None  # bob has sent nothing
        assert isinstance(bobs["outboxDepth"], int)
        assert bobs["rttMs"] is None  # nobody answered a server ping yet


async def test_the_session_detail_is_the_public_table_and_a_readable_log(
    server: Server, http: httpx.AsyncClient, admin_http: httpx.AsyncClient
) -> None:
    admin = await promoted(server, http, "admin_readonly")
    table, (guest,) = await table_of(http, "Bob")
    async with connect(server, table) as ann, connect(server, guest) as bob:
        await start(ann, bob)
        response = await admin_http.get(f"/sessions/{table.session_id}", headers=admin.auth)
    assert response.status_code == 200, response.text
    body = response.json()
    state = await server.services.sessions.load(table.session_id)
    game = state.game
    assert game is not None
    assert body["session"]["id"] == table.session_id
    detail = body["table"]
    assert detail["gameId"] == state.game_id
    assert detail["topCard"] == rules.card_to_wire(game.top_card)
    assert detail["currentPlayer"] == game.current_player
    assert detail["drawPileCount"] == len(game.draw_pile)
    assert [(s["playerId"], s["cardCount"], s["current"]) for s in detail["seats"]] == [
        (p, len(h), p == game.current_player) for p, h in zip(game.players, game.hands, strict=True)
    ]
    types = [entry["type"] for entry in body["log"]]
    assert types[0] == "player_joined_session"
    assert "game_started" in types
    texts = {entry["type"]: entry["text"] for entry in body["log"]}
    assert texts["player_joined_session"] == "Bob joined (seat 2)"
    assert texts["game_started"].startswith("cards dealt; ")
    hand_cards = {json.dumps(rules.card_to_wire(c), sort_keys=True) for hand in game.hands for c in hand}
    shown = json.dumps(body)
    assert '"hand"' not in shown
    assert not any(card in json.dumps(detail, sort_keys=True) for card in hand_cards)
    expect_error(await admin_http.get("/sessions/" + "0" * 32, headers=admin.auth), 404, "SESSION_NOT_FOUND")


async def test_a_client_answering_server_pings_shows_its_round_trip(
    server: Server, http: httpx.AsyncClient, admin_http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server.services, "settings", replace(server.services.settings, ping_interval_s=0.05))
    admin = await promoted(server, http)
    table, _ = await table_of(http, "Bob")
    async with connect(server, table) as ann:
        ping = await ann.until("ping")
        assert ping["seq"] is None
        await ann.send("pong", nonce=ping["data"]["nonce"])

        async def probe() -> httpx.Response:
            return await admin_http.get("/connections", headers=admin.auth)

        body = await eventually(probe, lambda b: b["connections"][0]["rttMs"] is not None)
    assert body["connections"][0]["rttMs"] >= 0


async def test_users_are_listed_by_page_without_secrets(
    server: Server, http: httpx.AsyncClient, admin_http: httpx.AsyncClient
) -> None:
    admin = await promoted(server, http)
    for _ in range(3):
        await register(http)
    first = (await admin_http.get("/users?limit=2", headers=admin.auth)).json()
    assert first["total"] == 4
    assert len(first["users"]) == 2
    assert first["users"][0]["username"] == admin.username
    assert first["users"][0]["role"] == "admin"
    assert set(first["users"][0]) == {"id", "username", "email", "role", "disabled", "createdAt"}
    rest = (await admin_http.get("/users?limit=2&offset=2", headers=admin.auth)).json()
    assert len(rest["users"]) == 2
    expect_error(await admin_http.get("/users?limit=0", headers=admin.auth), 422, "VALIDATION_ERROR")


# -- acting


async def test_a_kicked_player_is_told_and_disconnected_and_the_others_play_on(
    server: Server, http: httpx.AsyncClient, admin_http: httpx.AsyncClient
) -> None:
    admin = await promoted(server, http)
    table, (bob_seat, cat_seat) = await table_of(http, "Bob", "Cat")
    async with connect(server, table) as ann, connect(server, bob_seat) as bob, connect(server, cat_seat) as cat:
        await start(ann, bob, cat)
        url = f"/sessions/{table.session_id}/kick"
        body = {"playerId": bob_seat.player_id, "reason": "abuse"}
        response = await admin_http.post(url, json=body, headers=admin.auth)
        assert response.json() == {"ok": True}, response.text
        code, reason, seen = await closed_with(bob)
        assert (code, reason) == (player.CLOSE_KICKED, "KICKED")
        assert "player_kicked" in seen
        for other in (ann, cat):
            kicked = await other.until("player_kicked")
            assert kicked["data"] == {"player": bob_seat.player_id, "reason": "abuse"}
            await other.until("player_left_session")
        expect_error(await admin_http.post(url, json=body, headers=admin.auth), 404, "NOT_IN_SESSION")
    state = await server.services.sessions.load(table.session_id)
    assert bob_seat.player_id in state.left
    async with connect(server, bob_seat) as again:  # the seat is gone for good
        assert (await again.receive())["data"]["code"] == "NOT_IN_SESSION"
        with pytest.raises(ConnectionClosed):
            await again.receive()
    (entry,) = (await admin_http.get("/audit", headers=admin.auth)).json()["entries"]
    assert (entry["action"], entry["target"], entry["details"]) == ("kick", f"session/{table.session_id}", body)
    assert (entry["adminId"], entry["adminName"]) == (admin.user_id, admin.username)


async def test_ending_a_session_tells_every_player_and_finishes_it_without_a_result(
    server: Server, http: httpx.AsyncClient, admin_http: httpx.AsyncClient
) -> None:
    admin = await promoted(server, http)
    table, (guest,) = await table_of(http, "Bob")
    async with connect(server, table) as ann, connect(server, guest) as bob:
        await start(ann, bob)
        url = f"/sessions/{table.session_id}/end"
        response = await admin_http.post(url, json={"reason": "maintenance"}, headers=admin.auth)
        assert response.status_code == 200, response.text
        for client in (ann, bob):
            ended = await client.until("session_ended")
            assert ended["data"] == {"reason": "maintenance", "gameNumber": 1, "by": "operator"}
        expect_error(await admin_http.post(url, json={}, headers=admin.auth), 409, "SESSION_FINISHED")

    async def probe() -> httpx.Response:
        return await http.get(f"/sessions/{table.session_id}")

    public = await eventually(probe, lambda b: b["session"]["status"] == "finished")
    assert public["session"]["winnerId"] is None
    assert (await http.get(f"/sessions/{table.session_id}/games")).json() == {"items": []}


async def test_a_notice_reaches_every_player_and_a_player_who_resumes(
    server: Server, http: httpx.AsyncClient, admin_http: httpx.AsyncClient
) -> None:
    admin = await promoted(server, http)
    table, (guest,) = await table_of(http, "Bob")
    async with connect(server, table) as ann:
        await ann.until("session_state")
        async with connect(server, guest) as bob:
            await bob.until("session_state")
            missed_from = bob.last_seq
        url = f"/sessions/{table.session_id}/notice"
        expect_error(await admin_http.post(url, json={"message": ""}, headers=admin.auth), 422, "VALIDATION_ERROR")
        expect_error(
            await admin_http.post(url, json={"message": "x" * 281}, headers=admin.auth), 422, "VALIDATION_ERROR"
        )
        response = await admin_http.post(url, json={"message": "restart at 22:00"}, headers=admin.auth)
        assert response.status_code == 200, response.text
        frame = await ann.until("notice")
        assert frame["data"] == {"message": "restart at 22:00", "from": "admin"}
        assert frame["seq"] is not None
        async with connect(server, guest, last_seq=missed_from) as bob:
            assert (await bob.until("notice"))["data"]["message"] == "restart at 22:00"


async def test_reveal_needs_a_reason_returns_the_real_hands_and_is_audited(
    server: Server, http: httpx.AsyncClient, admin_http: httpx.AsyncClient
) -> None:
    admin = await promoted(server, http)
    table, (guest,) = await table_of(http, "Bob")
    url = f"/sessions/{table.session_id}/reveal"
    expect_error(await admin_http.post(url, json={"reason": "x"}, headers=admin.auth), 409, "NO_GAME")
    async with connect(server, table) as ann, connect(server, guest) as bob:
        await start(ann, bob)
        expect_error(await admin_http.post(url, json={}, headers=admin.auth), 422, "VALIDATION_ERROR")
        expect_error(await admin_http.post(url, json={"reason": ""}, headers=admin.auth), 422, "VALIDATION_ERROR")
        response = await admin_http.post(url, json={"reason": "suspected collusion"}, headers=admin.auth)
        assert response.status_code == 200, response.text
        revealed = response.json()
        dealt = {c.seat.player_id: _dealt(c) for c in (ann, bob)}  # nobody has moved yet
    assert revealed["hands"] == dealt
    state = await server.services.sessions.load(table.session_id)
    assert revealed["gameId"] == state.game_id
    (entry,) = (await admin_http.get("/audit", headers=admin.auth)).json()["entries"]
    assert entry["action"] == "reveal"
    assert entry["details"] == {"reason": "suspected collusion", "gameId": state.game_id}


def _dealt(client: TableClient) -> list[dict[str, str]]:
    """The hand a player was dealt, from their own game_started frame."""
    frame = next(f for f in client.frames if f["type"] == "game_started")
    hand: list[dict[str, str]] = frame["data"]["hand"]
    return hand


async def test_draining_closes_sockets_refuses_new_ones_and_undraining_takes_them_again(
    server: Server, http: httpx.AsyncClient, admin_http: httpx.AsyncClient
) -> None:
    admin = await promoted(server, http)
    table, (guest,) = await table_of(http, "Bob")
    expect_error(await admin_http.post("/nodes/nowhere/drain", headers=admin.auth), 404, "NODE_NOT_FOUND")
    async with connect(server, table) as ann:
        await ann.until("session_state")
        response = await admin_http.post("/nodes/test-node/drain", headers=admin.auth)
        assert response.json() == {"ok": True, "node": "test-node", "draining": True}
        code, _, _ = await closed_with(ann)
        assert code == player.CLOSE_GOING_AWAY
    ready = await http.get(server.url + "/ready")
    assert ready.status_code == 503
    assert "draining" in ready.json()["reasons"]
    async with connect(server, guest) as bob:
        code, _, _ = await closed_with(bob)
        assert code == player.CLOSE_TRY_AGAIN
    overview = (await admin_http.get("/overview", headers=admin.auth)).json()
    assert overview["nodes"][0]["draining"] is True
    response = await admin_http.post("/nodes/test-node/undrain", headers=admin.auth)
    assert response.json() == {"ok": True, "node": "test-node", "draining": False}
    assert (await http.get(server.url + "/ready")).status_code == 200
    async with connect(server, guest) as bob:
        assert (await bob.until("session_state"))["type"] == "session_state"
    entries = (await admin_http.get("/audit", headers=admin.auth)).json()["entries"]
    assert [(e["action"], e["target"]) for e in entries] == [("undrain", "node/test-node"), ("drain", "node/test-node")]


async def test_the_audit_log_lists_every_action_newest_first(
    server: Server, http: httpx.AsyncClient, admin_http: httpx.AsyncClient
) -> None:
    admin = await promoted(server, http)
    table, (bob_seat, _) = await table_of(http, "Bob", "Cat")
    sid = table.session_id
    steps = [
        (f"/sessions/{sid}/notice", {"message": "hi"}),
        (f"/sessions/{sid}/kick", {"playerId": bob_seat.player_id}),
        ("/nodes/test-node/drain", None),
        ("/nodes/test-node/undrain", None),
        (f"/sessions/{sid}/end", {}),
    ]
    for path, body in steps:
        response = await admin_http.post(path, json=body, headers=admin.auth)
        assert response.status_code == 200, (path, response.text)
    expect_error(await admin_http.post(f"/sessions/{sid}/end", json={}, headers=admin.auth), 409, "SESSION_FINISHED")
    entries = (await admin_http.get("/audit", headers=admin.auth)).json()["entries"]
    assert [e["action"] for e in entries] == ["end", "undrain", "drain", "kick", "notice"]  # refusals not audited
    assert entries[3]["details"] == {"playerId": bob_seat.player_id, "reason": ""}
    assert [e["id"] for e in entries] == sorted((e["id"] for e in entries), reverse=True)
    assert len((await admin_http.get("/audit?limit=2", headers=admin.auth)).json()["entries"]) == 2
    counted = server.services.metrics.registry.get_sample_value
    assert [counted("checkgame_admin_actions_total", {"action": e["action"]}) for e in entries] == [1.0] * 5


# -- the admin WebSocket


async def _admin_socket_frames(server: Server, token: str) -> Any:
    return open_ws(server.url.replace("http://", "ws://") + f"/admin/ws?token={token}")


async def test_the_admin_socket_pushes_the_overview_and_a_watched_sessions_changes(
    server: Server, http: httpx.AsyncClient
) -> None:
    viewer = await promoted(server, http, "admin_readonly")
    table, (guest,) = await table_of(http, "Bob")
    async with connect(server, table) as ann, connect(server, guest) as bob:
        await start(ann, bob)
        async with await _admin_socket_frames(server, viewer.access) as ws:

            async def next_of(kind: str) -> dict[str, Any]:
                with trio.fail_after(10):
                    while True:
                        message: dict[str, Any] = json.loads(await ws.get_message())
                        if message["type"] == kind:
                            return message

            overview = await next_of("overview")
            assert (overview["node"], overview["connections"], overview["gamesInProgress"]) == ("test-node", 2, 1)
            await ws.send_message(json.dumps({"type": "watch", "sessionId": table.session_id}))
            first = await next_of("session")
            assert first["session"]["id"] == table.session_id
            state = await server.services.sessions.load(table.session_id)
            game = state.game
            assert game is not None
            assert game.current_player is not None
            mover = ann if game.current_player == table.player_id else bob
            await mover.send("draw_card")
            while True:
                update = await next_of("session")
                if update["log"][-1]["seq"] > first["log"][-1]["seq"]:
                    break
            assert update["table"]["currentPlayer"] != game.current_player  # a draw ends the turn
            assert any(entry["type"] == "card_drawn" for entry in update["log"])
            await ws.send_message(json.dumps({"type": "unwatch"}))
            await ws.send_message("{not json")
            assert (await next_of("error"))["code"] == "MALFORMED_MESSAGE"


@pytest.mark.parametrize(("role", "reason"), [(None, "INVALID_TOKEN"), ("player", "FORBIDDEN")])
async def test_the_admin_socket_refuses_other_tokens_with_1008(
    server: Server, http: httpx.AsyncClient, role: str | None, reason: str
) -> None:
    token = "nonsense" if role is None else (await register(http)).access
    async with await _admin_socket_frames(server, token) as ws:
        with trio.fail_after(10), pytest.raises(ConnectionClosed) as closed:
            await ws.get_message()
    assert closed.value.reason is not None
    assert (closed.value.reason.code, closed.value.reason.reason) == (1008, reason)


async def test_the_admin_socket_closes_when_the_token_expires_and_reports_unknown_sessions(
    server: Server, http: httpx.AsyncClient
) -> None:
    admin = await promoted(server, http)
    tokens = server.services.tokens
    now = server.services.clock()
    expired = tokens.issue_access(admin.user_id, "admin", now - tokens.access_ttl_s - 1)
    almost = tokens.issue_access(admin.user_id, "admin", now - tokens.access_ttl_s + 1)  # a second or so left
    for token in (expired, almost):
        async with await _admin_socket_frames(server, token) as ws:
            with trio.fail_after(10), pytest.raises(ConnectionClosed) as closed:
                while True:
                    await ws.get_message()
        assert closed.value.reason is not None
        assert (closed.value.reason.code, closed.value.reason.reason) == (1008, "EXPIRED_TOKEN")
    async with await _admin_socket_frames(server, admin.access) as ws:
        await ws.send_message(json.dumps({"type": "watch", "sessionId": "0" * 32}))
        await ws.send_message(json.dumps({"type": "dance"}))
        errors: list[str] = []
        with trio.fail_after(10):
            while len(errors) < 2:
                message = json.loads(await ws.get_message())
                if message["type"] == "error":
                    errors.append(message["code"])
        assert sorted(errors) == ["SESSION_NOT_FOUND", "UNKNOWN_MESSAGE_TYPE"]


async def test_the_admin_endpoints_have_their_own_valid_openapi_document(server: Server) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        document = (await http.get("/admin/openapi.json")).json()
        public = (await http.get("/openapi.json")).json()
    validate(document, cls=OpenAPIV31SpecValidator)
    operations = {(method, path) for path, item in document["paths"].items() for method in item}
    assert ("post", "/admin/sessions/{session_id}/kick") in operations
    assert ("get", "/admin/overview") in operations
    assert len(operations) == 19  # with the chat moderation: read, mute, delete
    assert all(operation["security"] == [{"bearer": []}] for item in document["paths"].values()
               for operation in item.values())  # fmt: skip
    assert not any(path.startswith("/admin") for path in public["paths"])
