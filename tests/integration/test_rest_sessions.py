"""Sessions over real HTTP: create, list, look up, join, leave, start, finished games, statistics, limits."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from checkgame.auth import TokenCodec
from checkgame.config import Settings
from checkgame.rooms.creation import CODE_ALPHABET
from tests.integration.conftest import (
    TEST_SETTINGS,
    Account,
    Seat,
    Server,
    create_session,
    eventually,
    expect_error,
    join_as_guest,
    register,
    serving,
)

codec = TokenCodec(TEST_SETTINGS.jwt_secret)
UNKNOWN_ID = "0" * 32
UNUSED_CODE = "000000"
"""A well-formed code no session can have: codes avoid 0 and 1."""


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _join(http: httpx.AsyncClient, session_id: str, account: Account | None = None, **body: Any) -> Seat:
    headers = account.auth if account is not None else {}
    response = await http.post(f"/sessions/{session_id}/join", json=body, headers=headers)
    assert response.status_code == 200, response.text
    joined = response.json()
    return Seat(joined["sessionId"], joined["playerId"], joined["sessionToken"])


async def _recorded_player_count(http: httpx.AsyncClient, creator: Seat) -> int:
    """Start the tournament and wait until the store shows it: then every earlier seat change is recorded too.

    Seats reach the store through the background recorder, in order with the other effects.
    """
    response = await http.post(f"/sessions/{creator.session_id}/games/start", headers=_bearer(creator.token))
    assert response.status_code == 200, response.text
    session = await eventually(
        lambda: http.get(f"/sessions/{creator.session_id}"), lambda body: body["session"]["status"] == "playing"
    )
    count: int = session["session"]["playerCount"]
    return count


async def _session(http: httpx.AsyncClient, session_id: str, headers: dict[str, str] | None = None) -> Any:
    response = await http.get(f"/sessions/{session_id}", headers=headers or {})
    assert response.status_code == 200, response.text
    return response.json()


# ---------------------------------------------------------------- create


async def test_create_session(server: Server, http: httpx.AsyncClient) -> None:
    owner = await register(http)
    response = await http.post("/sessions", json={"name": "Friday table"}, headers=owner.auth)
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"session", "joinCode", "joinUrl", "playerId", "sessionToken", "wsUrl"}
    session, code, token = body["session"], body["joinCode"], body["sessionToken"]
    assert len(code) == 6
    assert set(code) <= set(CODE_ALPHABET)
    assert body["joinUrl"] == f"{server.url}/?join={code}"
    assert body["wsUrl"] == server.url.replace("http://", "ws://") + f"/api/v1/ws?token={token}"
    assert body["playerId"] == owner.user_id
    claims = codec.verify(token, "session", time.time())
    assert (claims.sub, claims.session_id, claims.user_id, claims.name) == (
        owner.user_id,
        session["id"],
        owner.user_id,
        owner.username,
    )
    assert session["createdAt"].endswith("Z")
    assert session == {
        "id": session["id"],
        "name": "Friday table",
        "code": code,
        "status": "waiting",
        "maxPlayers": 4,
        "playerCount": 1,
        "isPrivate": False,
        "creatorId": owner.user_id,
        "createdAt": session["createdAt"],
        "finishedAt": None,
        "winnerId": None,
        "endReason": None,
        "spectators": 0,
    }
    detail = await _session(http, session["id"])
    assert detail["session"] == session
    live = detail["live"]
    assert live["status"] == "waiting"
    assert live["creator"] == owner.user_id
    assert [(s["player"], s["name"], s["seat"]) for s in live["seats"]] == [(owner.user_id, owner.username, 1)]


@pytest.mark.parametrize(("max_players", "private"), [(2, True), (8, False)])
async def test_create_session_bounds_are_inclusive(http: httpx.AsyncClient, max_players: int, private: bool) -> None:
    owner = await register(http)
    body = {"name": "n" * 50, "maxPlayers": max_players, "isPrivate": private}
    response = await http.post("/sessions", json=body, headers=owner.auth)
    assert response.status_code == 201, response.text
    session = response.json()["session"]
    assert (session["name"], session["maxPlayers"], session["isPrivate"]) == ("n" * 50, max_players, private)


@pytest.mark.parametrize("raw", [b"8.0", b"8.00", b"0.8e1", b"8E0"])
async def test_a_whole_number_written_with_a_fraction_is_an_integer(http: httpx.AsyncClient, raw: bytes) -> None:
    """JSON Schema's ``integer`` takes 8.0, so the server does too (it once answered 422 to what its schema allowed)."""
    owner = await register(http)
    body = b'{"name": "t", "maxPlayers": ' + raw + b"}"
    response = await http.post("/sessions", content=body, headers={**owner.auth, "Content-Type": "application/json"})
    assert response.status_code == 201, response.text
    assert response.json()["session"]["maxPlayers"] == 8


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "n" * 51}, "$.name"),
        ({"name": ""}, "$.name"),
        ({"name": "t", "maxPlayers": 1}, "$.maxPlayers"),
        ({"name": "t", "maxPlayers": 9}, "$.maxPlayers"),
        ({"name": "t", "maxPlayers": "4"}, "$.maxPlayers"),
        ({"name": "t", "maxPlayers": 4.5}, "$.maxPlayers"),
        ({"name": "t", "maxPlayers": 9.0}, "$.maxPlayers"),
        ({"name": "t", "maxPlayers": True}, "$.maxPlayers"),
        ({"name": "t", "isPrivate": "yes"}, "$.isPrivate"),
        ({"name": "t", "max_players": 4}, "max_players"),
        ({"maxPlayers": 4}, "name"),
    ],
)
async def test_create_session_validation(http: httpx.AsyncClient, body: Any, field: str) -> None:
    owner = await register(http)
    details = expect_error(await http.post("/sessions", json=body, headers=owner.auth), 422, "VALIDATION_ERROR")
    assert field in details["error"]
    listed = (await http.get("/sessions")).json()
    assert listed["total"] == 0  # nothing was created


