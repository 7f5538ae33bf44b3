"""Malformed and partial WebSocket upgrades, sent raw: each answered (400 or its right status) or closed, none fatal.

Before the front door (checkgame/transport/edge), a body on an upgrade on any
path, or one more byte after an upgrade to a route without a WebSocket, let an
h11 exception escape Hypercorn's connection task and end the process.
"""

from __future__ import annotations

import base64
import contextlib
import subprocess
import time

import pytest

from tests.attack.harness import Target

pytestmark = pytest.mark.slow

KEY = "dGhlIHNhbXBsZSBub25jZQ=="
WS = "/api/v1/ws"


def upgrade(
    path: str = WS,
    *,
    method: str = "GET",
    http: str = "1.1",
    connection: str | None = "Upgrade",
    key: str | None = KEY,
    version: str | None = "13",
    extra: str = "",
    body: bytes = b"",
) -> bytes:
    """An upgrade request; ``None`` leaves a header out."""
    lines = [f"{method} {path} HTTP/{http}", "Host: attacked", "Upgrade: websocket"]
    lines += [f"Connection: {connection}"] if connection is not None else []
    lines += [f"Sec-WebSocket-Key: {key}"] if key is not None else []
    lines += [f"Sec-WebSocket-Version: {version}"] if version is not None else []
    head = "\r\n".join(lines) + "\r\n" + extra + "\r\n"
    return head.encode("latin-1") + body


SHORT_KEY = base64.b64encode(b"8 bytes!").decode()
ANSWERED = {"101", "400", "401", "403", "404", "408", "431"}

VARIANTS: dict[str, tuple[bytes, bytes, set[str]]] = {
    # name: (sent at once, sent a moment later, acceptable first status lines; "closed" = closed without an answer)
    "body on /": (upgrade("/", extra="Content-Length: 1\r\n", body=b"x"), b"", {"400"}),
    "body on the game socket": (upgrade(extra="Content-Length: 1\r\n", body=b"x"), b"", {"400"}),
    "body on /health": (upgrade("/health", extra="Content-Length: 1\r\n", body=b"x"), b"", {"400"}),
    "body on the admin stream": (upgrade("/admin/ws", extra="Content-Length: 1\r\n", body=b"x"), b"", {"400"}),
    "chunked body": (upgrade(extra="Transfer-Encoding: chunked\r\n", body=b"1\r\nx\r\n0\r\n\r\n"), b"", {"400"}),
    "non-WebSocket route, then a byte": (upgrade("/health"), b"x", {"400"}),
    "API route, then a byte": (upgrade("/api/v1/sessions"), b"x", {"400"}),
    "unknown path, then a byte": (upgrade("/nowhere"), b"x", {"400"}),
    "empty key": (upgrade(key=""), b"", {"400"}),
    "short key": (upgrade(key=SHORT_KEY), b"", {"400"}),
    "key not base64": (upgrade(key="not base64 at all!"), b"", {"400"}),
    "no key": (upgrade(key=None), b"", {"400"}),
    "version 8": (upgrade(version="8"), b"", {"400"}),
    "no version": (upgrade(version=None), b"", {"400"}),
    "no Connection header": (upgrade(connection=None), b"", {"400"}),
    "HTTP/1.0 upgrade": (upgrade(http="1.0"), b"", {"400"}),
    "POST upgrade": (upgrade(method="POST"), b"", {"400"}),
    "partial head, then closed": (upgrade()[:40], b"", {"closed"}),
    "garbage request line": (b"\x00\x01\x02 garbage\r\n\r\n", b"", {"400"}),
    "oversized head": (upgrade(extra="X-Filler: " + "a" * 100_000 + "\r\n"), b"", {"431"}),
    "valid upgrade, then garbage frames": (upgrade(), b"\xff" * 64, ANSWERED | {"closed"}),
    "valid upgrade with a pipelined request": (upgrade() + b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n", b"", ANSWERED),
    "Content-Length 0 is no body": (upgrade(extra="Content-Length: 0\r\n"), b"", ANSWERED - {"400"}),
    "body on an upgrade after a keep-alive request": (
        b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n",
        upgrade("/", extra="Content-Length: 1\r\n", body=b"x"),
        {"200"},
    ),
}


def curl_upgrade_with_body(url: str) -> str:
    """The request of the report (issue 1/7), an upgrade carrying a one-byte body, sent by curl; the status."""
    command = ["curl", "-s", "-m", "10", "-o", "/dev/null", "-w", "%{http_code}", "-X", "GET", "--data-binary", "x"]
    for header in (
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {KEY}",
        "Sec-WebSocket-Version: 13",
    ):
        command += ["-H", header]
    return subprocess.run([*command, url + "/"], capture_output=True, text=True, check=False).stdout


def exchange(target: Target, sent: bytes, later: bytes, close_early: bool) -> str:
    """Send ``sent`` (then ``later``); the status of the first answer, or ``closed``."""
    received = b""
    with target.connect() as sock:
        sock.sendall(sent)
        if close_early:
            return "closed"
        if later:
            time.sleep(0.2)
            with contextlib.suppress(OSError):  # already answered and closed: what we want to know comes next
                sock.sendall(later)
        try:
            while len(received) < 65536 and (data := sock.recv(65536)):
                received += data
        except (ConnectionResetError, TimeoutError):
            pass
    if not received:
        return "closed"
    return received.split(b"\r\n", 1)[0].split(b" ")[1].decode()


def test_raw_upgrade_variants_are_answered_or_closed_and_none_is_fatal(target: Target) -> None:
    outcomes: dict[str, str] = {}
    fatal: list[str] = []
    for name, (sent, later, acceptable) in VARIANTS.items():
        outcome = exchange(target, sent, later, close_early=acceptable == {"closed"})
        outcomes[name] = outcome
        if not target.alive:
            fatal.append(name)
            break
        assert outcome in acceptable, f"{name}: {outcome}"
    assert not fatal, f"the node died after {fatal}; outcomes {outcomes}"
    assert len(outcomes) >= 15
    target.assert_survived()


def test_the_reported_curl_gets_400_and_the_node_lives(target: Target) -> None:
    assert curl_upgrade_with_body(target.url) == "400"
    target.assert_survived()
