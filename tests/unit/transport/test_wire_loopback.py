"""The lean WebSocket layer on real loopback sockets, with trio-websocket as the client (interoperability).

Here frames are written straight to the socket; the writer task runs only
when the socket pushes back (a reader that does not read).
"""

from __future__ import annotations

import socket
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial

import pytest
import trio
import trio.lowlevel
from trio_websocket import ConnectionClosed, WebSocketConnection, open_websocket_url
from wsproto.events import AcceptConnection, TextMessage

from checkgame.transport.ws.upgrade import UpgradeError, open_websocket, receive_upgrade, refuse
from checkgame.transport.ws.wire import Limits, WebSocket, encode_text_frame
from tests.support.wsclient import RawClient, upgrade_request

Handler = Callable[[WebSocket], Awaitable[None]]


async def echo(websocket: WebSocket) -> None:
    async for message in websocket:
        websocket.send_nowait(encode_text_frame(message))


@asynccontextmanager
async def serving(
    handler: Handler = echo, limits: Limits | None = None
) -> AsyncIterator[tuple[str, list[WebSocket], trio.Event]]:
    """A server on a free loopback port: its ``ws://`` URL, the server ends of its connections, and an event
    set when the first connection has ended (closed and its socket released)."""
    served: list[WebSocket] = []
    ended = trio.Event()

    async def connection(stream: trio.SocketStream) -> None:
        try:
            upgrade = await receive_upgrade(stream, timeout_s=5)
        except UpgradeError as error:
            await refuse(stream, error.status_hint, error.message, headers=error.headers)
            return
        async with trio.open_nursery() as nursery, open_websocket(stream, upgrade, nursery, limits) as websocket:
            served.append(websocket)
            await handler(websocket)
        ended.set()

    async with trio.open_nursery() as nursery:
        listeners = await nursery.start(partial(trio.serve_tcp, connection, 0, host="127.0.0.1"))
        port = listeners[0].socket.getsockname()[1]
        yield f"ws://127.0.0.1:{port}/api/v1/ws", served, ended
        nursery.cancel_scope.cancel()


@asynccontextmanager
async def open_client(url: str, *, message_queue_size: int = 1) -> AsyncIterator[WebSocketConnection]:
    """trio-websocket's client, its socket closed after a close the server started (0.12 leaves it open)."""
    opened: WebSocketConnection | None = None
    try:
        async with open_websocket_url(url, message_queue_size=message_queue_size) as opened:
            yield opened
    finally:
        if opened is not None:
            await opened._close_stream()  # after the close handshake, whichever side started it


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1].split("/")[0])


async def test_messages_are_echoed_with_direct_writes():
    async with serving(limits=Limits(max_message_bytes=256 * 1024)) as (url, served, _):
        with trio.fail_after(10):
            async with open_client(url) as client:
                for text in ["hi", "é" * 1000, "x" * 4000]:
                    await client.send_message(text)
                    assert await client.get_message() == text
                stats = served[0].statistics()
                assert stats.direct_writes == stats.frames_sent == 3
                assert stats.backpressure_episodes == 0

                await client.ping(b"are you there")  # answered by a pong, or this never returns
                await client.send_message("y" * 200_000)  # more than a socket buffer: written in parts
                assert await client.get_message() == "y" * 200_000

        assert served[0].closed is not None
        assert (served[0].closed.code, served[0].closed.by_peer) == (1000, True)


async def test_a_refused_token_is_an_error_frame_then_1008():
    async def refuse_token(websocket: WebSocket) -> None:
        websocket.send_nowait(encode_text_frame('{"type": "error", "data": {"code": "INVALID_TOKEN"}}'))
        await websocket.aclose(1008, "INVALID_TOKEN")

    async with serving(refuse_token) as (url, served, _):
        with trio.fail_after(10):
            async with open_client(url) as client:
                assert "INVALID_TOKEN" in await client.get_message()
                with pytest.raises(ConnectionClosed) as closed:
                    await client.get_message()
        assert closed.value.reason is not None
        assert (closed.value.reason.code, closed.value.reason.reason) == (1008, "INVALID_TOKEN")
        assert served[0].closed is not None
        assert not served[0].closed.by_peer


@pytest.mark.parametrize(("message", "code"), [("x" * 1025, 1009), (b"binary", 1003)])
async def test_an_oversized_or_binary_message_closes_the_connection(message, code):
    async with serving(limits=Limits(max_message_bytes=1024)) as (url, served, _):
        with trio.fail_after(10):
            async with open_client(url) as client:
                await client.send_message(message)
                with pytest.raises(ConnectionClosed) as closed:
                    await client.get_message()
        assert closed.value.reason is not None
        assert closed.value.reason.code == code
        assert served[0].closed is not None
        assert served[0].closed.code == code


