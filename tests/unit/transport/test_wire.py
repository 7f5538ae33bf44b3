"""The lean WebSocket connection over Trio memory streams, with the fake clock for every timeout.

Memory streams have no descriptor, so every frame here goes through the
writer task; the direct writes are covered over real sockets in
test_wire_loopback.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
import trio
import trio.testing
from wsproto.events import AcceptConnection, CloseConnection, Ping, Pong, TextMessage
from wsproto.frame_protocol import FrameProtocol

from checkgame.transport.ws.upgrade import open_websocket, receive_upgrade
from checkgame.transport.ws.wire import Limits, WebSocket, WebSocketClosedError, encode_text_frame
from tests.support.wsclient import RawClient, raw_frame, upgrade_request

TEXT, BINARY, CONTINUATION = 0x1, 0x2, 0x0


@asynccontextmanager
async def connected(
    limits: Limits | None = None, *, lockstep: bool = False
) -> AsyncIterator[tuple[RawClient, WebSocket]]:
    """A client and the server's WebSocket, handshake done; leaving closes the server's end."""
    pair = trio.testing.lockstep_stream_pair if lockstep else trio.testing.memory_stream_pair
    client_stream, server_stream = pair()
    client = RawClient(client_stream)
    shaken = trio.Event()

    async def shake() -> None:
        assert isinstance(await client.handshake(), AcceptConnection)
        shaken.set()

    async with trio.open_nursery() as nursery:
        nursery.start_soon(shake)
        upgrade = await receive_upgrade(server_stream)
        async with open_websocket(server_stream, upgrade, nursery, limits) as websocket:
            await shaken.wait()
            yield client, websocket


async def test_messages_go_both_ways(autojump_clock):
    async with connected() as (client, websocket):
        await client.send_text("hello")
        assert await websocket.receive() == "hello"

        assert websocket.send_nowait(encode_text_frame("héllo"))
        assert await client.receive_text() == "héllo"
        stats = websocket.statistics()
        assert (stats.messages_received, stats.frames_sent, stats.queued_bytes) == (1, 1, 0)


async def test_a_message_in_fragments_is_assembled(autojump_clock):
    async with connected() as (client, websocket):
        await client.send(TextMessage("frag", message_finished=False))
        await client.send(TextMessage("men", message_finished=False))
        await client.send(TextMessage("ted", message_finished=True))

        assert await websocket.receive() == "fragmented"


async def test_frames_sent_right_after_the_head_are_not_lost(autojump_clock):
    client_stream, server_stream = trio.testing.memory_stream_pair()
    await client_stream.send_all(upgrade_request() + raw_frame(TEXT, b"eager"))
    async with trio.open_nursery() as nursery:
        upgrade = await receive_upgrade(server_stream)
        async with open_websocket(server_stream, upgrade, nursery) as websocket:
            assert await websocket.receive() == "eager"


@pytest.mark.parametrize("size", [0, 125, 126, 65535, 65536, 200_000])
def test_a_frame_is_encoded_once_for_anyone(size):
    text = "x" * size
    frame = encode_text_frame(text)
    reader = FrameProtocol(client=True, extensions=[])  # a client reads unmasked server frames
    reader.receive_bytes(frame)

    (received,) = reader.received_frames()

    assert received.payload == text
    assert received.message_finished
    assert encode_text_frame(text) == frame


@pytest.mark.parametrize("text", ["", "x" * 125, "é" * 62 + "x", "é" * 63, "x" * 126, "€" * 21845, "x" * 65536])
def test_a_frame_is_the_bytes_wsproto_would_send(text):
    """The hand-built header agrees with wsproto's at every length boundary, counted in UTF-8 bytes."""
    assert encode_text_frame(text) == bytes(FrameProtocol(client=False, extensions=[]).send_data(text, fin=True))


async def test_a_message_at_the_limit_passes_and_one_byte_more_closes_with_1009(autojump_clock):
    async with connected(Limits(max_message_bytes=1000)) as (client, websocket):
        await client.send_text("é" * 500)  # 1,000 bytes in UTF-8
        assert await websocket.receive() == "é" * 500

        await client.send_text("a" * 1001)
        with pytest.raises(WebSocketClosedError) as ended:
            await websocket.receive()
        assert ended.value.close.code == 1009
        assert await client.close_code() == 1009