async def test_create_session_needs_an_access_token(http: httpx.AsyncClient) -> None:
    expect_error(await http.post("/sessions", json={"name": "t"}), 401, "UNAUTHORIZED")
    owner = await register(http)
    seat = await create_session(http, owner)
    # A session token is not an access token.
    expect_error(await http.post("/sessions", json={"name": "t"}, headers=_bearer(seat.token)), 401, "INVALID_TOKEN")
    expired = codec.issue_access(owner.user_id, "player", time.time() - 3600)
    expect_error(await http.post("/sessions", json={"name": "t"}, headers=_bearer(expired)), 401, "EXPIRED_TOKEN")


# ---------------------------------------------------------------- list and get


async def test_list_paginates_public_sessions(http: httpx.AsyncClient) -> None:
    owner = await register(http)
    public = {(await create_session(http, owner)).session_id for _ in range(5)}
    hidden = await create_session(http, owner, isPrivate=True)

    everything = (await http.get("/sessions")).json()
    assert (everything["total"], everything["limit"], everything["offset"]) == (5, 20, 0)
    assert {s["id"] for s in everything["items"]} == public
    assert all(s["code"] and not s["isPrivate"] for s in everything["items"])
    created = [s["createdAt"] for s in everything["items"]]
    assert created == sorted(created, reverse=True)  # newest first

    seen: list[str] = []
    for offset in (0, 2, 4):
        page = (await http.get("/sessions", params={"limit": 2, "offset": offset})).json()
        assert (page["total"], page["limit"], page["offset"]) == (5, 2, offset)
        assert len(page["items"]) == min(2, 5 - offset)
        seen += [s["id"] for s in page["items"]]
    assert seen == [s["id"] for s in everything["items"]]
    beyond = (await http.get("/sessions", params={"offset": 10})).json()
    assert (beyond["items"], beyond["total"]) == ([], 5)
    assert hidden.session_id not in seen


async def test_list_filters_by_status(http: httpx.AsyncClient) -> None:
    owner = await register(http)
    waiting = await create_session(http, owner)
    started = await create_session(http, owner, max_players=2)
    await join_as_guest(http, started.code, "Guest")
    response = await http.post(f"/sessions/{started.session_id}/games/start", headers=_bearer(started.token))
    assert response.status_code == 200, response.text

    def ids(page: Any) -> set[str]:
        return {s["id"] for s in page["items"]}

    playing = await eventually(lambda: http.get("/sessions", params={"status": "playing"}), lambda p: p["total"] == 1)
    assert ids(playing) == {started.session_id}
    assert playing["items"][0]["status"] == "playing"
    still_waiting = (await http.get("/sessions", params={"status": "waiting"})).json()
    assert (ids(still_waiting), still_waiting["total"]) == ({waiting.session_id}, 1)
    finished = (await http.get("/sessions", params={"status": "finished"})).json()
    assert (finished["items"], finished["total"]) == ([], 0)


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 101}, {"limit": "ten"}, {"offset": -1}, {"offset": 2**63}, {"status": "running"}],
    ids=["limit-0", "limit-101", "limit-word", "offset-negative", "offset-beyond-int64", "status-unknown"],
)
async def test_list_refuses_bad_query_parameters(http: httpx.AsyncClient, params: dict[str, Any]) -> None:
    details = expect_error(await http.get("/sessions", params=params), 422, "VALIDATION_ERROR")
    assert f"$.{next(iter(params))}" in details["error"]


