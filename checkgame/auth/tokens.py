"""Signed bearer tokens: access, refresh and session JWTs (DESIGN.md §2, §4).

Three kinds of token, told apart by the ``typ`` claim so that one can never
stand in for another:

* **access** (``sub`` = user id, ``role``): short-lived, sent on every REST call.
* **refresh** (``sub`` = user id, ``jti``, ``fam``): long-lived, exchanged once
  for a new pair. ``jti`` names this token in the store; ``fam`` names the
  rotation family of one login, so that replaying a used refresh token can
  revoke the whole family. Rotation and revocation live in the store, not here.
* **session** (``sub`` = player id, ``sid``, ``name``, ``uid``): what a seat in
  one session (tournament) presents to open its WebSocket; anonymous players
  have ``uid`` = null.

This module is pure: it reads no clock and draws no randomness. The caller
passes ``now`` (epoch seconds) and every id, which keeps verification testable
at exact boundaries and leaves time and id generation to the composition root.
:func:`new_secret` is the one impure helper, kept apart for that reason.

PyJWT is asked to check only the signature and algorithm; its claim checks read
the wall clock, so expiry, issuer, type and claim shapes are checked here,
against the injected ``now``. A token is valid while ``now < exp`` (RFC 7519
§4.1.4: "on or after" the expiry it must be rejected).
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from typing import Any, Final, Literal

import jwt

from checkgame.errors import AuthError

__all__ = [
    "ACCESS",
    "ALGORITHM",
    "DEFAULT_ISSUER",
    "MIN_SECRET_BYTES",
    "REFRESH",
    "ROLES",
    "ROLE_ADMIN",
    "ROLE_ADMIN_READONLY",
    "ROLE_PLAYER",
    "SESSION",
    "Claims",
    "TokenCodec",
    "TokenType",
    "new_secret",
]

TokenType = Literal["access", "refresh", "session"]
"""The value of the ``typ`` claim."""

ACCESS: Final = "access"
REFRESH: Final = "refresh"
SESSION: Final = "session"
_TOKEN_TYPES: Final[frozenset[str]] = frozenset({ACCESS, REFRESH, SESSION})

ROLE_PLAYER: Final = "player"
"""An ordinary registered user."""
ROLE_ADMIN: Final = "admin"
"""May use every ``/admin`` endpoint, including the ones that change things."""
ROLE_ADMIN_READONLY: Final = "admin_readonly"
"""May read ``/admin`` endpoints but change nothing."""
ROLES: Final[frozenset[str]] = frozenset({ROLE_PLAYER, ROLE_ADMIN, ROLE_ADMIN_READONLY})

ALGORITHM: Final = "HS256"
DEFAULT_ISSUER: Final = "checkgame"
MIN_SECRET_BYTES: Final = 32
"""RFC 7518 §3.2: an HS256 key must be at least as long as the hash output (32 bytes)."""

ACCESS_TTL_S: Final = 15 * 60
REFRESH_TTL_S: Final = 7 * 86_400
SESSION_TTL_S: Final = 86_400


def new_secret() -> str:
    """Return a fresh random signing secret (64 URL-safe characters, 384 bits).

    Impure on purpose, and the only impure function here: use it once, when a
    deployment has no ``JWT_SECRET`` configured, never inside the codec.
    """
    return secrets.token_urlsafe(48)


@dataclass(frozen=True, slots=True)
class Claims:
    """The verified content of a token; fields that a token type lacks are ``None``."""

    sub: str
    """User id (access, refresh) or player id (session)."""
    typ: TokenType
    exp: int
    """Expiry, epoch seconds; the token is valid while ``now < exp``."""
    iat: int
    """Issue time, epoch seconds (floored)."""
    role: str | None = None
    """Access tokens only: one of :data:`ROLES`."""
    jti: str | None = None
    """Refresh tokens only: the id of this token in the store."""
    family: str | None = None
    """Refresh tokens only: the rotation family of one login (claim ``fam``)."""
    session_id: str | None = None
    """Session tokens only: the session the seat belongs to (claim ``sid``)."""
    name: str | None = None
    """Session tokens only: the player's display name."""
    user_id: str | None = None
    """Session tokens only: the registered user behind the seat, ``None`` when anonymous (claim ``uid``)."""


