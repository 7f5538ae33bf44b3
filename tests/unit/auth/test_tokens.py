"""TokenCodec: every token type round-trips, and every way a token can be wrong has its precise code."""

from __future__ import annotations

import base64
import json
from typing import Any

import jwt
import pytest

from checkgame.auth import tokens
from checkgame.auth.tokens import (
    ROLE_ADMIN,
    ROLE_ADMIN_READONLY,
    ROLE_PLAYER,
    Claims,
    TokenCodec,
    TokenType,
    new_secret,
)
from checkgame.errors import AuthError

SECRET = "test-secret-" + "0123456789abcdef" * 4  # long enough for HS512 too, so forge() never warns
OTHER_SECRET = "another-secret-0123456789-abcdefghijklm"
NOW = 1_700_000_000.0


@pytest.fixture
def codec() -> TokenCodec:
    return TokenCodec(SECRET)


def forge(payload: dict[str, Any], secret: str = SECRET, algorithm: str = "HS256") -> str:
    """Sign an arbitrary payload, as a buggy or hostile issuer holding the key might."""
    return jwt.encode(payload, secret, algorithm=algorithm)


def valid_payload(typ: str) -> dict[str, Any]:
    base = {"iss": "checkgame", "typ": typ, "sub": "u1", "iat": int(NOW), "exp": int(NOW) + 60}
    extra: dict[str, dict[str, Any]] = {
        "access": {"role": "player"},
        "refresh": {"jti": "j1", "fam": "f1"},
        "session": {"sid": "s1", "name": "Ann", "uid": None},
    }
    return base | extra[typ]


def assert_code(code: str, token: str, typ: TokenType, now: float = NOW, codec: TokenCodec | None = None) -> AuthError:
    with pytest.raises(AuthError) as info:
        (codec or TokenCodec(SECRET)).verify(token, typ, now)
    assert info.value.code == code
    assert info.value.status_hint == 401
    return info.value


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("role", [ROLE_PLAYER, ROLE_ADMIN, ROLE_ADMIN_READONLY])
def test_access_round_trip(codec: TokenCodec, role: str) -> None:
    token = codec.issue_access("user-1", role, NOW)
    assert codec.verify(token, "access", NOW) == Claims(
        sub="user-1", typ="access", exp=int(NOW) + 900, iat=int(NOW), role=role
    )


def test_refresh_round_trip_preserves_jti_and_family(codec: TokenCodec) -> None:
    token = codec.issue_refresh("user-1", "jti-42", "family-7", NOW)
    claims = codec.verify(token, "refresh", NOW)
    assert claims == Claims(
        sub="user-1", typ="refresh", exp=int(NOW) + 7 * 86_400, iat=int(NOW), jti="jti-42", family="family-7"
    )


@pytest.mark.parametrize("user_id", ["user-1", None])
def test_session_round_trip(codec: TokenCodec, user_id: str | None) -> None:
    token = codec.issue_session("player-9", "session-3", "Ann ♥", user_id, NOW)
    assert codec.verify(token, "session", NOW) == Claims(
        sub="player-9",
        typ="session",
        exp=int(NOW) + 86_400,
        iat=int(NOW),
        session_id="session-3",
        name="Ann ♥",
        user_id=user_id,
    )


def test_custom_lifetimes_and_issuer() -> None:
    codec = TokenCodec(SECRET, access_ttl_s=10, refresh_ttl_s=20, session_ttl_s=30, issuer="staging")
    assert codec.verify(codec.issue_access("u", ROLE_PLAYER, NOW), "access", NOW).exp == int(NOW) + 10
    assert codec.verify(codec.issue_refresh("u", "j", "f", NOW), "refresh", NOW).exp == int(NOW) + 20
    assert codec.verify(codec.issue_session("p", "s", "n", None, NOW), "session", NOW).exp == int(NOW) + 30
    assert jwt.decode(codec.issue_access("u", ROLE_PLAYER, NOW), options={"verify_signature": False})["iss"] == (
        "staging"
    )


