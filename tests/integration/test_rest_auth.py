"""Accounts over real HTTP: register, login, refresh rotation, logout, profile, and the auth rate limit."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest
from argon2 import PasswordHasher

from checkgame.auth import TokenCodec, passwords
from checkgame.auth.strength import PASSWORD_RULE
from tests.integration.conftest import PASSWORD, TEST_SETTINGS, expect_error, register, serving

codec = TokenCodec(TEST_SETTINGS.jwt_secret)


def _credentials(username: str, **changes: Any) -> dict[str, Any]:
    return {"username": username, "email": f"{username}@example.com", "password": PASSWORD, **changes}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _profile(http: httpx.AsyncClient, token: str) -> httpx.Response:
    return await http.get("/users/profile", headers=_bearer(token))


# ---------------------------------------------------------------- register


async def test_register_creates_an_account_and_logs_it_in(http: httpx.AsyncClient) -> None:
    response = await http.post("/auth/register", json=_credentials("Alice", email="Alice@Example.COM"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"user", "accessToken", "refreshToken", "expiresIn", "tokenType"}
    user = body["user"]
    assert set(user) == {"id", "username", "email", "role", "createdAt"}
    assert user["username"] == "Alice"
    assert user["email"] == "alice@example.com"  # emails are stored lower-cased
    assert user["role"] == "player"
    assert user["createdAt"].endswith("Z")
    assert body["tokenType"] == "Bearer"
    assert body["expiresIn"] == codec.access_ttl_s
    now = time.time()
    assert codec.verify(body["accessToken"], "access", now).sub == user["id"]
    refresh = codec.verify(body["refreshToken"], "refresh", now)
    assert refresh.sub == user["id"]
    assert refresh.jti
    assert refresh.family
    assert "password" not in response.text

    profile = await _profile(http, body["accessToken"])
    assert profile.status_code == 200, profile.text
    assert profile.json()["user"] == user


async def test_register_refuses_a_taken_username_ignoring_case(http: httpx.AsyncClient) -> None:
    await register(http, "bob")
    response = await http.post("/auth/register", json=_credentials("BOB", email="other@example.com"))
    expect_error(response, 409, "DUPLICATE_USERNAME")


async def test_register_refuses_a_taken_email_ignoring_case(http: httpx.AsyncClient) -> None:
    await register(http, "carol")
    response = await http.post("/auth/register", json=_credentials("carol2", email="CAROL@example.com"))
    expect_error(response, 409, "DUPLICATE_EMAIL")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_credentials("dave", password="short"), "$.password"),
        (_credentials("dave", password="x" * 129), "$.password"),
        (_credentials("dave", email="not-an-email"), "$.email"),
        (_credentials("dave", email="two@@example.com"), "$.email"),
        (_credentials("da"), "$.username"),
        (_credentials("d" * 33), "$.username"),
        (_credentials("has space"), "$.username"),
        (_credentials("dave", password=12345678), "$.password"),
        ({**_credentials("dave"), "username": ["dave"]}, "$.username"),
        (_credentials("dave", role="admin"), "role"),  # unknown fields are refused, not ignored
        ({"username": "dave", "password": PASSWORD}, "email"),
        ([], "object"),
        (None, "object"),
        ("dave", "object"),
    ],
    ids=[
        "short-password",
        "long-password",
        "email-without-at",
        "email-two-ats",
        "short-username",
        "long-username",
        "username-with-space",
        "password-not-a-string",
        "username-a-list",
        "unknown-field",
        "missing-email",
        "array-body",
        "null-body",
        "string-body",
    ],
)
async def test_register_validation_errors_name_the_field(http: httpx.AsyncClient, body: Any, field: str) -> None:
    response = await http.post("/auth/register", json=body)
    details = expect_error(response, 422, "VALIDATION_ERROR")
    assert field in details["error"], details
    assert field in response.json()["error"]["message"]


async def test_register_with_an_empty_body_is_a_validation_error(http: httpx.AsyncClient) -> None:
    response = await http.post("/auth/register", content=b"", headers={"Content-Type": "application/json"})
    details = expect_error(response, 422, "VALIDATION_ERROR")
    assert "object" in details["error"]


@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b'{"username": "eve",}',
        b"not json",
        b'{"username": "eve", "email": "eve@example.com", "password": "amber-otter-lantern"} x',
        b"\xff",
    ],
)
async def test_malformed_json_is_400(http: httpx.AsyncClient, raw: bytes) -> None:
    response = await http.post("/auth/register", content=raw, headers={"Content-Type": "application/json"})
    assert expect_error(response, 400, "MALFORMED_JSON") is None


async def test_a_refused_registration_creates_nothing(http: httpx.AsyncClient) -> None:
    response = await http.post("/auth/register", json=_credentials("frank", password="short"))
    expect_error(response, 422, "VALIDATION_ERROR")
    await register(http, "frank")  # the name is still free


@pytest.mark.parametrize(
    "password",
    ["12345678", " " * 8, "password", "password1", "qwertyuiop", "iloveyou", "frank1234", "frank@example.com"],
)
async def test_a_guessable_password_is_refused_with_the_rule(http: httpx.AsyncClient, password: str) -> None:
    response = await http.post("/auth/register", json=_credentials("frank", password=password))
    details = expect_error(response, 422, "VALIDATION_ERROR")
    assert "$.password" in details["error"]
    assert PASSWORD_RULE in response.json()["error"]["message"]
    await register(http, "frank")  # nothing was created


class CountingHasher(PasswordHasher):
    """The server's hasher in these tests: cheap, and it counts its Argon2 computations."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.computations = 0

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        self.computations += 1
        return super().hash(password, salt=salt)

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.computations += 1
        return super().verify(hash, password)


