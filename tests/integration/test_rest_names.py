"""Every name a person types refuses control and invisible characters with 422 naming the field, and keeps
nothing: usernames, emails, logins, session names, guest and bot names (checkgame/transport/http/fields.py).

The same refusals against a PostgreSQL-backed node, where a NUL once stalled every write, are in
tests/attack/test_names.py.
"""

from __future__ import annotations

import json
import shutil
from typing import Any

import httpx
import pytest
import trio

from tests.integration.conftest import PASSWORD, Account, Server, create_session, expect_error, register

BAD = {
    "nul": "\x00",
    "newline": "\n",
    "tab": "\t",
    "escape": "\x1b",
    "unit-separator": "\x1f",
    "delete": "\x7f",
    "next-line": "\x85",
    "right-to-left-override": "\u202e",
    "zero-width-space": "\u200b",
    "first-strong-isolate": "\u2068",
    "byte-order-mark": "\ufeff",
    "hangul-filler": "\u3164",
}
"""Characters refused inside any name, one of each kind."""

INSIDE = [pytest.param(char, id=name) for name, char in BAD.items()]


def _refused(response: httpx.Response, field: str) -> None:
    details = expect_error(response, 422, "VALIDATION_ERROR")
    assert f"$.{field}" in details["error"], details
    assert "regex" not in response.json()["error"]["message"]  # the rule is told in words


async def _seats(http: httpx.AsyncClient, owner: Account, session_id: str) -> int:
    response = await http.get(f"/sessions/{session_id}", headers=owner.auth)
    assert response.status_code == 200, response.text
    return len(response.json()["live"]["seats"])


@pytest.mark.parametrize("char", INSIDE)
async def test_accounts_refuse_control_characters(http: httpx.AsyncClient, char: str) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"username": f"ann{char}", "email": "ann@example.com"}, "username"),
        ({"username": "ann", "email": f"ann{char}@example.com"}, "email"),
        ({"username": "ann", "email": f"ann@exa{char}mple.com"}, "email"),
    ]
    for body, field in cases:
        _refused(await http.post("/auth/register", json={**body, "password": PASSWORD}), field)
    account = await register(http, "ann")  # nothing was kept: the name and the email are still free
    _refused(await http.post("/auth/login", json={"login": f"ann{char}", "password": "x"}), "login")
    _refused(await http.put("/users/profile", json={"username": f"an{char}n"}, headers=account.auth), "username")
    _refused(await http.put("/users/profile", json={"email": f"a{char}@example.com"}, headers=account.auth), "email")


@pytest.mark.parametrize("char", INSIDE)
async def test_sessions_and_seats_refuse_control_characters(http: httpx.AsyncClient, char: str) -> None:
    owner = await register(http)
    _refused(await http.post("/sessions", json={"name": f"table{char}"}, headers=owner.auth), "name")
    seat = await create_session(http, owner)
    name = f"Gu{char}est"
    _refused(await http.post(f"/sessions/{seat.session_id}/join", json={"name": name}), "name")
    _refused(await http.post("/sessions/join-by-code", json={"code": seat.code, "name": name}), "name")
    _refused(await http.post(f"/sessions/{seat.session_id}/bots", json={"name": name}, headers=owner.auth), "name")
    assert await _seats(http, owner, seat.session_id) == 1


@pytest.mark.parametrize(
    "name", [" Guest", "Guest ", "\u3000Guest", "Guest\xa0", " "], ids=["lead", "trail", "ideographic", "nbsp", "blank"]
)
async def test_a_name_has_no_space_at_either_end(http: httpx.AsyncClient, name: str) -> None:
    owner = await register(http)
    seat = await create_session(http, owner)
    _refused(await http.post("/sessions/join-by-code", json={"code": seat.code, "name": name}), "name")
    _refused(await http.post("/sessions", json={"name": name}, headers=owner.auth), "name")


async def test_names_in_any_script_with_inner_spaces_and_emoji_are_taken(http: httpx.AsyncClient) -> None:
    owner = await register(http)
    seat = await create_session(http, owner, max_players=8)
    for name in ("Zoë Ngono", "Мария", "محمد", "李小龙", "Ana 🂡 ♠"):
        response = await http.post("/sessions/join-by-code", json={"code": seat.code, "name": name})
        assert response.status_code == 200, (name, response.text)
    table = await http.post("/sessions", json={"name": "La table de Zoë ♥"}, headers=owner.auth)
    assert table.status_code == 201, table.text


async def test_a_trailing_newline_is_refused_where_a_pattern_once_let_it_through(http: httpx.AsyncClient) -> None:
    """Python's ``$`` matches before a final newline: ``bob\\n`` passed ``^[A-Za-z0-9_.-]+$``."""
    response = await http.post(
        "/auth/register", json={"username": "bob\n", "email": "bob@example.com", "password": PASSWORD}
    )
    _refused(response, "username")
    owner = await register(http)
    _refused(await http.post("/sessions/join-by-code", json={"code": "ABCDE\n", "name": "x"}), "code")
    assert (await http.post("/sessions", json={"name": "t\n"}, headers=owner.auth)).status_code == 422


# ---------------------------------------------------------------- the published patterns are the enforced ones


def _string_patterns(document: Any) -> dict[str, str]:
    """Each request field with a pattern: ``Schema.field`` -> the published pattern."""
    found = {}
    for name, schema in document["components"]["schemas"].items():
        for field, prop in schema.get("properties", {}).items():
            for branch in prop.get("anyOf", [prop]):
                if "pattern" in branch:
                    found[f"{name}.{field}"] = branch["pattern"]
    return found


async def test_published_patterns_read_the_same_in_python_and_ecma(server: Server, http: httpx.AsyncClient) -> None:
    """No escape whose meaning differs between the dialects (``\\s``, ``\\w``, ``\\d``, ``\\b``, ``\\Z``)."""
    document = (await http.get(server.url + "/openapi.json")).json()
    patterns = _string_patterns(document)
    assert {"Register.email", "Register.username", "Login.login", "CreateSession.name", "JoinSession.name"} <= set(
        patterns
    )
    for field, pattern in patterns.items():
        assert pattern.startswith("^"), field
        assert pattern.endswith("$"), field
        for escape in ("\\s", "\\S", "\\w", "\\W", "\\d", "\\D", "\\b", "\\Z", "\\A"):
            assert escape not in pattern, (field, escape)


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run ECMA regular expressions")
async def test_an_ecma_engine_and_the_server_agree_on_emails(server: Server, http: httpx.AsyncClient) -> None:
    """The email pattern once differed for \\x1c-\\x1f and \\x85 (Python's \\s has them, ECMA's has not)."""
    document = (await http.get(server.url + "/openapi.json")).json()
    pattern = _string_patterns(document)["Register.email"]
    odd = ["\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\xa0", "\u2028", "\ufeff", " ", "\t", "\u3000", "é", "\n"]
    emails = [f"a{c}b@example.com" for c in odd] + ["ann@example.com", "ann@example.com\n"]
    script = "const [p, xs] = JSON.parse(process.argv[1]); console.log(JSON.stringify(xs.map(x => RegExp(p).test(x))))"
    done = await trio.run_process(["node", "-e", script, json.dumps([pattern, emails])], capture_stdout=True)
    ecma = json.loads(done.stdout)
    for email, allowed in zip(emails, ecma, strict=True):
        body = {"username": f"u{len(email)}x{ord(email[1])}", "email": email, "password": PASSWORD}
        response = await http.post("/auth/register", json=body)
        assert response.status_code == (201 if allowed else 422), (repr(email), allowed, response.text)