def test_issue_time_is_floored_to_whole_seconds(codec: TokenCodec) -> None:
    claims = codec.verify(codec.issue_access("u", ROLE_PLAYER, NOW + 0.999), "access", NOW + 0.999)
    assert claims.iat == int(NOW)
    assert claims.exp == int(NOW) + 900


def test_tokens_are_deterministic_given_their_inputs(codec: TokenCodec) -> None:
    """Pure: same inputs, same token (no hidden clock or randomness)."""
    assert codec.issue_refresh("u", "j", "f", NOW) == codec.issue_refresh("u", "j", "f", NOW)


def test_verify_does_not_read_the_wall_clock(codec: TokenCodec) -> None:
    """A token issued 'in the future' verifies at that future time, and is expired far later."""
    future = 4_000_000_000.0
    token = codec.issue_access("u", ROLE_PLAYER, future)
    assert codec.verify(token, "access", future).sub == "u"
    assert_code("EXPIRED_TOKEN", token, "access", now=future + 900)


# ---------------------------------------------------------------- expiry


@pytest.mark.parametrize("typ", ["access", "refresh", "session"])
def test_expiry_boundary(codec: TokenCodec, typ: TokenType) -> None:
    token = {
        "access": lambda: codec.issue_access("u", ROLE_PLAYER, NOW),
        "refresh": lambda: codec.issue_refresh("u", "j", "f", NOW),
        "session": lambda: codec.issue_session("p", "s", "n", None, NOW),
    }[typ]()
    exp = codec.verify(token, typ, NOW).exp
    assert codec.verify(token, typ, exp - 0.001).exp == exp
    error = assert_code("EXPIRED_TOKEN", token, typ, now=exp)
    assert typ in error.message
    assert_code("EXPIRED_TOKEN", token, typ, now=exp + 1e6)


def test_expired_token_of_the_wrong_type_is_invalid_not_expired(codec: TokenCodec) -> None:
    """EXPIRED_TOKEN invites a refresh; a token that could never be accepted must not."""
    token = codec.issue_refresh("u", "j", "f", NOW)
    assert_code("INVALID_TOKEN", token, "access", now=NOW + 10 * 86_400)


# ---------------------------------------------------------------- invalid tokens


def test_tampered_payload_is_invalid(codec: TokenCodec) -> None:
    header, payload, signature = codec.issue_access("u", ROLE_PLAYER, NOW).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["role"] = ROLE_ADMIN
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    error = assert_code("INVALID_TOKEN", f"{header}.{forged}.{signature}", "access")
    assert "signature" in error.message


def test_tampered_signature_is_invalid(codec: TokenCodec) -> None:
    token = codec.issue_access("u", ROLE_PLAYER, NOW)
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    assert_code("INVALID_TOKEN", flipped, "access")


def test_wrong_secret_is_invalid() -> None:
    token = TokenCodec(OTHER_SECRET).issue_access("u", ROLE_PLAYER, NOW)
    error = assert_code("INVALID_TOKEN", token, "access")
    assert "signature" in error.message


def test_other_algorithm_is_invalid() -> None:
    """Only HS256 is accepted, even when signed with the right key."""
    error = assert_code("INVALID_TOKEN", forge(valid_payload("access"), algorithm="HS512"), "access")
    assert "HS256" in error.message


def test_unsigned_token_is_invalid() -> None:
    assert_code("INVALID_TOKEN", forge(valid_payload("access"), secret="", algorithm="none"), "access")


@pytest.mark.parametrize(
    "garbage",
    ["", "garbage", "a.b.c", "a.b", "....", "eyJhbGciOiJIUzI1NiJ9.not-json.sig", "Bearer x.y.z", "ü.ü.ü"],
)
def test_garbage_is_invalid(garbage: str) -> None:
    error = assert_code("INVALID_TOKEN", garbage, "access")
    assert "malformed" in error.message or "signature" in error.message