class TokenCodec:
    """Issues and verifies the project's HS256 tokens with one shared secret.

    Every node of a cluster must be built with the same secret and issuer, so a
    token issued by one node verifies on all of them.

    Args:
        secret: the HMAC key; at least :data:`MIN_SECRET_BYTES` bytes of UTF-8.
        access_ttl_s: lifetime of access tokens.
        refresh_ttl_s: lifetime of refresh tokens.
        session_ttl_s: lifetime of session tokens.
        issuer: the ``iss`` claim written and required.

    Raises:
        ValueError: the secret is too short or a lifetime is not positive. A short
            HMAC key can be brute-forced offline from any token a client holds.
    """

    def __init__(
        self,
        secret: str,
        *,
        access_ttl_s: int = ACCESS_TTL_S,
        refresh_ttl_s: int = REFRESH_TTL_S,
        session_ttl_s: int = SESSION_TTL_S,
        issuer: str = DEFAULT_ISSUER,
    ) -> None:
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"the token secret must be at least {MIN_SECRET_BYTES} bytes long")
        for label, ttl in (("access", access_ttl_s), ("refresh", refresh_ttl_s), ("session", session_ttl_s)):
            if ttl <= 0:
                raise ValueError(f"{label}_ttl_s must be positive, not {ttl}")
        self._secret = secret
        self.access_ttl_s = access_ttl_s
        self.refresh_ttl_s = refresh_ttl_s
        self.session_ttl_s = session_ttl_s
        self.issuer = issuer

    def __repr__(self) -> str:
        # Never show the secret in logs or tracebacks.
        return f"TokenCodec(issuer={self.issuer!r}, access_ttl_s={self.access_ttl_s}, ...)"

    # ------------------------------------------------------------------ issue

    def issue_access(self, user_id: str, role: str, now: float) -> str:
        """Return an access token for ``user_id`` acting as ``role``.

        Args:
            user_id: the account id (``sub``).
            role: one of :data:`ROLES`.
            now: the current time, epoch seconds.

        Raises:
            ValueError: ``role`` is not one of :data:`ROLES` (a programming error).
        """
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        return self._encode(ACCESS, user_id, now, self.access_ttl_s, {"role": role})

    def issue_refresh(self, user_id: str, jti: str, family: str, now: float) -> str:
        """Return a refresh token; the caller records ``jti`` and ``family`` in the store.

        Args:
            user_id: the account id (``sub``).
            jti: a fresh unique id for this token.
            family: the rotation family, the same for every token descended from one login.
            now: the current time, epoch seconds.
        """
        return self._encode(REFRESH, user_id, now, self.refresh_ttl_s, {"jti": jti, "fam": family})

    def issue_session(self, player_id: str, session_id: str, name: str, user_id: str | None, now: float) -> str:
        """Return the token a seat presents to open its WebSocket in one session.

        Args:
            player_id: the seat's player id (``sub``).
            session_id: the session joined (``sid``).
            name: the display name chosen at join time.
            user_id: the registered account, or ``None`` for an anonymous player (``uid``).
            now: the current time, epoch seconds.
        """
        claims = {"sid": session_id, "name": name, "uid": user_id}
        return self._encode(SESSION, player_id, now, self.session_ttl_s, claims)

    def _encode(self, typ: str, sub: str, now: float, ttl_s: int, extra: dict[str, Any]) -> str:
        iat = math.floor(now)
        payload = {"iss": self.issuer, "typ": typ, "sub": sub, "iat": iat, "exp": iat + ttl_s, **extra}
        return jwt.encode(payload, self._secret, algorithm=ALGORITHM)

    # ------------------------------------------------------------------ verify

    def verify(self, token: str, expected_typ: TokenType, now: float) -> Claims:
        """Check ``token``'s signature, issuer, type, shape and expiry, and return its claims.

        Expiry is checked last, so an expired token is reported as expired only
        when it is otherwise a genuine token of the expected type: a client
        told ``EXPIRED_TOKEN`` may refresh, one told ``INVALID_TOKEN`` must log in.

        Args:
            token: the compact JWT as received.
            expected_typ: the token type this endpoint accepts.
            now: the current time, epoch seconds.

        Returns:
            The verified claims.

        Raises:
            AuthError: ``code="INVALID_TOKEN"`` for a malformed token, a bad signature,
                another algorithm, a foreign issuer, the wrong type or a missing or
                ill-typed claim; ``code="EXPIRED_TOKEN"`` when ``now >= exp``.
        """
        try:
            payload = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                options={
                    "verify_signature": True,
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                    "verify_aud": False,
                    "verify_iss": False,
                    "verify_sub": False,
                    "verify_jti": False,
                },
            )
        except jwt.InvalidSignatureError:
            raise _invalid("token signature does not match") from None
        except jwt.InvalidAlgorithmError:
            raise _invalid(f"token is not signed with {ALGORITHM}") from None
        except jwt.InvalidTokenError as exc:
            raise _invalid(f"token is malformed: {exc}") from None

        if payload.get("iss") != self.issuer:
            raise _invalid("token was not issued by this server")
        typ = payload.get("typ")
        if typ not in _TOKEN_TYPES:
            raise _invalid("token has no valid 'typ' claim")
        if typ != expected_typ:
            raise _invalid(f"expected a {expected_typ} token, got a {typ} token")

        claims = _claims_from_payload(expected_typ, payload)
        if now >= claims.exp:
            raise AuthError(f"{expected_typ} token expired", code="EXPIRED_TOKEN")
        return claims