async def test_a_message_in_fragments_over_a_real_socket():
    async with serving() as (url, _, _):
        with trio.fail_after(10):
            client = RawClient(await trio.open_tcp_stream("127.0.0.1", port_of(url)))
            assert isinstance(await client.handshake(), AcceptConnection)
            for part, last in [("one ", False), ("two ", False), ("three", True)]:
                await client.send(TextMessage(part, message_finished=last))
            assert await client.receive_text() == "one two three"
            await client.stream.aclose()


async def test_a_slow_reader_is_closed_with_1013_and_the_queue_stays_bounded():
    limits = Limits(max_queued_frames=8, max_queued_bytes=512 * 1024, close_timeout_s=10)
    frame = encode_text_frame("x" * 64 * 1024)
    started, flooded = trio.Event(), trio.Event()

    async def flood(websocket: WebSocket) -> None:
        await started.wait()
        while websocket.send_nowait(frame):
            assert websocket.statistics().queued_bytes <= 512 * 1024
            await trio.lowlevel.checkpoint()  # let the writer run, as a hub between entries would
        flooded.set()

    async with serving(flood, limits) as (url, served, _):
        with trio.fail_after(20):
            # trio-websocket stops reading the socket while its one-message queue is full: a slow reader
            async with open_client(url, message_queue_size=0) as client:
                started.set()
                await flooded.wait()
                received = 0
                with pytest.raises(ConnectionClosed) as closed:
                    while True:
                        await client.get_message()
                        received += 1
        stats = served[0].statistics()
        assert closed.value.reason is not None
        assert closed.value.reason.code == 1013
        assert stats.closed is not None
        assert stats.closed.code == 1013
        assert stats.backpressure_episodes >= 1
        assert 0 < received <= stats.frames_sent


@pytest.mark.slow
async def test_a_reader_that_never_reads_is_dropped_within_the_bounds():
    limits = Limits(max_queued_frames=8, max_queued_bytes=512 * 1024, send_timeout_s=1, close_timeout_s=1)
    frame = encode_text_frame("x" * 64 * 1024)

    async def flood(websocket: WebSocket) -> None:
        while websocket.send_nowait(frame):
            await trio.lowlevel.checkpoint()

    async with serving(flood, limits) as (url, served, ended):
        with trio.fail_after(20):
            sock = trio.socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
            await sock.connect(("127.0.0.1", port_of(url)))
            stream = trio.SocketStream(sock)
            await stream.send_all(upgrade_request())
            await ended.wait()  # the client never reads a byte
            await stream.aclose()
        assert served[0].closed is not None
        assert served[0].closed.code == 1013
        assert not served[0].statistics().writer_running


async def test_a_peer_that_resets_is_a_clean_end():
    async with serving() as (url, served, ended):
        with trio.fail_after(10):
            client = RawClient(await trio.open_tcp_stream("127.0.0.1", port_of(url)))
            assert isinstance(await client.handshake(), AcceptConnection)
            assert isinstance(client.stream, trio.SocketStream)
            client.stream.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            await client.stream.aclose()  # RST, no close frame
            await ended.wait()
        assert served[0].closed is not None
        assert served[0].closed.code == 1006
        assert not served[0].send_nowait(encode_text_frame("nobody there"))


async def test_the_curl_that_killed_the_node_gets_400_and_the_server_goes_on():
    """Issue 12, defect 1: an upgrade carrying a body."""
    async with serving() as (url, _, _):
        with trio.fail_after(10):
            async with await trio.open_tcp_stream("127.0.0.1", port_of(url)) as stream:
                await stream.send_all(upgrade_request("/", Content_Length="1") + b"x")
                answer = b""
                while data := await stream.receive_some():
                    answer += data
            assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")
            assert answer.endswith(b"an upgrade request has no body\n")

            async with open_client(url) as client:
                await client.send_message("still here")
                assert await client.get_message() == "still here"


async def test_a_server_shutting_down_closes_with_1001():
    async def wait(websocket: WebSocket) -> None:
        await trio.sleep_forever()

    with trio.fail_after(10):
        async with serving(wait) as (url, _, _):
            client = RawClient(await trio.open_tcp_stream("127.0.0.1", port_of(url)))
            assert isinstance(await client.handshake(), AcceptConnection)
        # leaving the block cancelled the server, its connection included
        async with client.stream:
            assert await client.close_code() == 1001