async def test_an_oversized_fragmented_message_is_cut_as_it_arrives(autojump_clock):
    """The 200 MB attack of issue 12: 60 KB continuation frames; the server reads little more than the limit."""
    limits = Limits(max_message_bytes=64 * 1024, receive_bytes=16 * 1024)
    sent = 0
    async with connected(limits, lockstep=True) as (client, websocket):
        receiving = trio.Event()

        async def receive() -> None:
            with pytest.raises(WebSocketClosedError):
                await websocket.receive()
            receiving.set()

        async with trio.open_nursery() as nursery:
            nursery.start_soon(receive)
            fragment = b"a" * 60 * 1024
            with pytest.raises(trio.BrokenResourceError):
                for index in range(3400):  # 200 MB, if the server read it all
                    await client.stream.send_all(raw_frame(CONTINUATION if index else TEXT, fragment, fin=False))
                    sent += len(fragment)
        assert websocket.closed is not None
        assert websocket.closed.code == 1009
    assert sent <= 2 * len(fragment)  # lockstep: the client could only send what the server read


async def test_binary_frames_close_with_1003(autojump_clock):
    async with connected() as (client, websocket):
        await client.stream.send_all(raw_frame(BINARY, b""))

        with pytest.raises(WebSocketClosedError) as ended:
            await websocket.receive()

        assert ended.value.close.code == 1003
        assert await client.close_code() == 1003


async def test_invalid_utf8_closes_with_1007(autojump_clock):
    async with connected() as (client, websocket):
        await client.stream.send_all(raw_frame(TEXT, b"\xff\xfe"))

        async for _ in websocket:
            raise AssertionError("no message")

        assert websocket.closed is not None
        assert websocket.closed.code == 1007
        assert await client.close_code() == 1007


async def test_a_protocol_error_closes_with_1002(autojump_clock):
    async with connected() as (client, websocket):
        await client.stream.send_all(raw_frame(CONTINUATION, b"no start"))

        async for _ in websocket:
            raise AssertionError("no message")

        assert websocket.closed is not None
        assert websocket.closed.code == 1002


async def test_pings_are_answered_with_pongs(autojump_clock):
    async with connected() as (client, websocket):
        await client.send(Ping(b"nonce"))
        await client.send_text("after the ping")
        assert await websocket.receive() == "after the ping"

        while not any(isinstance(event, Pong) for event in client.events):
            await client.receive_events()
        assert Pong(b"nonce") in client.events


async def test_the_peer_closing_is_a_clean_end_reported_with_its_code(autojump_clock):
    async with connected() as (client, websocket):
        await client.send(CloseConnection(4000, "bye"))

        async for _ in websocket:
            raise AssertionError("no message")

        assert websocket.closed is not None
        assert (websocket.closed.code, websocket.closed.reason, websocket.closed.by_peer) == (4000, "bye", True)
        assert await client.close_code() == 4000  # the server answers with the same code
        assert not websocket.send_nowait(encode_text_frame("too late"))


async def test_a_peer_that_vanishes_is_a_clean_end(autojump_clock):
    async with connected() as (client, websocket):
        await client.stream.aclose()

        async for _ in websocket:
            raise AssertionError("no message")

        assert websocket.closed is not None
        assert (websocket.closed.code, websocket.closed.by_peer) == (1006, True)
        assert not websocket.send_nowait(encode_text_frame("too late"))


async def test_the_idle_timeout_closes_with_the_callers_code(autojump_clock):
    async with connected(Limits(idle_timeout_s=30, idle_close_code=4408)) as (client, websocket):
        await client.send_text("one")
        assert await websocket.receive() == "one"
        start = trio.current_time()

        with pytest.raises(WebSocketClosedError) as ended:
            await websocket.receive()

        assert trio.current_time() - start == pytest.approx(30)
        assert ended.value.close.code == 4408
        assert await client.close_code() == 4408


async def test_cancelling_a_receive_loses_nothing(autojump_clock):
    async with connected() as (client, websocket):
        await client.send(TextMessage("half ", message_finished=False))
        with trio.move_on_after(5):
            await websocket.receive()
        await client.send(TextMessage("and half", message_finished=True))

        assert await websocket.receive() == "half and half"


async def test_closing_from_another_task_ends_a_pending_receive(autojump_clock):
    async with connected() as (client, websocket), trio.open_nursery() as nursery:

        async def close_later() -> None:
            await trio.sleep(1)
            websocket.close_nowait(1008, "INVALID_TOKEN")

        nursery.start_soon(close_later)
        with pytest.raises(WebSocketClosedError) as ended:
            await websocket.receive()

        assert ended.value.close == websocket.closed
        assert (ended.value.close.code, ended.value.close.by_peer) == (1008, False)
        assert await client.close_code() == 1008


