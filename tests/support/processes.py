"""Helpers for tests that start servers as separate processes: a free port, and waiting for a condition."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

import httpx

__all__ = ["free_port", "wait_until"]


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: Callable[[], bool], what: str, timeout: float) -> None:
    """Poll ``check()`` until it holds; connection errors count as "not yet" (a ceiling, never a speed assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (httpx.HTTPError, OSError):
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{what} within {timeout} s")
