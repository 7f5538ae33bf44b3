"""Sockets that never read: the node's writes to them must not block forever, nor the closes that follow."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable

import pytest

from tests.attack.harness import Target
from tests.attack.rawws import RawSocket, frame, session_token

pytestmark = pytest.mark.slow

SOCKETS = 50
RESUMES = 300
"""Snapshots each socket asks for: more than its outbox holds, and more bytes than the socket buffers take."""


def _open_sockets(target: Target) -> int:
    """The node process's open sockets (its listener, and perhaps an HTTP connection kept alive a while)."""
    assert target.process is not None
    fds = f"/proc/{target.process.pid}/fd"
    return sum(1 for fd in os.listdir(fds) if os.readlink(f"{fds}/{fd}").startswith("socket:"))


@pytest.mark.parametrize(
    "target", [{"CHECKGAME_HEARTBEAT_TIMEOUT_S": "3", "CHECKGAME_SEND_TIMEOUT_S": "2"}], indirect=True
)
def test_sockets_that_never_read_are_cut(target: Target, ws_open: Callable[[str], RawSocket]) -> None:
    _, token = session_token(target.url)
    baseline = _open_sockets(target)
    resumes = frame(0x1, b'{"type": "resume", "data": {"lastSeq": -1}}') * RESUMES
    for _ in range(SOCKETS):
        ws = ws_open(f"/api/v1/ws?token={token}")
        ws.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)  # a small window, then none: never read
        ws.send(resumes)
    deadline = time.monotonic() + 60  # a ceiling: heartbeat 3 s and send timeout 2 s, with room for a loaded machine
    while _open_sockets(target) > baseline and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _open_sockets(target) <= baseline, "sockets that never read are still open"
    target.assert_survived()
    assert target.stop() == 0  # and the node still stops cleanly
