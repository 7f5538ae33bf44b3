"""A node's resident memory before, during and after the two memory attacks of issue 1/7 (figures, never a test).

1. Fragmented: sockets each send one endless text message as 60 KB continuation frames, ignoring the close,
   until the node resets them (or BUDGET_MB each was sent).
2. Half-open: sockets that never read ask for hundreds of snapshots each, then go silent.

Runs a real ``checkgame serve`` node (embedded defaults) with the attack suite's own harness and raw client.
Usage: ``python bench/attack_memory.py [--sockets N] [--budget-mb M]``.
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.attack.harness import Target
from tests.attack.rawws import frame, open_socket, session_token

TEXT, CONTINUATION = 0x1, 0x0
FRAGMENT = 60 * 1024


def _mib(kib: int) -> str:
    return f"{kib / 1024:.1f} MiB"


def fragmented(target: Target, sockets: int, budget: int) -> tuple[int, int, int]:
    """Baseline, peak and settled memory (KiB) around ``sockets`` endless fragmented messages."""
    _, token = session_token(target.url)
    before = peak = target.rss_kib()
    for _ in range(sockets):
        ws = open_socket(target.url, f"/api/v1/ws?token={token}")
        sent = 0
        try:
            ws.send(frame(TEXT, b"x" * FRAGMENT, fin=False))
            while sent < budget:
                ws.send(frame(CONTINUATION, b"x" * FRAGMENT, fin=False))
                sent += FRAGMENT
                peak = max(peak, target.rss_kib())
        except OSError:
            pass
        ws.close()
    time.sleep(2)
    return before, peak, target.rss_kib()


def half_open(target: Target, sockets: int) -> tuple[int, int, int]:
    """Baseline, peak and settled memory (KiB) around ``sockets`` sockets that never read."""
    _, token = session_token(target.url, "silent")
    before = peak = target.rss_kib()
    resumes = frame(TEXT, b'{"type": "resume", "data": {"lastSeq": -1}}') * 300
    held = []
    for _ in range(sockets):
        ws = open_socket(target.url, f"/api/v1/ws?token={token}")
        ws.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
        ws.send(resumes)
        held.append(ws)
        peak = max(peak, target.rss_kib())
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        peak = max(peak, target.rss_kib())
        time.sleep(0.25)
    for ws in held:
        ws.close()
    time.sleep(2)
    return before, peak, target.rss_kib()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=3, help="fragmented-message sockets (default 3)")
    parser.add_argument("--silent", type=int, default=50, help="sockets that never read (default 50)")
    parser.add_argument("--budget-mb", type=int, default=64, help="most each fragmented socket sends (default 64)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        settings = {"CHECKGAME_HEARTBEAT_TIMEOUT_S": "3", "CHECKGAME_SEND_TIMEOUT_S": "2"}
        target = Target(Path(workdir), settings=settings)
        target.start()
        try:
            rows = [
                (f"fragmented message, {args.sockets} sockets", fragmented(target, args.sockets, args.budget_mb << 20)),
                (f"half-open, {args.silent} sockets", half_open(target, args.silent)),
            ]
        finally:
            target.stop()
    print(f"{'attack':<36} {'before':>10} {'peak':>10} {'after':>10}")
    for name, (before, peak, after) in rows:
        print(f"{name:<36} {_mib(before):>10} {_mib(peak):>10} {_mib(after):>10}")


if __name__ == "__main__":
    main()
