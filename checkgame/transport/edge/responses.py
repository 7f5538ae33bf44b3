"""The front door's own answers: a status, the project's JSON error body, and the end of the connection."""

from __future__ import annotations

from http import HTTPStatus

import msgspec

__all__ = ["refusal"]

_encoder = msgspec.json.Encoder()


def refusal(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> bytes:
    """A complete HTTP/1.1 response ``{"error": {"code", "message"}}`` that closes the connection."""
    body = _encoder.encode({"error": {"code": code, "message": message}})
    fields = {
        "content-type": "application/json",
        "content-length": str(len(body)),
        "connection": "close",
        **(headers or {}),
    }
    head = f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in fields.items())
    return (head + "\r\n").encode("latin-1") + body