@pytest.fixture
def hasher(monkeypatch: pytest.MonkeyPatch) -> CountingHasher:
    counting = CountingHasher()
    monkeypatch.setattr(passwords, "_DEFAULT_HASHER", counting)
    return counting


async def test_an_unknown_login_costs_a_hash_like_a_wrong_password(
    http: httpx.AsyncClient, hasher: CountingHasher
) -> None:
    """~120 ms for an existing user and ~4 ms for an unknown one told which accounts exist."""
    await register(http, "olga")
    for body in (
        {"login": "olga", "password": "wrong-password"},
        *({"login": f"nobody{i}", "password": "x"} for i in range(3)),
    ):
        before = hasher.computations
        expect_error(await http.post("/auth/login", json=body), 401, "INVALID_CREDENTIALS")
        assert hasher.computations == before + 1, body


async def test_a_taken_name_costs_a_hash_like_a_registration(http: httpx.AsyncClient, hasher: CountingHasher) -> None:
    await register(http, "petra")
    for body, code in (
        (_credentials("PETRA", email="other@example.com"), "DUPLICATE_USERNAME"),
        (_credentials("petra2", email="petra@example.com"), "DUPLICATE_EMAIL"),
    ):
        before = hasher.computations
        expect_error(await http.post("/auth/register", json=body), 409, code)
        assert hasher.computations == before + 1, code


# ---------------------------------------------------------------- login


async def test_login_by_username_or_email_in_any_case(http: httpx.AsyncClient) -> None:
    account = await register(http, "grace")
    for login in ("grace", "GRACE", "grace@example.com", "Grace@Example.com"):
        response = await http.post("/auth/login", json={"login": login, "password": PASSWORD})
        assert response.status_code == 200, (login, response.text)
        body = response.json()
        assert body["user"]["id"] == account.user_id
        assert body["user"]["username"] == "grace"
        profile = await _profile(http, body["accessToken"])
        assert profile.status_code == 200, profile.text


@pytest.mark.parametrize(
    "body",
    [
        {"login": "heidi", "password": "amber-otter-lanterns"},
        {"login": "heidi", "password": "AMBER-OTTER-LANTERN"},
        {"login": "nobody", "password": PASSWORD},
        {"login": "nobody@example.com", "password": PASSWORD},
    ],
    ids=["wrong-password", "password-case", "unknown-username", "unknown-email"],
)
async def test_login_refusals_do_not_tell_which_part_was_wrong(http: httpx.AsyncClient, body: Any) -> None:
    await register(http, "heidi")
    response = await http.post("/auth/login", json=body)
    assert expect_error(response, 401, "INVALID_CREDENTIALS") is None
    assert response.json()["error"]["message"] == "wrong username, email or password"


