"""The root of the project's error hierarchy.

This module imports nothing from ``checkgame`` so that every layer, the pure
rules engine included, can build on it::

    CheckgameError
      ClientError              the client asked for something refused: a 4xx or a WS error frame
        RuleViolation          (checkgame.rules) carries a RULES.md §15 code
        BadMessageError        undecodable or unexpected WS/HTTP payload (400 / 422)
        NotFoundError          the thing asked for does not exist (404)
        ConflictError          the request contradicts the current state (409)
          DuplicateError       a unique field is taken (email, username, join code)
        AuthError              401: no, bad or expired credentials
          ForbiddenError       403: authenticated, but not allowed
        RateLimitedError       429, with ``retry_after_s``
      StoreError               the durable store failed
        StoreUnavailableError  the database does not answer
      LiveStateError           the live-state store or bus failed (Redis)

Each ``ClientError`` carries a stable ``code`` and a ``status_hint``; the
transports turn them into responses in one place
(:mod:`checkgame.transport.errors`).
"""

from __future__ import annotations

from typing import Any


class CheckgameError(Exception):
    """Base class of every error this project raises on purpose."""


class ClientError(CheckgameError):
    """The request was understood and refused; the client can correct it.

    Attributes:
        code: stable machine-readable code (upper snake case).
        status_hint: the HTTP status a transport should answer with.
        details: optional structured explanation (field errors, limits).
    """

    code: str = "BAD_REQUEST"
    status_hint: int = 400

    def __init__(
        self, message: str, *, code: str | None = None, details: Any = None, status_hint: int | None = None
    ) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        if status_hint is not None:
            self.status_hint = status_hint
        self.details = details

    @property
    def message(self) -> str:
        """The human-readable explanation."""
        return str(self.args[0])


class BadMessageError(ClientError):
    """A payload that cannot be decoded or does not match its schema."""

    code = "VALIDATION_ERROR"
    status_hint = 422


class NotFoundError(ClientError):
    """The addressed resource does not exist."""

    code = "NOT_FOUND"
    status_hint = 404


class ConflictError(ClientError):
    """The request contradicts the current state of the resource."""

    code = "CONFLICT"
    status_hint = 409


class DuplicateError(ConflictError):
    """A unique field is already taken; ``field`` names it."""

    def __init__(self, field: str, message: str | None = None) -> None:
        super().__init__(message or f"this {field} is already taken", code=f"DUPLICATE_{field.upper()}")
        self.field = field


class AuthError(ClientError):
    """Missing, malformed or expired credentials."""

    code = "UNAUTHORIZED"
    status_hint = 401


class ForbiddenError(AuthError):
    """The caller is known but may not do this."""

    code = "FORBIDDEN"
    status_hint = 403


class RateLimitedError(ClientError):
    """Too many requests; retry after ``retry_after_s`` seconds."""

    code = "RATE_LIMITED"
    status_hint = 429

    def __init__(self, message: str, *, retry_after_s: float) -> None:
        seconds = max(1, round(retry_after_s))
        super().__init__(f"{message}; try again in {_in_words(seconds)}", details={"retryAfter": seconds})
        self.retry_after_s = retry_after_s


def _in_words(seconds: int) -> str:
    """``42 s``, ``3 min``, ``1 h 5 min``: when to retry, rounded up to what a person would wait."""
    if seconds < 60:
        return f"{seconds} s"
    minutes = -(-seconds // 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min".removesuffix(" 0 min")


class StoreError(CheckgameError):
    """The durable store failed; the request may be retried later."""


class StoreUnavailableError(StoreError):
    """The database cannot be reached."""


class LiveStateError(CheckgameError):
    """The live-state store or the bus failed."""