async def test_list_bounds_are_inclusive(http: httpx.AsyncClient) -> None:
    for params in ({"limit": 1}, {"limit": 100}, {"offset": 0}, {"offset": 2**63 - 1}, {"status": "finished"}):
        response = await http.get("/sessions", params=params)
        assert response.status_code == 200, (params, response.text)  # the largest offset was a 500 once


async def test_get_unknown_session_is_404(http: httpx.AsyncClient) -> None:
    expect_error(await http.get(f"/sessions/{UNKNOWN_ID}"), 404, "SESSION_NOT_FOUND")


@pytest.mark.parametrize("session_id", ["x", "%00", "0" * 31, "0" * 33, "A" * 32, "%E2%80%AE" + "0" * 31])
async def test_a_malformed_session_id_is_no_route(http: httpx.AsyncClient, session_id: str) -> None:
    """Ids are 32 hex digits: anything else is refused before any lookup (a NUL once reached PostgreSQL)."""
    owner = await register(http)
    for method, path in [("GET", ""), ("POST", "/join"), ("GET", "/games"), ("GET", f"/games/{UNKNOWN_ID}-1")]:
        response = await http.request(method, f"/sessions/{session_id}{path}", json={"name": "x"}, headers=owner.auth)
        expect_error(response, 404, "NOT_FOUND")


@pytest.mark.parametrize(("path", "allowed"), [("/sessions/join-by-code", "POST"), ("/games/start", "POST")])
async def test_options_lists_only_the_methods_of_the_path(http: httpx.AsyncClient, path: str, allowed: str) -> None:
    """``/sessions/join-by-code`` and ``/sessions/{id}/games/start`` were read as ids too, and advertised GET."""
    owner = await register(http)
    seat = await create_session(http, owner)
    url = path if path.startswith("/sessions") else f"/sessions/{seat.session_id}{path}"
    response = await http.options(url)
    assert response.status_code == 200, response.text
    assert set(response.headers["Allow"].split(", ")) == {allowed, "OPTIONS"}


async def test_private_session_code_is_shown_only_to_its_creator(http: httpx.AsyncClient) -> None:
    owner = await register(http)
    player = await register(http)
    seat = await create_session(http, owner, isPrivate=True)
    assert (await _session(http, seat.session_id, owner.auth))["session"]["code"] == seat.code
    await _join(http, seat.session_id, player, code=seat.code)
    seated = await _session(http, seat.session_id, player.auth)  # a player sees the table, not its code
    assert seated["session"]["code"] is None
    assert seated["session"]["isPrivate"] is True
    # Whoever has the code may still join.
    guest = await join_as_guest(http, seat.code, "Guest")
    assert guest.session_id == seat.session_id

    public = await create_session(http, owner)
    assert (await _session(http, public.session_id))["session"]["code"] == public.code


async def test_a_private_session_is_not_found_by_its_id_alone(http: httpx.AsyncClient) -> None:
    owner = await register(http)
    stranger = await register(http)
    seat = await create_session(http, owner, isPrivate=True)
    for headers in ({}, stranger.auth):
        expect_error(await http.get(f"/sessions/{seat.session_id}", headers=headers), 404, "SESSION_NOT_FOUND")
        expect_error(await http.get(f"/sessions/{seat.session_id}/games", headers=headers), 404, "SESSION_NOT_FOUND")
    refused = [
        await http.post(f"/sessions/{seat.session_id}/join", json={"name": "Guest"}),
        await http.post(f"/sessions/{seat.session_id}/join", json={"name": "Guest", "code": UNUSED_CODE}),
        await http.post(f"/sessions/{seat.session_id}/join", json={}, headers=stranger.auth),
    ]
    for response in refused:
        expect_error(response, 404, "SESSION_NOT_FOUND")
    assert (await _session(http, seat.session_id, owner.auth))["session"]["playerCount"] == 1

    guest = await _join(http, seat.session_id, name="Guest", code=seat.code.lower())  # with its code, by id too
    member = await _join(http, seat.session_id, stranger, code=seat.code)
    again = await _join(http, seat.session_id, stranger)  # a player at the table needs no code to rejoin
    assert guest.session_id == seat.session_id
    assert member.player_id == again.player_id == stranger.user_id