@pytest.mark.parametrize(
    ("body", "field"),
    [({"login": "", "password": "x"}, "$.login"), ({"login": "ivan"}, "password"), ({"user": "ivan"}, "user")],
)
async def test_login_validation(http: httpx.AsyncClient, body: Any, field: str) -> None:
    details = expect_error(await http.post("/auth/login", json=body), 422, "VALIDATION_ERROR")
    assert field in details["error"]


# ---------------------------------------------------------------- refresh and logout


async def _refresh(http: httpx.AsyncClient, token: str) -> httpx.Response:
    return await http.post("/auth/refresh", json={"refreshToken": token})


async def test_refresh_rotates_and_a_replay_revokes_the_whole_login(http: httpx.AsyncClient) -> None:
    account = await register(http, "judy")
    first = await _refresh(http, account.refresh)
    assert first.status_code == 200, first.text
    pair = first.json()
    assert pair["user"]["id"] == account.user_id
    assert pair["refreshToken"] != account.refresh
    assert (await _profile(http, pair["accessToken"])).status_code == 200

    second = await _refresh(http, pair["refreshToken"])  # the new one rotates in turn
    assert second.status_code == 200, second.text
    newest = second.json()["refreshToken"]

    replay = await _refresh(http, account.refresh)  # a used token comes back: stolen or replayed
    assert expect_error(replay, 401, "INVALID_TOKEN") is None
    assert "already used" in replay.json()["error"]["message"]
    expect_error(await _refresh(http, newest), 401, "INVALID_TOKEN")  # the whole family is revoked
    expect_error(await _refresh(http, pair["refreshToken"]), 401, "INVALID_TOKEN")


async def test_revoking_one_login_leaves_the_others(http: httpx.AsyncClient) -> None:
    account = await register(http, "ken")
    login = await http.post("/auth/login", json={"login": "ken", "password": PASSWORD})
    other = login.json()["refreshToken"]
    assert (await _refresh(http, account.refresh)).status_code == 200
    expect_error(await _refresh(http, account.refresh), 401, "INVALID_TOKEN")  # revokes the register family
    response = await _refresh(http, other)
    assert response.status_code == 200, response.text


async def test_logout_revokes_the_login(http: httpx.AsyncClient) -> None:
    account = await register(http, "lena")
    rotated = (await _refresh(http, account.refresh)).json()["refreshToken"]
    response = await http.post("/auth/logout", json={"refreshToken": rotated})
    assert response.status_code == 204, response.text
    assert response.content == b""
    expect_error(await _refresh(http, rotated), 401, "INVALID_TOKEN")
    # Logging out twice is harmless.
    assert (await http.post("/auth/logout", json={"refreshToken": rotated})).status_code == 204


async def test_tokens_of_the_wrong_kind_are_refused(http: httpx.AsyncClient) -> None:
    account = await register(http, "mallory")
    expect_error(await _refresh(http, account.access), 401, "INVALID_TOKEN")
    expect_error(await http.post("/auth/logout", json={"refreshToken": account.access}), 401, "INVALID_TOKEN")
    expect_error(await _profile(http, account.refresh), 401, "INVALID_TOKEN")
    session_token = codec.issue_session(account.user_id, "s" * 32, "mallory", account.user_id, time.time())
    expect_error(await _profile(http, session_token), 401, "INVALID_TOKEN")
    expect_error(await _refresh(http, session_token), 401, "INVALID_TOKEN")


@pytest.mark.parametrize(
    "token",
    ["garbage", "a.b.c", TokenCodec("another-secret-of-at-least-32-bytes!!").issue_access("u", "player", time.time())],
    ids=["garbage", "three-parts", "foreign-signature"],
)
async def test_forged_tokens_are_invalid(http: httpx.AsyncClient, token: str) -> None:
    expect_error(await _profile(http, token), 401, "INVALID_TOKEN")
    expect_error(await _refresh(http, token), 401, "INVALID_TOKEN")


