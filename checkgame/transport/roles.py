"""What a node of each role serves: the deployment's two tiers (``checkgame serve --role all|api|ws``).

``all`` serves everything (the embedded default, compose). In a split deployment the ``api`` tier serves
everything but the game WebSocket, and the ``ws`` tier only the game WebSocket plus the probes and the scrape
(Kubernetes and Prometheus reach every pod). One function decides, so that the front door, which routes each
connection by its request head, and the HTTP application, which sees every request on a kept-alive connection,
refuse the same paths with the same answer.
"""

from __future__ import annotations

from urllib.parse import unquote

import msgspec

from checkgame.config import Role

__all__ = ["GAME_SOCKET_PATH", "SOCKET_PATHS", "WATCH_SOCKET_PATH", "refusal", "refusal_message", "request_path",
           "serves"]  # fmt: skip

GAME_SOCKET_PATH = "/api/v1/ws"
"""The game's WebSocket: the ``ws`` tier's whole job, and with the spectators' the paths the ``api`` tier refuses."""
WATCH_SOCKET_PATH = "/api/v1/ws/watch"
"""The spectators' WebSocket, served by the same tier as the game's."""
SOCKET_PATHS = frozenset({GAME_SOCKET_PATH, WATCH_SOCKET_PATH})
EVERY_NODE_PATHS = frozenset({"/health", "/ready", "/metrics"})
"""Probes and the scrape: every role answers them, so a tier is watched like any node."""
_MESSAGES: dict[Role, str] = {
    "all": "this node serves every path (role all)",
    "api": f"this node serves everything but the game WebSockets {GAME_SOCKET_PATH} and {WATCH_SOCKET_PATH}, which"
    " the ws tier serves (role api)",
    "ws": f"this node serves only the game WebSockets {GAME_SOCKET_PATH} and {WATCH_SOCKET_PATH}, /health, /ready"
    " and /metrics (role ws)",
}


def serves(role: Role, path: str) -> bool:
    """Whether a node of ``role`` answers ``path``: decoded and without its query, as the router matches it."""
    if role == "api":
        return path not in SOCKET_PATHS
    if role == "ws":
        return path in SOCKET_PATHS or path in EVERY_NODE_PATHS
    return True


def request_path(target: bytes) -> str:
    """The path of an HTTP/1.1 request target (``/api/v1/ws?token=…``) as Hypercorn gives it to the router."""
    path = target.partition(b"?")[0]
    return unquote(path.decode("ascii", errors="replace"))


def refusal_message(role: Role) -> str:
    """The message of the 404 a node answers for a path its role does not serve."""
    return _MESSAGES[role]


def refusal(role: Role) -> bytes:
    """A whole HTTP/1.1 404 response with the project's error body, for the front door to write and close.

    The request's body (if any) is left unread, so the connection cannot carry another request: it is closed.
    """
    body = msgspec.json.encode({"error": {"code": "NOT_FOUND", "message": refusal_message(role)}})
    head = (
        "HTTP/1.1 404 Not Found\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n"
        "\r\n"
    )
    return head.encode("ascii") + body
