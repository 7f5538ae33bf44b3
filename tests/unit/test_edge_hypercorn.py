"""The Hypercorn internals the front door builds on (pinned to 0.18.*): lifespan, TCPServer, WorkerContext.

A small Quart-Trio app served by :func:`serve_edge` on a loopback port: its
startup and shutdown hooks run, HTTP and WebSocket requests are answered
through the replaying stream, and on shutdown an idle keep-alive connection is
closed while a request in flight is still answered.
"""

from __future__ import annotations

from functools import partial
from importlib.metadata import version

import pytest
import trio
import trio.testing
from hypercorn.config import Config
from quart import websocket
from quart_trio import QuartTrio
from trio_websocket import open_websocket_url

from checkgame.config import Settings
from checkgame.observability.metrics import Metrics
from checkgame.transport.edge import serve_edge

pytestmark = pytest.mark.slow


def tiny_app(events: list[str], release: trio.Event) -> QuartTrio:
    app = QuartTrio(__name__)

    @app.before_serving
    async def startup() -> None:
        events.append("startup")

    @app.after_serving
    async def shutdown() -> None:
        events.append("shutdown")

    @app.get("/")
    async def index() -> str:
        return "hello"

    @app.get("/slow")
    async def slow() -> str:
        await release.wait()
        return "late"

    @app.websocket("/ws")
    async def echo() -> None:
        while True:
            await websocket.send(await websocket.receive())

    return app


async def request(port: int, raw: bytes) -> trio.SocketStream:
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    await stream.send_all(raw)
    return stream


async def receive_until_closed(stream: trio.SocketStream) -> bytes:
    """Everything until the server closes; then our side is closed too."""
    received = b""
    async with stream:
        while data := await stream.receive_some():
            received += data
    return received


def test_the_installed_hypercorn_is_the_one_the_front_door_was_built_for() -> None:
    assert version("hypercorn").startswith("0.18.")


async def test_hypercorn_behind_the_front_door_serves_and_drains() -> None:
    events: list[str] = []
    release, stop = trio.Event(), trio.Event()
    config = Config()
    config.bind = ["127.0.0.1:0"]
    config.graceful_timeout = 5
    config.accesslog = None
    app = tiny_app(events, release)
    with trio.fail_after(20):
        async with trio.open_nursery() as nursery:
            binds = await nursery.start(partial(serve_edge, app, config, Settings(), Metrics(), stop.wait))
            assert events == ["startup"]  # before the first connection
            port = int(binds[0].rsplit(":", 1)[1])

            closing = await request(port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            answer = await receive_until_closed(closing)  # closed once answered
            assert answer.startswith(b"HTTP/1.1 200")
            assert answer.endswith(b"hello")

            async with open_websocket_url(f"ws://127.0.0.1:{port}/ws") as ws:
                await ws.send_message("ping")
                assert await ws.get_message() == "ping"

            idle = await request(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")  # kept alive after its answer
            answered = b""
            while not answered.endswith(b"hello"):
                answered += await idle.receive_some()
            in_flight = await request(port, b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
            await trio.sleep(0.1)

            stop.set()
            assert await receive_until_closed(idle) == b""  # drained: closed once idle
            release.set()
            late = await receive_until_closed(in_flight)
            assert late.endswith(b"late"), late  # answered before the end
    assert events == ["startup", "shutdown"]
