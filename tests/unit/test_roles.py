"""What each role serves, and the 404 a node answers for the rest (checkgame/transport/roles.py)."""

from __future__ import annotations

import h11
import msgspec
import pytest

from checkgame.config import ROLES, Role
from checkgame.transport.http.app import API_PREFIX
from checkgame.transport.roles import GAME_SOCKET_PATH, refusal, refusal_message, request_path, serves

PROBES = ("/health", "/ready", "/metrics")
API_PATHS = ("/api/v1/auth/login", "/api/v1/sessions/abc", "/api/v1", "/openapi.json")
WEB_PATHS = ("/", "/join/ABCD", "/static/app.js", "/admin/overview", "/admin/ws")
"""The web client, the admin API and its live stream (a WebSocket too, but the operators', not the game's)."""


def test_the_game_socket_is_the_websocket_route_of_the_api() -> None:
    assert f"{API_PREFIX}/ws" == GAME_SOCKET_PATH


@pytest.mark.parametrize("path", [GAME_SOCKET_PATH, *PROBES, *API_PATHS, *WEB_PATHS, "/nowhere"])
def test_a_node_of_role_all_serves_every_path(path: str) -> None:
    assert serves("all", path)


def test_the_api_tier_serves_everything_but_the_game_socket() -> None:
    for path in (*PROBES, *API_PATHS, *WEB_PATHS):
        assert serves("api", path), path
    assert not serves("api", GAME_SOCKET_PATH)
    assert serves("api", GAME_SOCKET_PATH + "/")  # another path, which the router answers 404 on every node


def test_the_ws_tier_serves_the_game_socket_the_probes_and_the_scrape_only() -> None:
    for path in (GAME_SOCKET_PATH, *PROBES):
        assert serves("ws", path), path
    for path in (*API_PATHS, *WEB_PATHS, GAME_SOCKET_PATH + "/", "/health/", "/Health", "/api/v1/ws2", ""):
        assert not serves("ws", path), path


@pytest.mark.parametrize(
    ("target", "path"),
    [
        (b"/api/v1/ws?token=abc&lastSeq=4", "/api/v1/ws"),
        (b"/api/v1/%77s?token=abc", "/api/v1/ws"),  # Hypercorn decodes before routing: so do the tiers
        (b"/health", "/health"),
        (b"/a%3Fb?c", "/a?b"),
        (b"/\xff", "/\ufffd"),  # not ASCII: no match for anything, and no exception
    ],
)
def test_the_path_of_a_request_target_is_the_one_the_router_matches(target: bytes, path: str) -> None:
    assert request_path(target) == path


def test_an_encoded_game_socket_path_is_still_the_game_socket() -> None:
    assert not serves("api", request_path(b"/api/v1/%77s"))
    assert serves("ws", request_path(b"/api/v1/%77s?token=t"))


@pytest.mark.parametrize("role", ["api", "ws"])
def test_the_refusal_is_a_complete_http_response_with_the_projects_error_body(role: Role) -> None:
    client = h11.Connection(h11.CLIENT)
    client.send(h11.Request(method="GET", target="/x", headers=[("Host", "node")]))
    client.send(h11.EndOfMessage())
    client.receive_data(refusal(role))
    response = client.next_event()
    assert isinstance(response, h11.Response)
    assert response.status_code == 404
    headers = dict(response.headers)
    assert headers[b"content-type"] == b"application/json"
    assert headers[b"connection"] == b"close"
    data = client.next_event()
    assert isinstance(data, h11.Data)
    assert isinstance(client.next_event(), h11.EndOfMessage)  # Content-Length framed the whole body
    body = msgspec.json.decode(data.data)
    assert body == {"error": {"code": "NOT_FOUND", "message": refusal_message(role)}}
    assert body["error"]["message"].endswith(f"(role {role})")


def test_each_message_names_what_the_node_does_serve() -> None:
    assert GAME_SOCKET_PATH in refusal_message("api")
    assert all(path in refusal_message("ws") for path in (GAME_SOCKET_PATH, *PROBES))
    assert ROLES == ("all", "api", "ws")
