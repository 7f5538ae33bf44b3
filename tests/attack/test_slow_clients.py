"""Slow heads, slow bodies and connection floods, at a bounded scale: cut in time, refused beyond the caps.

Before the front door, a request whose body trickled in held its connection
forever (5,000 of them slowed every answer tenfold and, at the descriptor
limit, /health timed out). Now a head or a body that does not arrive in time
is answered 408 and closed, and connections beyond the total or per-address
caps are answered 503 with Retry-After. Loopback is all of 127.0.0.0/8, so
binding the client socket to 127.0.0.2, .3... gives distinct client addresses.
"""

from __future__ import annotations

import json
import socket
import time
from contextlib import ExitStack, suppress

import httpx
import pytest

from tests.attack.harness import Target

pytestmark = pytest.mark.slow

HEALTH = b"GET /health HTTP/1.1\r\nHost: attacked\r\n\r\n"
SLOW_BODY = b"POST /api/v1/auth/login HTTP/1.1\r\nHost: attacked\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"  # noqa: E501


def open_from(target: Target, address: str = "127.0.0.1") -> socket.socket:
    """A raw connection to the node from ``address`` (any of 127.0.0.0/8)."""
    return socket.create_connection(("127.0.0.1", target.port), timeout=5, source_address=(address, 0))


def read_answer(sock: socket.socket) -> tuple[str, dict[str, str], bytes]:
    """Status, headers and body of the answer, read until the node closes the connection."""
    received = b""
    try:
        while data := sock.recv(65536):
            received += data
    except (ConnectionResetError, TimeoutError):
        pass
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = lines[0].split(" ")[1] if lines[0] else "closed"
    headers = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
    return status, headers, body


def read_one_response(sock: socket.socket) -> bytes:
    """One whole response on a connection that stays open (its body sized by Content-Length)."""
    received = b""
    while b"\r\n\r\n" not in received:
        received += sock.recv(65536)
    head, _, body = received.partition(b"\r\n\r\n")
    length = int(next(line for line in head.lower().split(b"\r\n") if line.startswith(b"content-length:"))[15:])
    while len(body) < length:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


def health_from(target: Target, address: str) -> int:
    with httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=5) as client:
        return client.get(target.url + "/health").status_code


def refused_metric(target: Target, reason: str) -> float:
    text = httpx.get(target.url + "/metrics", timeout=5).text
    line = f'checkgame_connections_refused_total{{reason="{reason}"}} '
    return next((float(row.removeprefix(line)) for row in text.splitlines() if row.startswith(line)), 0.0)


def trickle_until_answered(sockets: list[socket.socket], ceiling: float) -> list[bytes]:
    """Send one byte on each socket every 0.2 s until each is answered and closed; what each received."""
    received = [b""] * len(sockets)
    open_ = set(range(len(sockets)))
    for sock in sockets:
        sock.setblocking(False)
    deadline = time.monotonic() + ceiling
    while open_ and time.monotonic() < deadline:
        for i in list(open_):
            try:
                while data := sockets[i].recv(65536):
                    received[i] += data
                open_.discard(i)  # closed by the node
                continue
            except BlockingIOError:
                pass
            except ConnectionResetError:
                open_.discard(i)
                continue
            with suppress(OSError):
                sockets[i].send(b"a")
        time.sleep(0.2)
    return received