async def test_get_session_with_a_bad_token_is_401(http: httpx.AsyncClient) -> None:
    owner = await register(http)
    seat = await create_session(http, owner)
    expect_error(await http.get(f"/sessions/{seat.session_id}", headers=_bearer("nonsense")), 401, "INVALID_TOKEN")


# ---------------------------------------------------------------- join


async def test_join_by_id_and_by_code(server: Server, http: httpx.AsyncClient) -> None:
    owner = await register(http)
    bob = await register(http)
    seat = await create_session(http, owner)

    by_id = await http.post(f"/sessions/{seat.session_id}/join", json={"name": "Guest One"})
    assert by_id.status_code == 200, by_id.text
    body = by_id.json()
    assert set(body) == {"sessionId", "playerId", "sessionToken", "wsUrl"}
    assert body["sessionId"] == seat.session_id
    assert body["playerId"].startswith("guest-")
    assert body["wsUrl"] == server.url.replace("http://", "ws://") + f"/api/v1/ws?token={body['sessionToken']}"
    claims = codec.verify(body["sessionToken"], "session", time.time())
    assert (claims.sub, claims.session_id, claims.name, claims.user_id) == (
        body["playerId"],
        seat.session_id,
        "Guest One",
        None,
    )

    # A registered player plays under their username; a name in the body is ignored.
    by_code = await http.post(
        "/sessions/join-by-code", json={"code": seat.code.lower(), "name": "ignored"}, headers=bob.auth
    )
    assert by_code.status_code == 200, by_code.text
    assert by_code.json()["playerId"] == bob.user_id
    claims = codec.verify(by_code.json()["sessionToken"], "session", time.time())
    assert (claims.name, claims.user_id) == (bob.username, bob.user_id)

    detail = await _session(http, seat.session_id)
    assert [(s["player"], s["name"], s["registered"]) for s in detail["live"]["seats"]] == [
        (owner.user_id, owner.username, True),
        (body["playerId"], "Guest One", False),
        (bob.user_id, bob.username, True),
    ]
    assert await _recorded_player_count(http, seat) == 3


async def test_a_registered_player_joining_twice_gets_a_token_not_a_seat(http: httpx.AsyncClient) -> None:
    owner = await register(http)
    bob = await register(http)
    seat = await create_session(http, owner)
    first = await _join(http, seat.session_id, bob)
    again = await _join(http, seat.session_id, bob)
    by_code = await http.post("/sessions/join-by-code", json={"code": seat.code}, headers=bob.auth)
    assert by_code.status_code == 200, by_code.text
    assert first.player_id == again.player_id == by_code.json()["playerId"] == bob.user_id
    for token in (again.token, by_code.json()["sessionToken"]):
        assert codec.verify(token, "session", time.time()).session_id == seat.session_id
    owner_again = await _join(http, seat.session_id, owner)  # the creator too
    assert owner_again.player_id == owner.user_id
    detail = await _session(http, seat.session_id)
    assert len(detail["live"]["seats"]) == 2
    assert await _recorded_player_count(http, seat) == 2


@pytest.mark.parametrize("by_code", [False, True], ids=["by-id", "by-code"])
async def test_an_anonymous_player_needs_a_name(http: httpx.AsyncClient, by_code: bool) -> None:
    owner = await register(http)
    seat = await create_session(http, owner)
    if by_code:
        response = await http.post("/sessions/join-by-code", json={"code": seat.code})
    else:
        response = await http.post(f"/sessions/{seat.session_id}/join", json={})
    assert expect_error(response, 422, "VALIDATION_ERROR") == {"field": "name"}
    assert (await _session(http, seat.session_id))["session"]["playerCount"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "ABC"}, "$.code"),
        ({"code": "ABCDEFG"}, "$.code"),
        ({"code": "ABC-12"}, "$.code"),
        ({"code": 123456}, "$.code"),
        ({"name": "x"}, "code"),
        ({"code": UNUSED_CODE, "name": ""}, "$.name"),
        ({"code": UNUSED_CODE, "name": "n" * 33}, "$.name"),
        ({"code": UNUSED_CODE, "name": "x", "seat": 2}, "seat"),
    ],
)
async def test_join_by_code_validation(http: httpx.AsyncClient, body: Any, field: str) -> None:
    details = expect_error(await http.post("/sessions/join-by-code", json=body), 422, "VALIDATION_ERROR")
    assert field in details["error"]