def _invalid(message: str) -> AuthError:
    return AuthError(message, code="INVALID_TOKEN")


def _claims_from_payload(typ: TokenType, payload: dict[str, Any]) -> Claims:
    sub = _require_str(payload, "sub")
    exp = _require_int(payload, "exp")
    iat = _require_int(payload, "iat")
    if typ == ACCESS:
        role = _require_str(payload, "role")
        if role not in ROLES:
            raise _invalid(f"token claim 'role' has unknown value {role!r}")
        return Claims(sub=sub, typ=typ, exp=exp, iat=iat, role=role)
    if typ == REFRESH:
        jti = _require_str(payload, "jti")
        family = _require_str(payload, "fam")
        return Claims(sub=sub, typ=typ, exp=exp, iat=iat, jti=jti, family=family)
    session_id = _require_str(payload, "sid")
    name = _require_str(payload, "name")
    if "uid" not in payload:
        raise _invalid("token lacks the 'uid' claim")
    user_id = payload["uid"]
    if user_id is not None and not (isinstance(user_id, str) and user_id):
        raise _invalid("token claim 'uid' must be a non-empty string or null")
    return Claims(sub=sub, typ=typ, exp=exp, iat=iat, session_id=session_id, name=name, user_id=user_id)


def _require_str(payload: dict[str, Any], claim: str) -> str:
    value = payload.get(claim)
    if value is None:
        raise _invalid(f"token lacks the {claim!r} claim")
    if not isinstance(value, str) or not value:
        raise _invalid(f"token claim {claim!r} must be a non-empty string")
    return value


def _require_int(payload: dict[str, Any], claim: str) -> int:
    value = payload.get(claim)
    if value is None:
        raise _invalid(f"token lacks the {claim!r} claim")
    # bool is an int subclass; true/false is never a time.
    if not isinstance(value, int) or isinstance(value, bool):
        raise _invalid(f"token claim {claim!r} must be an integer")
    return value
