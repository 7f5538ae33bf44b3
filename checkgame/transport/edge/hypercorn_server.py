"""Hypercorn as one server behind the front door: our listeners, its HTTP per connection.

Built from the pieces ``hypercorn/trio/run.py`` (0.18) assembles in
``worker_serve``: the wrapped app, its lifespan (startup awaited, so Quart's
``before_serving`` runs before the first connection), a ``WorkerContext``
whose ``terminated`` event closes idle keep-alive connections on shutdown,
and a ``TCPServer`` per connection. These are Hypercorn internals, hence the
pin in pyproject.toml and tests/unit/test_edge_hypercorn.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import trio
from hypercorn.config import Config
from hypercorn.events import Event
from hypercorn.trio.lifespan import Lifespan
from hypercorn.trio.tcp_server import TCPServer
from hypercorn.trio.worker_context import WorkerContext
from hypercorn.typing import ConnectionState, Framework, LifespanState
from hypercorn.utils import wrap_app

from checkgame.transport.edge.stream import EdgeStream

__all__ = ["HypercornServer", "open_hypercorn"]


class _TCPServer(TCPServer):
    """Hypercorn's connection, with what the app's task tells it carried out even as Quart-Trio cancels that task.

    Quart-Trio cancels a request's task as soon as its response is sent, and that task is the one telling the
    connection the exchange is over: restart the keep-alive timer, or close after ``Connection: close``. The
    cancellation struck both halfway, so with Hypercorn 0.18 an answered connection stayed open as long as the
    client kept it (never cut by ``keep_alive_timeout``, nor on shutdown until the graceful deadline).
    Each of these steps is short (Hypercorn already shields the writes themselves).
    """

    async def protocol_send(self, event: Event) -> None:
        with trio.CancelScope(shield=True):
            await super().protocol_send(event)


class HypercornServer:
    """Serves the ASGI app on the connections handed to it (started by :func:`open_hypercorn`)."""

    def __init__(self, app: Framework, config: Config) -> None:
        self.app = wrap_app(app, config.wsgi_max_body_size, "asgi")
        self.config = config
        self.context = WorkerContext(None)
        self.lifespan_state: LifespanState = {}
        self.state = ConnectionState({})

    async def serve_connection(self, stream: EdgeStream) -> None:
        """HTTP (and Hypercorn's WebSockets) on ``stream`` until the connection ends (its first head replayed)."""
        await _TCPServer(self.app, self.config, self.context, self.state, stream).run()  # type: ignore[arg-type]

    async def close_idle(self) -> None:
        """Shutting down: keep-alive connections close once idle, requests in flight are answered first."""
        await self.context.terminated.set()


@asynccontextmanager
async def open_hypercorn(app: Framework, config: Config) -> AsyncIterator[HypercornServer]:
    """Run the app's startup, yield the server, then run the app's shutdown (Quart's after_serving)."""
    server = HypercornServer(app, config)
    lifespan = Lifespan(server.app, config, server.lifespan_state)
    async with trio.open_nursery() as nursery:
        await nursery.start(lifespan.handle_lifespan)
        await lifespan.wait_for_startup()
        server.state = ConnectionState(server.lifespan_state.copy())
        try:
            yield server
            await lifespan.wait_for_shutdown()
        finally:
            nursery.cancel_scope.cancel()