async def test_join_unknown_session_is_404(http: httpx.AsyncClient) -> None:
    response = await http.post("/sessions/join-by-code", json={"code": UNUSED_CODE, "name": "x"})
    expect_error(response, 404, "SESSION_NOT_FOUND")
    expect_error(await http.post(f"/sessions/{UNKNOWN_ID}/join", json={"name": "x"}), 404, "SESSION_NOT_FOUND")


async def test_join_a_full_session_is_409(http: httpx.AsyncClient) -> None:
    owner = await register(http)
    seat = await create_session(http, owner, max_players=2)
    await join_as_guest(http, seat.code, "Second")
    response = await http.post("/sessions/join-by-code", json={"code": seat.code, "name": "Third"})
    details = expect_error(response, 409, "SESSION_FULL")
    assert details is None
    expect_error(await http.post(f"/sessions/{seat.session_id}/join", json={"name": "x"}), 409, "SESSION_FULL")
    registered = await register(http)
    response = await http.post(f"/sessions/{seat.session_id}/join", json={}, headers=registered.auth)
    expect_error(response, 409, "SESSION_FULL")
    assert await _recorded_player_count(http, seat) == 2


async def test_join_after_the_start_is_409_but_a_seated_player_gets_a_token(http: httpx.AsyncClient) -> None:
    owner = await register(http)
    seat = await create_session(http, owner, max_players=4)
    await join_as_guest(http, seat.code, "Second")
    assert (await http.post(f"/sessions/{seat.session_id}/games/start", headers=owner.auth)).status_code == 200
    response = await http.post("/sessions/join-by-code", json={"code": seat.code, "name": "Late"})
    expect_error(response, 409, "SESSION_STARTED")
    latecomer = await register(http)
    response = await http.post(f"/sessions/{seat.session_id}/join", json={}, headers=latecomer.auth)
    expect_error(response, 409, "SESSION_STARTED")
    rejoined = await _join(http, seat.session_id, owner)  # e.g. from another device
    assert rejoined.player_id == owner.user_id


async def test_a_seat_freed_before_the_start_can_be_taken(http: httpx.AsyncClient) -> None:
    owner = await register(http)
    seat = await create_session(http, owner, max_players=2)
    guest = await join_as_guest(http, seat.code, "Leaver")
    response = await http.delete(f"/sessions/{seat.session_id}/leave", headers=_bearer(guest.token))
    assert response.status_code == 204, response.text
    await join_as_guest(http, seat.code, "Newcomer")
    live = (await _session(http, seat.session_id))["live"]
    assert [s["name"] for s in live["seats"] if not s["left"]] == [owner.username, "Newcomer"]


async def test_player_count_drops_when_a_player_leaves(http: httpx.AsyncClient) -> None:
    owner = await register(http)
    seat = await create_session(http, owner, max_players=2)
    guest = await join_as_guest(http, seat.code, "Leaver")
    assert (await http.delete(f"/sessions/{seat.session_id}/leave", headers=_bearer(guest.token))).status_code == 204
    await join_as_guest(http, seat.code, "Newcomer")
    assert await _recorded_player_count(http, seat) == 2
    listed = (await http.get("/sessions")).json()["items"][0]
    assert (listed["playerCount"], listed["maxPlayers"]) == (2, 2)


async def test_a_registered_player_may_come_back_after_leaving(http: httpx.AsyncClient) -> None:
    owner = await register(http)
    bob = await register(http)
    seat = await create_session(http, owner)
    await _join(http, seat.session_id, bob)
    assert (await http.delete(f"/sessions/{seat.session_id}/leave", headers=bob.auth)).status_code == 204
    back = await _join(http, seat.session_id, bob)
    assert back.player_id == bob.user_id
    live = (await _session(http, seat.session_id))["live"]
    assert [(s["player"], s["left"]) for s in live["seats"]] == [(owner.user_id, False), (bob.user_id, False)]


# ---------------------------------------------------------------- leave


