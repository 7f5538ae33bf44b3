"""Attacks on the game WebSocket with frames: fragmented and oversized messages, odd frames, resumes, many sockets.

Every case speaks raw RFC 6455 frames (tests/attack/rawws.py), so it holds
for whatever transport serves the socket.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.attack.harness import Target
from tests.attack.rawws import BINARY, CONTINUATION, TEXT, RawSocket, frame, session_token

pytestmark = pytest.mark.slow

FRAGMENT = 60_000
"""Bytes of one continuation frame, as in the reported attack (60 KB frames of a 200 MB message)."""
BUDGET = 24 * 1024 * 1024
"""How much one socket offers before the test gives up: far past the node's limit and its socket buffers."""
MESSAGE_LIMIT = 16 * 4096
"""Where the node closes with 1009 (16 times ``max_message_bytes``)."""


Opener = Callable[[str], RawSocket]


def _offer(ws: RawSocket, first: bytes, rest: bytes) -> int:
    """Send ``first``, then ``rest`` again and again, its close frame ignored, until the node resets the connection.

    Returns:
        The bytes sent: BUDGET when the node kept reading.
    """
    sent = 0
    try:
        ws.send(first)
        sent = len(first)
        while sent < BUDGET:
            ws.send(rest)
            sent += len(rest)
            ws.pump(0)
    except OSError:  # the node reset the connection: what was on the way is discarded
        pass
    ws.wait_closed(5)
    return sent


def test_a_message_is_cut_at_the_limit_however_it_is_framed(target: Target, ws_open: Opener) -> None:
    _, token = session_token(target.url)
    before = target.rss_kib()
    for _ in range(3):  # 60 KB continuation frames of one endless message, as reported
        ws = ws_open(f"/api/v1/ws?token={token}")
        sent = _offer(ws, frame(TEXT, b"x" * FRAGMENT, fin=False), frame(CONTINUATION, b"x" * FRAGMENT, fin=False))
        assert ws.closed_with == 1009
        assert sent < BUDGET, "the node kept reading after it closed with 1009"
    ws = ws_open(f"/api/v1/ws?token={token}")
    header = frame(BINARY, b"x" * (200 * 1024 * 1024))[:14]  # one 200 MB frame's header (and mask) ...
    sent = _offer(ws, header, b"x" * FRAGMENT)  # ... and its payload, for as long as the node reads it
    assert ws.closed_with == 1009
    assert sent < BUDGET
    grown = target.rss_kib() - before
    assert grown < BUDGET // 1024, f"{grown} KiB more after four sockets offered {4 * BUDGET // 1024} KiB"
    target.assert_survived()


def test_odd_frames_are_refused_with_their_close_code(target: Target, ws_open: Opener) -> None:
    _, token = session_token(target.url)
    deep = ws_open(f"/api/v1/ws?token={token}")
    deep.wait_text("session_state")
    deep.send_text('{"type": "ping", "data": {"nonce": ' + "[" * 1000 + "]" * 1000 + "}}")
    assert json.loads(deep.wait_text('"error"'))["data"]["code"] == "MALFORMED_MESSAGE"
    deep.send_text('{"type": "ping", "data": {"nonce": "still here"}}')
    deep.wait_text("still here")  # the connection goes on
    refused = {
        "empty binary": frame(BINARY, b""),
        "binary JSON": frame(BINARY, b'{"type": "ping", "data": {}}'),
        "text that is not UTF-8": frame(TEXT, b'{"type": "ping", "data": {"nonce": "\xff\xfe"}}'),
        "a reserved opcode": frame(0x3, b"?"),
    }
    codes = {}
    for name, data in refused.items():
        ws = ws_open(f"/api/v1/ws?token={token}")
        ws.send(data)
        codes[name] = ws.wait_closed(10)
    assert codes == {
        "empty binary": 1003,
        "binary JSON": 1003,
        "text that is not UTF-8": 1007,
        "a reserved opcode": 1002,
    }
    target.assert_survived()


def test_a_last_seq_above_the_log_gets_a_snapshot(target: Target, ws_open: Opener) -> None:
    _, token = session_token(target.url)
    connecting = ws_open(f"/api/v1/ws?token={token}&lastSeq=1000000")
    assert json.loads(connecting.wait_text("session_state"))["seq"] < 1000000
    resuming = ws_open(f"/api/v1/ws?token={token}")
    resuming.wait_text("session_state")
    resuming.events.clear()
    resuming.send_text('{"type": "resume", "data": {"lastSeq": 1000000}}')
    resuming.wait_text("session_state")
    target.assert_survived()


def test_a_seat_keeps_its_newest_sockets(target: Target, ws_open: Opener) -> None:
    _, token = session_token(target.url)
    sockets = []
    for _ in range(6):
        ws = ws_open(f"/api/v1/ws?token={token}")
        ws.wait_text("session_state")
        sockets.append(ws)
    assert [ws.wait_closed(5) for ws in sockets[:2]] == [4409, 4409]  # the default cap is 4: the oldest go
    for ws in sockets[2:]:
        ws.send_text('{"type": "ping", "data": {"nonce": "alive"}}')
        ws.wait_text('"alive"')
    target.assert_survived()
