"""Control characters in every name, against a node on a fresh PostgreSQL database.

A NUL once reached PostgreSQL: a login, email or session name answered 503, and a guest or bot name was
seated, never recorded, and stalled every database write of the node for ~7.5 s each. Now each is refused
at the edge with 422 naming the field, nothing is kept, and a seat taken right after is recorded at once.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.attack.harness import Target, fresh_database

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

ATTACKS = ["\x00", "\x1f", "\x85", "\u202e", "\u2066", "\u200b", "\ufeff"]
"""NUL, a C0 control, a C1 control (NEL), a right-to-left override, an isolate, a zero-width space, a BOM."""

RECORDED_WITHIN_S = 5.0
"""A ceiling, not a speed: one stalled write took 7.5 s, and the attack below seats a dozen names."""


@pytest.fixture
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    with fresh_database() as url:
        target = Target(
            tmp_path_factory.mktemp("names"), settings={"DATABASE_URL": url, "CHECKGAME_AUTH_PER_MIN": "1000"}
        )
        target.start()
        try:
            yield target
        finally:
            target.stop()


def _refused(response: httpx.Response, field: str) -> None:
    assert response.status_code == 422, (field, response.status_code, response.text)
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert f"$.{field}" in error["message"], error


def _player_count(http: httpx.Client, session_id: str, bearer: dict[str, str]) -> int:
    response = http.get(f"/sessions/{session_id}", headers=bearer)
    assert response.status_code == 200, response.text
    count: int = response.json()["session"]["playerCount"]
    return count


def test_control_characters_in_every_name_are_refused_and_nothing_stalls(node: Target) -> None:
    with httpx.Client(base_url=node.url + "/api/v1", timeout=15) as http:
        password = "amber-otter-lantern"
        owner = http.post("/auth/register", json={"username": "owner", "email": "o@example.com", "password": password})
        assert owner.status_code == 201, owner.text
        bearer = {"Authorization": f"Bearer {owner.json()['accessToken']}"}
        table = http.post("/sessions", json={"name": "table", "maxPlayers": 8}, headers=bearer).json()
        session_id, code = table["session"]["id"], table["joinCode"]

        for char in ATTACKS:
            account = {"username": "eve", "email": "eve@example.com", "password": password}
            _refused(http.post("/auth/register", json={**account, "email": f"eve{char}@example.com"}), "email")
            _refused(http.post("/auth/register", json={**account, "username": f"eve{char}"}), "username")
            _refused(http.post("/auth/login", json={"login": f"owner{char}", "password": password}), "login")
            _refused(http.put("/users/profile", json={"email": f"o{char}@example.com"}, headers=bearer), "email")
            _refused(http.post("/sessions", json={"name": f"t{char}"}, headers=bearer), "name")
            _refused(http.post(f"/sessions/{session_id}/join", json={"name": f"g{char}"}), "name")
            _refused(http.post("/sessions/join-by-code", json={"code": code, "name": f"g{char}"}), "name")
            _refused(http.post(f"/sessions/{session_id}/bots", json={"name": f"b{char}"}, headers=bearer), "name")
        malformed = http.get(f"/sessions/{session_id[:-1]}%00")
        assert malformed.status_code == 404, malformed.text

        # Nothing was kept: the account and the seats are as before; the email and username are still free.
        assert (
            http.post(
                "/auth/register", json={"username": "eve", "email": "eve@example.com", "password": password}
            ).status_code
            == 201
        )
        assert _player_count(http, session_id, bearer) == 1

        # And no write is stalled behind a seat that cannot be written: a guest is recorded at once.
        joined = http.post("/sessions/join-by-code", json={"code": code, "name": "Guest"})
        assert joined.status_code == 200, joined.text
        deadline = time.monotonic() + RECORDED_WITHIN_S
        while _player_count(http, session_id, bearer) != 2:
            assert time.monotonic() < deadline, "the seat was not recorded: a write is stalled"
            time.sleep(0.05)
    node.assert_survived()