async def test_leave(http: httpx.AsyncClient) -> None:
    owner = await register(http)
    seat = await create_session(http, owner)
    guest = await join_as_guest(http, seat.code, "Guest")
    response = await http.delete(f"/sessions/{seat.session_id}/leave", headers=_bearer(guest.token))
    assert response.status_code == 204, response.text
    assert response.content == b""
    live = (await _session(http, seat.session_id))["live"]
    assert [(s["player"], s["left"]) for s in live["seats"]] == [(owner.user_id, False), (guest.player_id, True)]
    again = await http.delete(f"/sessions/{seat.session_id}/leave", headers=_bearer(guest.token))
    expect_error(again, 404, "NOT_IN_SESSION")


async def test_leave_with_an_access_token(http: httpx.AsyncClient) -> None:
    owner = await register(http)
    bob = await register(http)
    seat = await create_session(http, owner)
    expect_error(await http.delete(f"/sessions/{seat.session_id}/leave", headers=bob.auth), 404, "NOT_IN_SESSION")
    await _join(http, seat.session_id, bob)
    assert (await http.delete(f"/sessions/{seat.session_id}/leave", headers=bob.auth)).status_code == 204


async def test_leave_refusals(http: httpx.AsyncClient) -> None:
    owner = await register(http)
    first = await create_session(http, owner)
    second = await create_session(http, owner)
    guest = await join_as_guest(http, first.code, "Guest")
    expect_error(await http.delete(f"/sessions/{first.session_id}/leave"), 401, "UNAUTHORIZED")
    response = await http.delete(f"/sessions/{second.session_id}/leave", headers=_bearer(guest.token))
    expect_error(response, 403, "FORBIDDEN")
    expect_error(await http.delete(f"/sessions/{UNKNOWN_ID}/leave", headers=owner.auth), 404, "SESSION_NOT_FOUND")
    expired = codec.issue_session(guest.player_id, first.session_id, "Guest", None, time.time() - 2 * 86400)
    expect_error(
        await http.delete(f"/sessions/{first.session_id}/leave", headers=_bearer(expired)), 401, "EXPIRED_TOKEN"
    )
    refresh = await http.delete(f"/sessions/{first.session_id}/leave", headers=_bearer(owner.refresh))
    expect_error(refresh, 401, "INVALID_TOKEN")
    # Nothing happened to the guest's seat.
    live = (await _session(http, first.session_id))["live"]
    assert [s["left"] for s in live["seats"]] == [False, False]


async def test_the_creator_leaving_hands_the_start_to_the_next_seat(http: httpx.AsyncClient) -> None:
    owner = await register(http)
    seat = await create_session(http, owner)
    second = await join_as_guest(http, seat.code, "Second")
    await join_as_guest(http, seat.code, "Third")
    assert (await http.delete(f"/sessions/{seat.session_id}/leave", headers=owner.auth)).status_code == 204
    assert (await _session(http, seat.session_id))["live"]["creator"] == second.player_id
    response = await http.post(f"/sessions/{seat.session_id}/games/start", headers=_bearer(second.token))
    assert response.status_code == 200, response.text


# ---------------------------------------------------------------- start


async def test_start(http: httpx.AsyncClient) -> None:
    owner = await register(http)
    seat = await create_session(http, owner)
    start = f"/sessions/{seat.session_id}/games/start"
    expect_error(await http.post(start, headers=_bearer(seat.token)), 409, "NOT_ENOUGH_PLAYERS")
    guest = await join_as_guest(http, seat.code, "Guest")
    expect_error(await http.post(start, headers=_bearer(guest.token)), 403, "NOT_CREATOR")
    expect_error(await http.post(start), 401, "UNAUTHORIZED")

    response = await http.post(start, headers=_bearer(seat.token))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["sessionId"] == seat.session_id
    assert body["gameNumber"] == 1
    assert isinstance(body["gameId"], str)
    assert body["gameId"]
    expect_error(await http.post(start, headers=_bearer(seat.token)), 409, "SESSION_STARTED")
    expect_error(await http.post(start, headers=owner.auth), 409, "SESSION_STARTED")

    live = (await _session(http, seat.session_id))["live"]
    assert live["status"] == "playing"
    assert live["gameId"] == body["gameId"]
    game = live["game"]
    assert game is not None
    # A spectator's view (RULES.md §16).
    assert "hand" not in game
    assert "hands" not in game