@pytest.mark.parametrize(
    ("issued", "expected"),
    [("access", "refresh"), ("access", "session"), ("refresh", "access"), ("session", "access")],
)
def test_wrong_type_is_invalid(codec: TokenCodec, issued: TokenType, expected: TokenType) -> None:
    token = forge(valid_payload(issued))
    assert codec.verify(token, issued, NOW).typ == issued
    error = assert_code("INVALID_TOKEN", token, expected)
    assert f"expected a {expected} token, got a {issued} token" == error.message


@pytest.mark.parametrize("typ", [None, "id", 1])
def test_unknown_type_is_invalid(typ: object) -> None:
    payload = valid_payload("access") | {"typ": typ}
    assert_code("INVALID_TOKEN", forge(payload), "access")


@pytest.mark.parametrize("issuer", [None, "someone-else", ""])
def test_foreign_issuer_is_invalid(issuer: str | None) -> None:
    payload = valid_payload("access")
    if issuer is None:
        del payload["iss"]
    else:
        payload["iss"] = issuer
    error = assert_code("INVALID_TOKEN", forge(payload), "access")
    assert "issued" in error.message


@pytest.mark.parametrize(
    ("typ", "claim"),
    [
        *[(typ, claim) for typ in ("access", "refresh", "session") for claim in ("sub", "exp", "iat")],
        ("access", "role"),
        ("refresh", "jti"),
        ("refresh", "fam"),
        ("session", "sid"),
        ("session", "name"),
        ("session", "uid"),
    ],
)
def test_missing_claim_is_invalid(typ: TokenType, claim: str) -> None:
    payload = valid_payload(typ)
    del payload[claim]
    error = assert_code("INVALID_TOKEN", forge(payload), typ)
    assert f"lacks the '{claim}' claim" in error.message


@pytest.mark.parametrize(
    ("typ", "claim", "value"),
    [
        ("access", "sub", 7),
        ("access", "sub", ""),
        ("access", "exp", "tomorrow"),
        ("access", "exp", 1.7e9),
        ("access", "exp", True),
        ("access", "iat", [1]),
        ("access", "role", "superuser"),
        ("access", "role", 3),
        ("refresh", "jti", ""),
        ("refresh", "fam", {"id": 1}),
        ("session", "sid", 5),
        ("session", "uid", ""),
        ("session", "uid", 12),
    ],
)
def test_ill_typed_claim_is_invalid(typ: TokenType, claim: str, value: object) -> None:
    payload = valid_payload(typ) | {claim: value}
    error = assert_code("INVALID_TOKEN", forge(payload), typ)
    assert repr(claim) in error.message


def test_extra_claims_are_ignored(codec: TokenCodec) -> None:
    payload = valid_payload("access") | {"aud": "whoever", "nbf": int(NOW) + 10_000, "extra": [1, 2]}
    assert codec.verify(forge(payload), "access", NOW).sub == "u1"


# ---------------------------------------------------------------- construction


@pytest.mark.parametrize("secret", ["", "short", "x" * 31, "é" * 15])
def test_short_secret_is_refused(secret: str) -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        TokenCodec(secret)


@pytest.mark.parametrize("ttl", ["access_ttl_s", "refresh_ttl_s", "session_ttl_s"])
def test_non_positive_lifetime_is_refused(ttl: str) -> None:
    lifetimes: dict[str, Any] = {ttl: 0}
    with pytest.raises(ValueError, match=ttl):
        TokenCodec(SECRET, **lifetimes)


def test_unknown_role_is_not_issued(codec: TokenCodec) -> None:
    with pytest.raises(ValueError, match="unknown role"):
        codec.issue_access("u", "root", NOW)


def test_repr_hides_the_secret(codec: TokenCodec) -> None:
    assert SECRET not in repr(codec)


def test_new_secret_is_long_random_and_accepted() -> None:
    first, second = new_secret(), new_secret()
    assert first != second
    assert len(first) == 64
    assert len(first.encode()) >= tokens.MIN_SECRET_BYTES
    codec = TokenCodec(first)
    assert codec.verify(codec.issue_access("u", ROLE_PLAYER, NOW), "access", NOW).role == ROLE_PLAYER
