"""The load generator's lean client WebSocket against a real server end on loopback (a tiny wsproto server)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial

import pytest
import trio
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, CloseConnection, Event, Ping, Pong, Request, TextMessage

from checkgame.loadtest.wsclient import ConnectionClosed, ConnectionRejected, connect


class Peer:
    """The server end of one connection: wsproto events in and out."""

    def __init__(self, stream: trio.SocketStream) -> None:
        self.stream = stream
        self.protocol = WSConnection(ConnectionType.SERVER)
        self.pending: list[Event] = []

    async def next_event(self) -> Event | None:
        """The next event from the client; None once its stream has ended."""
        while not self.pending:
            data = await self.stream.receive_some(65536)
            if not data:
                return None
            self.protocol.receive_data(data)
            self.pending.extend(self.protocol.events())
        return self.pending.pop(0)

    async def send(self, *events: Event) -> None:
        await self.stream.send_all(b"".join(self.protocol.send(event) for event in events))

    async def accept(self) -> Request:
        request = await self.next_event()
        assert isinstance(request, Request)
        await self.send(AcceptConnection())
        return request

    async def message(self) -> str:
        """The next whole text message."""
        parts = []
        while True:
            event = await self.next_event()
            assert isinstance(event, TextMessage), event
            parts.append(event.data)
            if event.message_finished:
                return "".join(parts)


Handler = Callable[[Peer], Awaitable[None]]


@asynccontextmanager
async def serving(handler: Handler) -> AsyncIterator[str]:
    """A server on a free loopback port running ``handler`` for each connection; yields its ``ws://`` URL.

    Leaving the block waits for the handlers to finish, so their findings are complete.
    """
    running = 0
    finished = trio.Event()

    async def connection(stream: trio.SocketStream) -> None:
        nonlocal running
        running += 1
        try:
            async with stream:
                await handler(Peer(stream))
        finally:
            running -= 1
            if not running:
                finished.set()

    async with trio.open_nursery() as nursery:
        listeners = await nursery.start(partial(trio.serve_tcp, connection, 0, host="127.0.0.1"))
        port = listeners[0].socket.getsockname()[1]
        yield f"ws://127.0.0.1:{port}/api/v1/ws?token=t&batch=1"
        with trio.fail_after(10):
            await finished.wait()
        nursery.cancel_scope.cancel()


async def test_a_message_goes_and_comes_back_and_the_block_closes_with_1000():
    seen: list[object] = []

    async def echo(peer: Peer) -> None:
        seen.append((await peer.accept()).target)
        text = await peer.message()
        await peer.send(TextMessage(text))
        seen.append(await peer.next_event())

    async with serving(echo) as url:
        with trio.fail_after(10):
            async with connect(url) as ws:
                await ws.send_message("héllo")
                assert await ws.get_message() == "héllo"
            assert ws._sock.fileno() == -1
    assert seen[0] == "/api/v1/ws?token=t&batch=1"
    assert isinstance(seen[1], CloseConnection)
    assert seen[1].code == 1000


async def test_a_fragmented_message_arrives_whole():
    async def fragments(peer: Peer) -> None:
        await peer.accept()
        await peer.send(TextMessage("[1,", message_finished=False))
        await peer.send(TextMessage("2,", message_finished=False), TextMessage("3]"), TextMessage("next"))
        await peer.next_event()

    async with serving(fragments) as url:
        with trio.fail_after(10):
            async with connect(url) as ws:
                assert await ws.get_message() == "[1,2,3]"
                assert await ws.get_message() == "next"


async def test_a_ping_is_answered_while_reading():
    pongs: list[bytes] = []

    async def pinging(peer: Peer) -> None:
        await peer.accept()
        await peer.send(Ping(b"still there?"))
        pong = await peer.next_event()
        assert isinstance(pong, Pong)
        pongs.append(bytes(pong.payload))
        await peer.send(TextMessage("thanks"))
        await peer.next_event()

    async with serving(pinging) as url:
        with trio.fail_after(10):
            async with connect(url) as ws:
                assert await ws.get_message() == "thanks"  # the pong went out while this waited
    assert pongs == [b"still there?"]


async def test_a_close_by_the_server_surfaces_its_code_and_is_answered():
    answers: list[Event | None] = []

    async def closing(peer: Peer) -> None:
        await peer.accept()
        await peer.send(TextMessage("last"), CloseConnection(1013, "too slow a reader"))
        answers.append(await peer.next_event())

    async with serving(closing) as url:
        with trio.fail_after(10):
            async with connect(url) as ws:
                assert await ws.get_message() == "last"  # what came before the close is delivered
                with pytest.raises(ConnectionClosed) as closed:
                    await ws.get_message()
                assert (closed.value.code, closed.value.reason) == (1013, "too slow a reader")
                assert ws._sock.fileno() == -1  # closed as soon as the close was answered
                with pytest.raises(ConnectionClosed):
                    await ws.send_message("too late")
                with pytest.raises(ConnectionClosed):
                    await ws.get_message()
    assert isinstance(answers[0], CloseConnection)
    assert answers[0].code == 1013


async def test_a_stream_that_just_ends_is_1006():
    async def vanishing(peer: Peer) -> None:
        await peer.accept()

    async with serving(vanishing) as url:
        with trio.fail_after(10):
            async with connect(url) as ws:
                with pytest.raises(ConnectionClosed) as closed:
                    await ws.get_message()
                assert closed.value.code == 1006


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: 36\r\n\r\n"
        b'{"error":{"code":"SESSION_EXPIRED"}}',
        b'HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n{"error":{"code":"SESSION_EXPIRED"}}',  # to the end
        b"HTTP/1.1 403 Forbidden\r\nContent-Length: 500\r\n\r\n{",  # closed right after, short of its length
    ],
    ids=["content-length", "close-delimited", "cut-short"],
)
async def test_a_refused_upgrade_raises_with_the_status(answer: bytes):
    async def refusing(peer: Peer) -> None:
        assert isinstance(await peer.next_event(), Request)
        await peer.stream.send_all(answer)

    async with serving(refusing) as url:
        with trio.fail_after(10), pytest.raises(ConnectionRejected) as refused:
            async with connect(url):
                pytest.fail("the upgrade was refused")
    assert refused.value.status_code == 403
    if b"SESSION_EXPIRED" in answer:
        assert refused.value.body == b'{"error":{"code":"SESSION_EXPIRED"}}'


async def test_concurrent_senders_never_interleave_their_frames():
    """Frames larger than the socket buffers: each sender has to wait for the socket in the middle of one."""
    received: list[str] = []
    texts = [letter * 600_000 for letter in "abcd"]

    async def slow_reader(peer: Peer) -> None:
        await peer.accept()
        for _ in texts:
            received.append(await peer.message())
        await peer.next_event()

    async with serving(slow_reader) as url:
        with trio.fail_after(20):
            async with connect(url) as ws, trio.open_nursery() as nursery:
                for text in texts:
                    nursery.start_soon(ws.send_message, text)
    assert sorted(received) == texts