async def test_start_refusals(http: httpx.AsyncClient) -> None:
    owner = await register(http)
    first = await create_session(http, owner)
    second = await create_session(http, owner)
    await join_as_guest(http, second.code, "Guest")
    # A session token only works for its own session, even the creator's.
    expect_error(
        await http.post(f"/sessions/{second.session_id}/games/start", headers=_bearer(first.token)), 403, "FORBIDDEN"
    )
    stranger = await register(http)
    response = await http.post(f"/sessions/{second.session_id}/games/start", headers=stranger.auth)
    expect_error(response, 403, "NOT_CREATOR")
    expect_error(await http.post(f"/sessions/{UNKNOWN_ID}/games/start", headers=owner.auth), 404, "SESSION_NOT_FOUND")
    assert (await http.post(f"/sessions/{second.session_id}/games/start", headers=owner.auth)).status_code == 200


# ---------------------------------------------------------------- finished games and statistics


async def test_a_finished_game_its_log_and_the_players_statistics(http: httpx.AsyncClient) -> None:
    owner = await register(http)
    bob = await register(http)
    seat = await create_session(http, owner, max_players=2)
    bob_seat = await _join(http, seat.session_id, bob)
    games = f"/sessions/{seat.session_id}/games"
    assert (await http.get(games)).json() == {"items": []}
    started = await http.post(f"{games}/start", headers=_bearer(seat.token))
    game_id = started.json()["gameId"]

    # Leaving mid-game loses it; with two players that also ends the tournament.
    response = await http.delete(f"/sessions/{seat.session_id}/leave", headers=_bearer(bob_seat.token))
    assert response.status_code == 204, response.text

    listed = await eventually(lambda: http.get(games), lambda body: len(body["items"]) == 1)
    game = listed["items"][0]
    assert game["id"] == game_id
    assert game["number"] == 1
    assert game["players"] == [owner.user_id, bob.user_id]
    assert game["firstPlayer"] == owner.user_id
    assert game["loser"] == bob.user_id
    assert game["winner"] == owner.user_id
    assert game["placements"] == [owner.user_id, bob.user_id]
    assert game["names"] == {owner.user_id: owner.username, bob.user_id: bob.username}
    assert game["reason"] == "left"
    assert "seed" not in game  # it would deal every hand: a finished game is replayed only as a player saw it
    assert game["startedAt"] <= game["finishedAt"]

    detail = await http.get(f"{games}/{game_id}")
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert body["game"] == game
    assert body["handSize"] == 7
    assert [(a["type"], a["player"]) for a in body["actions"]] == [("leave", bob.user_id)]

    expect_error(await http.get(f"{games}/{UNKNOWN_ID}"), 404, "GAME_NOT_FOUND")
    other = await create_session(http, owner)
    expect_error(await http.get(f"/sessions/{other.session_id}/games/{game_id}"), 404, "GAME_NOT_FOUND")
    expect_error(await http.get(f"/sessions/{UNKNOWN_ID}/games"), 404, "SESSION_NOT_FOUND")

    session = await eventually(
        lambda: http.get(f"/sessions/{seat.session_id}"), lambda body: body["session"]["status"] == "finished"
    )
    assert session["session"]["winnerId"] == owner.user_id
    assert session["session"]["finishedAt"] is not None
    finished = (await http.get("/sessions", params={"status": "finished"})).json()
    assert [s["id"] for s in finished["items"]] == [seat.session_id]

    def profile(account: Account) -> Callable[[], Awaitable[httpx.Response]]:
        return lambda: http.get("/users/profile", headers=account.auth)

    winner = await eventually(profile(owner), lambda body: body["stats"]["tournamentsPlayed"] == 1)
    assert winner["stats"] == {
        "totalGames": 1,
        "wins": 1,
        "losses": 0,
        "winRate": 1.0,
        "tournamentsPlayed": 1,
        "tournamentsWon": 1,
        "placements": [1],
    }
    loser = await eventually(profile(bob), lambda body: body["stats"]["tournamentsPlayed"] == 1)
    assert loser["stats"] == {
        "totalGames": 1,
        "wins": 0,
        "losses": 1,
        "winRate": 0.0,
        "tournamentsPlayed": 1,
        "tournamentsWon": 0,
        "placements": [0, 1],
    }
    # The session is over: no more joining or starting.
    response = await http.post(f"/sessions/{seat.session_id}/join", json={"name": "Late"})
    expect_error(response, 409, "SESSION_FINISHED")
    expect_error(await http.post(f"{games}/start", headers=owner.auth), 409, "SESSION_STARTED")