async def test_a_slow_reader_overflows_the_queue_and_is_closed_with_1013(autojump_clock):
    limits = Limits(max_queued_frames=4, max_queued_bytes=10_000, send_timeout_s=60)
    async with connected(limits, lockstep=True) as (client, websocket):
        frame = encode_text_frame("x" * 1000)
        assert websocket.send_nowait(frame)
        await trio.testing.wait_all_tasks_blocked()  # the writer took it: the reader does not read
        accepted = 1
        while websocket.send_nowait(frame):
            accepted += 1
            assert websocket.statistics().queued_frames <= 4
        stats = websocket.statistics()

        assert accepted == 5  # one in the writer's hands, four queued
        assert stats.closed is not None
        assert stats.closed.code == 1013
        assert stats.writer_running
        assert stats.backpressure_episodes == 1
        # the queued frames were dropped: the reader gets what was in flight, then the close
        assert await client.receive_text() == "x" * 1000
        assert await client.close_code() == 1013


async def test_the_queue_is_bounded_in_bytes_too(autojump_clock):
    limits = Limits(max_queued_frames=100, max_queued_bytes=5_000, send_timeout_s=60)
    async with connected(limits, lockstep=True) as (_, websocket):
        frame = encode_text_frame("x" * 1000)
        while websocket.send_nowait(frame):
            assert websocket.statistics().queued_bytes <= 5_000

        assert websocket.closed is not None
        assert websocket.closed.code == 1013


async def test_a_send_blocked_too_long_aborts_the_connection(autojump_clock):
    async with connected(Limits(send_timeout_s=10), lockstep=True) as (client, websocket):
        start = trio.current_time()
        assert websocket.send_nowait(encode_text_frame("never read"))

        with pytest.raises(WebSocketClosedError) as ended:
            await websocket.receive()

        assert trio.current_time() - start == pytest.approx(10)
        assert ended.value.close.code == 1006
        assert "blocked" in ended.value.close.reason
        with pytest.raises(trio.BrokenResourceError):
            await client.stream.send_all(b"x")


async def test_closing_waits_for_the_peer_within_the_close_timeout(autojump_clock):
    async with connected(Limits(close_timeout_s=3)) as (client, websocket):
        start = trio.current_time()
        await websocket.aclose(1001, "going away")  # the client never answers

        assert trio.current_time() - start == pytest.approx(3)
        await websocket.aclose()  # idempotent
        assert websocket.closed is not None
        assert websocket.closed.code == 1001
        assert await client.close_code() == 1001


async def test_closing_ends_as_soon_as_the_peer_answers(autojump_clock):
    async with connected(Limits(close_timeout_s=3)) as (client, websocket):

        async def answer() -> None:
            assert await client.close_code() == 1000
            await client.send(CloseConnection(1000))

        async with trio.open_nursery() as nursery:
            nursery.start_soon(answer)
            start = trio.current_time()
            await websocket.aclose()
            assert trio.current_time() == start


async def test_an_error_in_the_block_closes_with_1011_and_propagates(autojump_clock):
    client_stream, server_stream = trio.testing.memory_stream_pair()
    client = RawClient(client_stream)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(client.handshake)
        upgrade = await receive_upgrade(server_stream)
        with pytest.raises(KeyError):  # as raised, not in an exception group
            async with open_websocket(server_stream, upgrade, nursery):
                await trio.testing.wait_all_tasks_blocked()  # the client has its 101
                raise KeyError("bug")

    assert await client.close_code() == 1011


async def test_statistics_are_a_frozen_record(autojump_clock):
    async with connected() as (_, websocket):
        stats = websocket.statistics()

        with pytest.raises(dataclasses.FrozenInstanceError):
            stats.queued_bytes = 1  # type: ignore[misc]


async def test_a_binary_message_past_the_limit_closes_with_1009_before_it_ends(autojump_clock):
    """One frame announcing 200 MB of binary: refused as too big once the limit is read, not at its end."""
    limits = Limits(max_message_bytes=64 * 1024, receive_bytes=16 * 1024)
    async with connected(limits) as (client, websocket):
        await client.stream.send_all(raw_frame(BINARY, b"x" * (80 * 1024), fin=False))

        with pytest.raises(WebSocketClosedError) as ended:
            await websocket.receive()

        assert ended.value.close.code == 1009
        assert await client.close_code() == 1009
