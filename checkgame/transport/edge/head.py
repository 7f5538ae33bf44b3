"""A request head as the front door sees it, and the checks a WebSocket upgrade must pass before any server sees it.

Pure: no I/O. Parsing is h11's (the same rules Hypercorn applies behind us);
this module only adds what h11 leaves to the server: an upgrade that carries
a body, a key that is not 16 bytes of base64, a version other than 13, or a
path with no WebSocket is refused here with a plain 400, because Hypercorn
0.18 lets an exception escape its connection on several of them (issue 1/7).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

import h11

from checkgame.transport.ws.upgrade import is_websocket_key

__all__ = ["WEBSOCKET_VERSION", "RequestHead", "upgrade_refusal"]

WEBSOCKET_VERSION = "13"
"""The only version of RFC 6455; a client asking another one is told this one (Sec-WebSocket-Version)."""


@dataclass(frozen=True, slots=True)
class RequestHead:
    """The request line and headers of one HTTP/1.x request (header names lower case, values latin-1)."""

    method: str
    path: str
    """The target without its query string, percent-decoded (``/api/v1/%77s`` is the game socket)."""
    http_version: str
    headers: tuple[tuple[str, str], ...]

    @classmethod
    def from_h11(cls, request: h11.Request) -> RequestHead:
        """The head of a request h11 has parsed."""
        target = request.target.decode("latin-1")
        return cls(
            method=request.method.decode("latin-1"),
            path=unquote(target.partition("?")[0]),  # as Hypercorn hands it to the router
            http_version=request.http_version.decode("latin-1"),
            headers=tuple((name.decode("latin-1"), value.decode("latin-1")) for name, value in request.headers),
        )

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (lower case), several joined with commas; None when absent."""
        values = [value for key, value in self.headers if key == name]
        return ", ".join(values) if values else None

    def tokens(self, name: str) -> set[str]:
        """The comma-separated tokens of header ``name``, lower case (``Connection: keep-alive, Upgrade``)."""
        return {token.strip().lower() for token in (self.header(name) or "").split(",") if token.strip()}

    @property
    def wants_websocket(self) -> bool:
        """The client asks to switch this connection to a WebSocket."""
        return "websocket" in self.tokens("upgrade")


def upgrade_refusal(head: RequestHead, websocket_paths: frozenset[str]) -> str | None:
    """Why a WebSocket upgrade must be refused with 400, or None when it may go on (also for non-upgrades).

    Args:
        head: the request's head.
        websocket_paths: the paths some server accepts a WebSocket at.
    """
    if not head.wants_websocket:
        return None
    if head.method != "GET" or head.http_version != "1.1":
        return "a WebSocket upgrade is an HTTP/1.1 GET"
    if "upgrade" not in head.tokens("connection"):
        return "a WebSocket upgrade needs Connection: Upgrade"
    if head.header("transfer-encoding") is not None or (head.header("content-length") or "0").strip() != "0":
        return "a WebSocket upgrade carries no body"
    if head.path not in websocket_paths:
        return f"no WebSocket at {head.path}"
    if head.header("sec-websocket-version") != WEBSOCKET_VERSION:
        return f"Sec-WebSocket-Version must be {WEBSOCKET_VERSION}"
    key = head.header("sec-websocket-key")
    if key is None or not is_websocket_key(key):
        return "Sec-WebSocket-Key must be 16 bytes in base64"
    return None