@pytest.mark.parametrize("target", [{"CHECKGAME_HEAD_TIMEOUT_S": "2", "CHECKGAME_BODY_TIMEOUT_S": "2"}], indirect=True)
def test_slow_heads_and_slow_bodies_are_answered_408_and_closed(target: Target) -> None:
    def opened(first: bytes) -> socket.socket:
        sock = stack.enter_context(target.connect())
        sock.sendall(first)
        return sock

    with ExitStack() as stack:
        kept_alive = [opened(HEALTH) for _ in range(20)]  # one quick request: the slow one is the second
        for sock in kept_alive:
            assert read_one_response(sock).startswith(b"HTTP/1.1 200 ")
            sock.sendall(SLOW_BODY)
        heads = [opened(b"GET /health HTTP/1.1\r\nHost: attacked\r\nX-Slow: ") for _ in range(100)]
        bodies = [opened(SLOW_BODY) for _ in range(100)]
        assert health_from(target, "127.0.0.2") == 200  # the node answers others meanwhile
        # 1,000 bytes at 5 a second would take 200 s: each is cut long before (ceiling 30 s)
        answers = trickle_until_answered(heads + bodies + kept_alive, ceiling=30)
    assert all(answer.startswith(b"HTTP/1.1 408 ") for answer in answers), {a[:40] for a in answers}
    assert json.loads(answers[0].partition(b"\r\n\r\n")[2])["error"]["code"] == "REQUEST_TIMEOUT"
    assert refused_metric(target, "head_timeout") == 100
    assert refused_metric(target, "body_timeout") == 120
    target.assert_survived()


def test_an_answered_connection_left_silent_is_closed_after_the_keep_alive_timeout(target: Target) -> None:
    with target.connect(timeout=30) as sock:  # Hypercorn's keep_alive_timeout is 5 s
        sock.sendall(HEALTH)
        assert read_one_response(sock).startswith(b"HTTP/1.1 200 ")
        assert sock.recv(65536) == b""  # closed by the node (the 30 s socket timeout is the ceiling)
    target.assert_survived()


def refused_eventually(target: Target, address: str, ceiling: float = 15) -> tuple[str, dict[str, str], bytes]:
    """Requests from ``address`` until one is refused (the held connections are accepted in their own time)."""
    deadline = time.monotonic() + ceiling
    while True:
        with open_from(target, address) as sock:
            sock.sendall(HEALTH.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
            answer = read_answer(sock)
        if answer[0] == "503" or time.monotonic() > deadline:
            return answer
        time.sleep(0.1)


@pytest.mark.parametrize(
    "target",
    [{"CHECKGAME_MAX_CONNECTIONS": "40", "CHECKGAME_MAX_CONNECTIONS_PER_IP": "20", "CHECKGAME_HEAD_TIMEOUT_S": "60"}],
    indirect=True,
)
def test_connections_beyond_the_caps_get_503_with_retry_after(target: Target) -> None:
    with ExitStack() as stack:
        for _ in range(20):
            stack.enter_context(open_from(target, "127.0.0.1"))
        status, headers, body = refused_eventually(target, "127.0.0.1")
        assert status == "503"
        assert headers["retry-after"].isdigit()
        assert json.loads(body)["error"]["code"] == "SERVICE_UNAVAILABLE"
        assert health_from(target, "127.0.0.2") == 200  # another address is not refused

        for _ in range(20):
            stack.enter_context(open_from(target, "127.0.0.2"))
        status, headers, body = refused_eventually(target, "127.0.0.3")  # the node is full: any address
        assert status == "503"
        assert "retry-after" in headers
    assert refused_metric(target, "max_connections_per_ip") >= 1
    assert refused_metric(target, "max_connections") >= 1
    target.assert_survived()


@pytest.mark.parametrize(
    "target",
    [{"CHECKGAME_TRUST_FORWARDED_FOR": "true", "CHECKGAME_MAX_CONNECTIONS_PER_IP": "10"}],
    indirect=True,
)
def test_behind_a_proxy_the_forwarded_address_is_capped_not_the_proxy(target: Target) -> None:
    def from_client(request: bytes, client: str) -> bytes:
        return request.replace(b"Host: attacked\r\n", f"Host: attacked\r\nX-Forwarded-For: {client}\r\n".encode())

    def health_of(client: str) -> str:
        with target.connect() as sock:
            sock.sendall(from_client(HEALTH.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"), client))
            return read_answer(sock)[0]

    with ExitStack() as stack:
        for _ in range(10):  # ten requests of one client, waiting for their bodies
            stack.enter_context(target.connect()).sendall(from_client(SLOW_BODY, "203.0.113.7"))
        deadline = time.monotonic() + 15
        while (status := health_of("203.0.113.7")) != "503" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert status == "503"
        assert health_of("203.0.113.8") == "200"  # the same proxy, another client
    target.assert_survived()