async def test_guests_count_in_games_but_have_no_statistics(http: httpx.AsyncClient) -> None:
    owner = await register(http)
    seat = await create_session(http, owner, max_players=2)
    guest = await join_as_guest(http, seat.code, "Guest")
    assert (await http.post(f"/sessions/{seat.session_id}/games/start", headers=owner.auth)).status_code == 200
    response = await http.delete(f"/sessions/{seat.session_id}/leave", headers=owner.auth)  # the creator loses
    assert response.status_code == 204, response.text
    session = await eventually(
        lambda: http.get(f"/sessions/{seat.session_id}"), lambda body: body["session"]["status"] == "finished"
    )
    assert session["session"]["winnerId"] == guest.player_id  # from the live state, before the row is written
    games = (
        await eventually(lambda: http.get(f"/sessions/{seat.session_id}/games"), lambda body: bool(body["items"]))
    )["items"]
    assert [(g["loser"], g["placements"]) for g in games] == [(owner.user_id, [guest.player_id, owner.user_id])]
    assert games[0]["names"] == {owner.user_id: owner.username, guest.player_id: "Guest"}  # a guest by name too
    stats = (await http.get("/users/profile", headers=owner.auth)).json()["stats"]
    assert stats == {
        "totalGames": 1,
        "wins": 0,
        "losses": 1,
        "winRate": 0.0,
        "tournamentsPlayed": 1,
        "tournamentsWon": 0,
        "placements": [0, 1],
    }


# ---------------------------------------------------------------- rate limits


async def test_session_creation_is_limited_per_user(tmp_path: Path) -> None:
    async with (
        serving(tmp_path / "limited", sessions_per_hour=2) as node,
        httpx.AsyncClient(base_url=node.url + "/api/v1", timeout=10) as client,
    ):
        owner = await register(client)
        for _ in range(2):
            await create_session(client, owner)
        response = await client.post("/sessions", json={"name": "third"}, headers=owner.auth)
        details = expect_error(response, 429, "RATE_LIMITED")
        retry_after = int(response.headers["Retry-After"])
        assert 3000 < retry_after <= 3600
        assert details == {"retryAfter": retry_after}
        message = response.json()["error"]["message"]
        assert message.startswith("too many requests: at most 2 per 3600 s; try again in ")
        assert message.endswith((" min", "1 h"))
        assert (await client.get("/sessions")).json()["total"] == 2
        other = await register(client)  # per user, not per address
        await create_session(client, other)


async def test_the_default_limit_lets_a_person_open_a_table_a_minute(tmp_path: Path) -> None:
    """Ten sessions an hour stopped someone trying the game within minutes; the default is one a minute."""
    limit = Settings().sessions_per_hour
    assert limit == 60
    async with (
        serving(tmp_path / "default", sessions_per_hour=limit) as node,
        httpx.AsyncClient(base_url=node.url + "/api/v1", timeout=10) as client,
    ):
        owner = await register(client)
        for _ in range(limit):
            await create_session(client, owner)
        response = await client.post("/sessions", json={"name": "one more"}, headers=owner.auth)
        expect_error(response, 429, "RATE_LIMITED")
        assert response.json()["error"]["message"].endswith("; try again in 1 h")


async def test_every_request_is_limited_per_user_or_per_address(tmp_path: Path) -> None:
    async with (
        serving(tmp_path / "limited", requests_per_min=5) as node,
        httpx.AsyncClient(base_url=node.url + "/api/v1", timeout=10) as client,
    ):
        owner = await register(client)  # anonymous: 1 of this address's 5
        for _ in range(5):
            assert (await client.get("/users/profile", headers=owner.auth)).status_code == 200
        response = await client.get("/users/profile", headers=owner.auth)
        details = expect_error(response, 429, "RATE_LIMITED")
        retry_after = int(response.headers["Retry-After"])
        assert 1 <= retry_after <= 60
        assert details == {"retryAfter": retry_after}
        expect_error(await client.post("/sessions", json={"name": "t"}, headers=owner.auth), 429, "RATE_LIMITED")

        # The address has its own allowance: 4 anonymous requests left.
        for _ in range(4):
            assert (await client.get("/sessions")).status_code == 200
        expect_error(await client.get("/sessions"), 429, "RATE_LIMITED")
        expect_error(await client.post("/sessions/join-by-code", json={"code": UNUSED_CODE}), 429, "RATE_LIMITED")
        # Health checks are never limited.
        assert (await client.get(node.url + "/health")).status_code == 200
