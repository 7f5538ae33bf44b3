"""Servers for whole connections that skip Hypercorn: a WebSocket on the lean path, or a fixed answer.

The front door has read and checked the first request head; these adapt a
:data:`~checkgame.transport.edge.server.ConnectionHandler` call (the replaying
stream) to what each needs. The lean WebSocket path takes
the bare socket (it writes to it directly, :mod:`checkgame.transport.ws.wire`)
and the head's bytes, parsed once more into an :class:`Upgrade` that keeps what
the client sent after its head.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import trio

from checkgame.transport.edge.stream import EdgeStream
from checkgame.transport.ws.upgrade import Upgrade, UpgradeError, parse_upgrade, refuse

__all__ = ["answer", "websocket"]

WebSocketHandler = Callable[[trio.SocketStream, Upgrade], Awaitable[None]]
"""Serves an accepted upgrade from its 101 to its close (e.g. the game's :func:`serve_player`)."""


def websocket(handler: WebSocketHandler) -> Callable[[EdgeStream], Awaitable[None]]:
    """A connection handler that gives the checked upgrade to ``handler`` on the bare socket."""

    async def serve(stream: EdgeStream) -> None:
        try:
            upgrade = parse_upgrade(stream.take_replay())
        except UpgradeError as error:  # the door checked the head already; this is its second opinion
            await refuse(stream.transport, error.status_hint, error.message, headers=error.headers)
            return
        await handler(stream.transport, upgrade)

    return serve


def answer(response: bytes) -> Callable[[EdgeStream], Awaitable[None]]:
    """A connection handler that writes ``response`` (a whole HTTP/1.1 answer that closes) and ends."""

    async def serve(stream: EdgeStream) -> None:
        await stream.answer_and_close(response)

    return serve