async def test_expired_tokens(http: httpx.AsyncClient) -> None:
    account = await register(http, "nina")
    past = time.time() - 30 * 24 * 3600
    expired_access = codec.issue_access(account.user_id, "player", past)
    expect_error(await _profile(http, expired_access), 401, "EXPIRED_TOKEN")
    expired_refresh = codec.issue_refresh(account.user_id, "some-jti", "some-family", past)
    expect_error(await _refresh(http, expired_refresh), 401, "EXPIRED_TOKEN")


async def test_refresh_token_unknown_to_the_store_is_invalid(http: httpx.AsyncClient) -> None:
    account = await register(http, "oscar")
    forged = codec.issue_refresh(account.user_id, "never-issued", "no-family", time.time())
    expect_error(await _refresh(http, forged), 401, "INVALID_TOKEN")


@pytest.mark.parametrize("body", [{}, {"refreshToken": 5}, {"refresh_token": "x"}], ids=["missing", "int", "snake"])
async def test_refresh_validation(http: httpx.AsyncClient, body: Any) -> None:
    expect_error(await http.post("/auth/refresh", json=body), 422, "VALIDATION_ERROR")
    expect_error(await http.post("/auth/logout", json=body), 422, "VALIDATION_ERROR")


@pytest.mark.parametrize("kind", ["expired", "garbage", "refresh-as-bearer"])
async def test_a_stale_bearer_token_does_not_block_public_endpoints(http: httpx.AsyncClient, kind: str) -> None:
    """Clients often send their (maybe expired) access token on every request, /auth/refresh included."""
    account = await register(http, f"stale-{kind}")
    token = {
        "expired": codec.issue_access(account.user_id, "player", time.time() - 3600),
        "garbage": "nonsense",
        "refresh-as-bearer": account.refresh,
    }[kind]
    headers = _bearer(token)
    refreshed = await http.post("/auth/refresh", json={"refreshToken": account.refresh}, headers=headers)
    assert refreshed.status_code == 200, refreshed.text
    login = await http.post("/auth/login", json={"login": account.username, "password": PASSWORD}, headers=headers)
    assert login.status_code == 200, login.text
    other = await http.post("/auth/register", json=_credentials(f"fresh-{kind}"), headers=headers)
    assert other.status_code == 201, other.text
    logout = await http.post("/auth/logout", json={"refreshToken": login.json()["refreshToken"]}, headers=headers)
    assert logout.status_code == 204, logout.text
    assert (await http.get("/sessions", headers=headers)).status_code == 200
    # Endpoints that use the token still refuse it.
    expect_error(await _profile(http, token), 401, "EXPIRED_TOKEN" if kind == "expired" else "INVALID_TOKEN")


# ---------------------------------------------------------------- profile


async def test_profile_of_a_new_account_has_zero_stats(http: httpx.AsyncClient) -> None:
    account = await register(http, "peggy")
    response = await _profile(http, account.access)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"]["id"] == account.user_id
    assert body["user"]["username"] == "peggy"
    assert body["stats"] == {
        "totalGames": 0,
        "wins": 0,
        "losses": 0,
        "winRate": 0.0,
        "tournamentsPlayed": 0,
        "tournamentsWon": 0,
        "placements": [],
    }


async def test_put_profile_changes_username_and_email(http: httpx.AsyncClient) -> None:
    account = await register(http, "quentin")
    response = await http.put(
        "/users/profile", json={"username": "Quinn", "email": "Quinn@Example.org"}, headers=account.auth
    )
    assert response.status_code == 200, response.text
    user = response.json()["user"]
    assert (user["id"], user["username"], user["email"]) == (account.user_id, "Quinn", "quinn@example.org")
    assert response.json()["stats"]["totalGames"] == 0
    assert (await _profile(http, account.access)).json()["user"] == user

    login = await http.post("/auth/login", json={"login": "quinn@example.org", "password": PASSWORD})
    assert login.status_code == 200, login.text
    old = await http.post("/auth/login", json={"login": "quentin", "password": PASSWORD})
    expect_error(old, 401, "INVALID_CREDENTIALS")
    await register(http, "quentin")  # the old name is free again

    only_email = await http.put("/users/profile", json={"email": "q@example.net"}, headers=account.auth)
    assert only_email.json()["user"]["username"] == "Quinn"
    assert only_email.json()["user"]["email"] == "q@example.net"
    unchanged = await http.put("/users/profile", json={}, headers=account.auth)
    assert unchanged.status_code == 200, unchanged.text
    assert unchanged.json()["user"] == only_email.json()["user"]


