"""Errors to responses, in one place: ``{"error": {"code", "message", "details"?}}`` (DESIGN.md §4)."""

from __future__ import annotations

from typing import Any

import msgspec
from quart import Response

from checkgame.errors import ClientError, RateLimitedError

__all__ = ["error_response", "json_response"]

_encoder = msgspec.json.Encoder()


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON response encoded with msgspec (Structs, dicts, lists)."""
    return Response(_encoder.encode(body), status=status, headers=headers, content_type="application/json")


def error_response(error: ClientError) -> Response:
    """The response for a refused request; the status comes from the error's ``status_hint``."""
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.details is not None:
        body["details"] = error.details
    headers = {}
    if isinstance(error, RateLimitedError):
        headers["Retry-After"] = str(max(1, round(error.retry_after_s)))
    if error.status_hint == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return json_response({"error": body}, error.status_hint, headers)
