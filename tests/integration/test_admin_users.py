"""The Users actions of the admin API against a real server: disable/enable, revoke logins, promote/demote,
each audited, and what a disabled account meets when it logs in or refreshes."""

from __future__ import annotations

import httpx

from tests.integration.conftest import PASSWORD, Server, expect_error, register
from tests.integration.test_admin_api import promoted


async def _audit(server: Server, http: httpx.AsyncClient, auth: dict[str, str]) -> list[tuple[str, str, object]]:
    entries = (await http.get(f"{server.url}/admin/audit", headers=auth)).json()["entries"]
    return [(e["action"], e["target"], e["details"]) for e in entries]


async def test_a_disabled_account_cannot_log_in_or_refresh_until_enabled(
    server: Server, http: httpx.AsyncClient
) -> None:
    admin = await promoted(server, http)
    player = await register(http)
    users = f"{server.url}/admin/users/{player.user_id}"
    answer = await http.post(f"{users}/disable", headers=admin.auth)
    assert answer.status_code == 200, answer.text
    assert answer.json()["user"]["disabled"] is True
    login = await http.post("/auth/login", json={"login": player.username, "password": PASSWORD})
    expect_error(login, 403, "ACCOUNT_DISABLED")
    refreshed = await http.post("/auth/refresh", json={"refreshToken": player.refresh})
    assert refreshed.status_code in (401, 403)  # its logins were revoked with it
    listed = (await http.get(f"{server.url}/admin/users", headers=admin.auth)).json()["users"]
    assert next(u["disabled"] for u in listed if u["id"] == player.user_id) is True

    assert (await http.post(f"{users}/enable", headers=admin.auth)).status_code == 200
    login = await http.post("/auth/login", json={"login": player.username, "password": PASSWORD})
    assert login.status_code == 200, login.text
    assert (await _audit(server, http, admin.auth))[:2] == [
        ("enable", f"user/{player.user_id}", {"username": player.username, "loginsRevoked": 0}),
        ("disable", f"user/{player.user_id}", {"username": player.username, "loginsRevoked": 1}),
    ]


async def test_revoking_logins_makes_every_refresh_token_useless(server: Server, http: httpx.AsyncClient) -> None:
    admin = await promoted(server, http)
    player = await register(http)
    second = await http.post("/auth/login", json={"login": player.username, "password": PASSWORD})
    answer = await http.post(f"{server.url}/admin/users/{player.user_id}/revoke-logins", headers=admin.auth)
    assert answer.json() == {"ok": True, "revoked": 2}
    for refresh in (player.refresh, second.json()["refreshToken"]):
        expect_error(await http.post("/auth/refresh", json={"refreshToken": refresh}), 401, "INVALID_TOKEN")
    assert (await _audit(server, http, admin.auth))[0][0] == "revoke_logins"


async def test_promote_and_demote_take_effect_and_are_audited(server: Server, http: httpx.AsyncClient) -> None:
    admin = await promoted(server, http)
    player = await register(http)
    role = f"{server.url}/admin/users/{player.user_id}/role"
    assert (await http.post(role, json={"role": "admin"}, headers=admin.auth)).json()["user"]["role"] == "admin"
    relogged = await http.post("/auth/login", json={"login": player.username, "password": PASSWORD})
    assert relogged.json()["user"]["role"] == "admin"
    assert (await http.post(role, json={"role": "player"}, headers=admin.auth)).status_code == 200
    stale = {"Authorization": f"Bearer {relogged.json()['accessToken']}"}  # still says admin: the database wins
    expect_error(await http.post(f"{server.url}/admin/users/{admin.user_id}/disable", headers=stale), 403, "FORBIDDEN")
    assert (await _audit(server, http, admin.auth))[:2] == [
        ("set_role", f"user/{player.user_id}", {"username": player.username, "from": "admin", "to": "player"}),
        ("set_role", f"user/{player.user_id}", {"username": player.username, "from": "player", "to": "admin"}),
    ]


async def test_refusals_change_nothing(server: Server, http: httpx.AsyncClient) -> None:
    admin = await promoted(server, http)
    reader = await promoted(server, http, "admin_readonly")
    player = await register(http)
    base = f"{server.url}/admin/users"
    expect_error(await http.post(f"{base}/{admin.user_id}/disable", headers=admin.auth), 409, "OWN_ACCOUNT")
    expect_error(await http.post(f"{base}/nobody/disable", headers=admin.auth), 404, "USER_NOT_FOUND")
    expect_error(await http.post(f"{base}/{player.user_id}/disable", headers=reader.auth), 403, "READ_ONLY")
    bad_role = await http.post(f"{base}/{player.user_id}/role", json={"role": "root"}, headers=admin.auth)
    expect_error(bad_role, 422, "VALIDATION_ERROR")
    assert await _audit(server, http, admin.auth) == []
    assert (await http.post("/auth/login", json={"login": player.username, "password": PASSWORD})).status_code == 200
