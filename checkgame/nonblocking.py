"""Reading a non-blocking socket straight from its descriptor, for both ends of the lean WebSocket.

``trio.SocketStream.receive_some`` holds three coroutines and a context
manager for the whole of its wait. A connection waits for its next frame most
of its life, and everything that wait holds is walked by every young
collection meanwhile (``bench/wait_objects.py``). :func:`receive_some` keeps
the same checkpoints with one coroutine: it reads what the descriptor holds and
waits with ``trio.lowlevel.wait_readable`` only when it holds nothing.

The server's connection (``checkgame.transport.ws.wire``) and the load
generator's client (``checkgame.loadtest.wsclient``) both read this way.
"""

from __future__ import annotations

import os

import trio
import trio.lowlevel

__all__ = ["receive_some"]


async def receive_some(fd: int, max_bytes: int) -> bytes:
    """Up to ``max_bytes`` from the socket ``fd``; b"" at its end, on a reset, or when another task closes it.

    A checkpoint like Trio's streams: cancellation is honoured before reading, and a read that found data at
    once still lets other tasks run.
    """
    await trio.lowlevel.checkpoint_if_cancelled()
    if (data := _read_now(fd, max_bytes)) is not None:
        await trio.lowlevel.cancel_shielded_checkpoint()
        return data
    while True:
        try:
            await trio.lowlevel.wait_readable(fd)
        except trio.ClosedResourceError:  # another task closed the socket
            return b""
        if (data := _read_now(fd, max_bytes)) is not None:
            return data


def _read_now(fd: int, max_bytes: int) -> bytes | None:
    """What the socket holds (b"" at its end or on a reset), None if nothing yet."""
    try:
        return os.read(fd, max_bytes)
    except BlockingIOError:
        return None
    except OSError:  # ECONNRESET: the peer is gone
        return b""