async def test_put_profile_refuses_taken_names(http: httpx.AsyncClient) -> None:
    ruth = await register(http, "ruth")
    await register(http, "sam")
    expect_error(
        await http.put("/users/profile", json={"username": "SAM"}, headers=ruth.auth), 409, "DUPLICATE_USERNAME"
    )
    response = await http.put("/users/profile", json={"email": "Sam@example.com"}, headers=ruth.auth)
    expect_error(response, 409, "DUPLICATE_EMAIL")
    both = await http.put("/users/profile", json={"username": "ruthie", "email": "sam@example.com"}, headers=ruth.auth)
    expect_error(both, 409, "DUPLICATE_EMAIL")
    assert (await _profile(http, ruth.access)).json()["user"]["username"] == "ruth"  # nothing changed
    # Keeping one's own name is not a conflict.
    same = await http.put("/users/profile", json={"username": "ruth", "email": "ruth@example.com"}, headers=ruth.auth)
    assert same.status_code == 200, same.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "x"}, "$.username"),
        ({"email": "nope"}, "$.email"),
        ({"password": "amber-otter-lanterns"}, "password"),
        ({"username": 7}, "$.username"),
    ],
)
async def test_put_profile_validation(http: httpx.AsyncClient, body: Any, field: str) -> None:
    account = await register(http)
    details = expect_error(await http.put("/users/profile", json=body, headers=account.auth), 422, "VALIDATION_ERROR")
    assert field in details["error"]


@pytest.mark.parametrize("method", ["GET", "PUT"])
async def test_profile_needs_a_bearer_token(http: httpx.AsyncClient, method: str) -> None:
    account = await register(http)
    body = {"username": "someone"}
    response = await http.request(method, "/users/profile", json=body)
    assert expect_error(response, 401, "UNAUTHORIZED") is None
    for header in (f"Basic {account.access}", "Bearer", account.access, f"Bearer  {account.access}"):
        response = await http.request(method, "/users/profile", json=body, headers={"Authorization": header})
        expect_error(response, 401, "INVALID_TOKEN")


async def test_profile_of_a_vanished_account_is_404(http: httpx.AsyncClient) -> None:
    ghost = codec.issue_access("no-such-user", "player", time.time())
    expect_error(await _profile(http, ghost), 404, "USER_NOT_FOUND")


# ---------------------------------------------------------------- rate limit


async def test_register_login_and_refresh_share_a_per_ip_limit(tmp_path: Path) -> None:
    async with (
        serving(tmp_path / "limited", auth_per_min=3) as node,
        httpx.AsyncClient(base_url=node.url + "/api/v1", timeout=10) as client,
    ):
        first = await register(client, "uma")
        assert (await client.post("/auth/login", json={"login": "uma", "password": PASSWORD})).status_code == 200
        assert (await _refresh(client, first.refresh)).status_code == 200
        for response in (
            await client.post("/auth/register", json=_credentials("victor")),
            await client.post("/auth/login", json={"login": "uma", "password": PASSWORD}),
            await _refresh(client, first.refresh),
        ):
            details = expect_error(response, 429, "RATE_LIMITED")
            retry_after = int(response.headers["Retry-After"])
            assert 1 <= retry_after <= 60
            assert details == {"retryAfter": retry_after}
        # The refused registration created nothing, and other endpoints are not affected.
        assert (await client.get("/sessions")).status_code == 200
        assert (await _profile(client, first.access)).status_code == 200
        assert (await client.post("/auth/logout", json={"refreshToken": first.refresh})).status_code == 204
