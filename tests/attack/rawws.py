"""A raw WebSocket client for the attack suite: any frame, well formed or not, on a plain blocking socket.

wsproto performs the opening handshake and parses what the server sends;
frames going out are built by hand (:func:`frame`), so a test can send what no
library would: a fragment without its end, an empty binary frame, text that is
not UTF-8. Nothing here knows which server or transport answers.
"""

from __future__ import annotations

import os
import select
import socket
import time
from dataclasses import dataclass, field

import httpx
from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    CloseConnection,
    Event,
    RejectConnection,
    Request,
    TextMessage,
)

from tests.support.wsclient import raw_frame

__all__ = ["BINARY", "CONTINUATION", "TEXT", "RawSocket", "frame", "open_socket", "session_token"]

CONTINUATION, TEXT, BINARY = 0x0, 0x1, 0x2


def frame(opcode: int, payload: bytes, *, fin: bool = True) -> bytes:
    """One client frame with a random mask, as a browser would send it, whatever its content."""
    return raw_frame(opcode, payload, fin=fin, mask=os.urandom(4))


@dataclass
class RawSocket:
    """An upgraded connection: send raw frames, read the server's messages and its close."""

    sock: socket.socket
    protocol: WSConnection
    events: list[Event] = field(default_factory=list)
    closed_with: int | None = None
    """The server's close code once its close frame arrived (1006 when the TCP connection ended without one)."""
    close_reason: str | None = None

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send_text(self, text: str) -> None:
        self.send(frame(TEXT, text.encode()))

    def readable(self, timeout: float = 0) -> bool:
        return bool(select.select([self.sock], [], [], timeout)[0])

    def pump(self, timeout: float) -> None:
        """Read what the server sent within ``timeout`` (or until it closed) into :attr:`events`."""
        deadline = time.monotonic() + timeout
        self._parse(b"")  # what arrived with the handshake's answer
        while self.closed_with is None and self.readable(max(0.0, deadline - time.monotonic())):
            try:
                data = self.sock.recv(1 << 16)
            except (ConnectionResetError, TimeoutError):
                data = b""
            if not data:
                self.closed_with = 1006
                return
            self._parse(data)
            if time.monotonic() >= deadline:
                return

    def _parse(self, data: bytes) -> None:
        if data:
            self.protocol.receive_data(data)
        for event in self.protocol.events():
            self.events.append(event)
            if isinstance(event, CloseConnection):
                self.closed_with, self.close_reason = event.code, event.reason

    def texts(self) -> list[str]:
        return [str(event.data) for event in self.events if isinstance(event, TextMessage)]

    def wait_closed(self, timeout: float = 10) -> int | None:
        """The close code the server sent within ``timeout``, or None if it kept the connection open."""
        self.pump(timeout)
        return self.closed_with

    def wait_text(self, needle: str, timeout: float = 10) -> str:
        """The first text message containing ``needle`` (AssertionError when none came within ``timeout``)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [text for text in self.texts() if needle in text]
            if found or self.closed_with is not None or time.monotonic() >= deadline:
                assert found, f"no message with {needle!r}; got {self.texts()} and close {self.closed_with}"
                return found[0]
            self.pump(min(0.2, deadline - time.monotonic()))

    def close(self) -> None:
        self.sock.close()


def open_socket(url: str, path: str, timeout: float = 10) -> RawSocket:
    """Upgrade a new TCP connection to ``url`` (``http://host:port``) at ``path``; AssertionError if refused."""
    host, _, port = url.removeprefix("http://").partition(":")
    sock = socket.create_connection((host, int(port)), timeout=timeout)
    protocol = WSConnection(ConnectionType.CLIENT)
    sock.sendall(protocol.send(Request(host=f"{host}:{port}", target=path)))
    raw = RawSocket(sock, protocol)
    while True:
        data = sock.recv(1 << 16)
        assert data, "the server closed the connection during the handshake"
        protocol.receive_data(data)
        for event in protocol.events():
            if isinstance(event, RejectConnection):
                raise AssertionError(f"upgrade refused with HTTP {event.status_code}")
            if isinstance(event, AcceptConnection):
                return raw


def session_token(url: str, name: str = "attacker") -> tuple[str, str]:
    """A fresh registered player's new session: ``(session id, session token)``."""
    suffix = time.monotonic_ns() % 10**9
    with httpx.Client(base_url=url + "/api/v1", timeout=10) as http:
        registered = http.post(
            "/auth/register",
            json={"username": f"{name}{suffix}", "email": f"{name}{suffix}@example.com", "password": "attack 9 x!"},
        )
        assert registered.status_code == 201, registered.text
        created = http.post(
            "/sessions",
            json={"name": "attacked", "maxPlayers": 2},
            headers={"authorization": f"Bearer {registered.json()['accessToken']}"},
        )
        assert created.status_code == 201, created.text
        body = created.json()
        return body["session"]["id"], body["sessionToken"]
