"""The front door's parts: head checks, request tracker, connection counts, replaying stream, containment."""

from __future__ import annotations

import logging
from typing import cast

import h11
import pytest
import trio
import trio.testing

from checkgame.config import Settings
from checkgame.observability.metrics import Metrics
from checkgame.transport.edge import FrontDoor
from checkgame.transport.edge.head import RequestHead, upgrade_refusal
from checkgame.transport.edge.limits import ConnectionCounts, LimitReachedError
from checkgame.transport.edge.stream import EdgeStream
from checkgame.transport.edge.tracker import Phase, RequestTracker

KEY = "dGhlIHNhbXBsZSBub25jZQ=="
PATHS = frozenset({"/api/v1/ws"})


def head(raw: bytes) -> RequestHead:
    connection = h11.Connection(h11.SERVER)
    connection.receive_data(raw)
    event = connection.next_event()
    assert isinstance(event, h11.Request)
    return RequestHead.from_h11(event)


def upgrade(path: str = "/api/v1/ws?token=t", extra: str = "", key: str = KEY, version: str = "13") -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: {version}\r\n{extra}\r\n"
    ).encode()


# ---------------------------------------------------------------- heads


def test_a_well_formed_upgrade_and_plain_requests_pass() -> None:
    assert upgrade_refusal(head(upgrade()), PATHS) is None
    assert upgrade_refusal(head(upgrade(extra="Content-Length: 0\r\n")), PATHS) is None
    assert upgrade_refusal(head(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n"), PATHS) is None
    assert head(upgrade()).path == "/api/v1/ws"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (upgrade(extra="Content-Length: 1\r\n"), "no body"),
        (upgrade(extra="Transfer-Encoding: chunked\r\n"), "no body"),
        (upgrade("/health"), "no WebSocket at /health"),
        (upgrade(key=""), "16 bytes"),
        (upgrade(key="c2hvcnQ="), "16 bytes"),
        (upgrade(key="!!not base64!!"), "16 bytes"),
        (upgrade(version="8"), "must be 13"),
        (upgrade().replace(b"Connection: keep-alive, Upgrade\r\n", b""), "Connection: Upgrade"),
        (upgrade().replace(b"HTTP/1.1", b"HTTP/1.0"), "HTTP/1.1 GET"),
        (upgrade().replace(b"GET", b"PUT"), "HTTP/1.1 GET"),
    ],
)
def test_malformed_upgrades_are_refused_with_a_reason(raw: bytes, reason: str) -> None:
    refusal = upgrade_refusal(head(raw), PATHS)
    assert refusal is not None
    assert reason in refusal


# ---------------------------------------------------------------- tracker


def tracker() -> RequestTracker:
    return RequestTracker(head_timeout_s=10, body_timeout_s=30, max_head_bytes=1024)


def test_the_tracker_times_the_head_from_its_first_byte_then_the_body_from_the_head() -> None:
    t = tracker()
    assert (t.phase, t.deadline) == (Phase.IDLE, None)
    assert t.received(b"POST / HTTP/1.1\r\nHost: x\r\n", now=100) == []
    assert (t.phase, t.deadline) == (Phase.HEAD, 110)
    [parsed] = t.received(b"Content-Length: 4\r\n\r\nab", now=105)
    assert parsed.method == "POST"
    assert (t.phase, t.deadline) == (Phase.BODY, 135)
    assert t.received(b"cd", now=106) == []
    assert (t.phase, t.deadline) == (Phase.IDLE, None)  # answered in its own time: no deadline


def test_pipelined_requests_are_each_followed() -> None:
    t = tracker()
    heads = t.received(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HT", now=0)
    assert [h.path for h in heads] == ["/a", "/b"]
    assert (t.phase, t.deadline) == (Phase.HEAD, 10)


def test_an_upgrade_stops_the_clock_and_a_101_stops_the_tracker() -> None:
    t = tracker()
    t.received(upgrade(), now=0)
    assert (t.phase, t.deadline, t.early_data) == (Phase.UPGRADING, None, False)
    t.sent(b"HTTP/1.1 101 \r\n")
    assert t.phase is Phase.DONE
    assert t.received(b"\x81\x00", now=1) == []


def test_an_upgrade_answered_otherwise_starts_the_next_request() -> None:
    t = tracker()
    t.received(upgrade(), now=0)
    t.sent(b"HTTP/1.1 401 \r\n")
    assert t.phase is Phase.IDLE
    assert [h.path for h in t.received(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", now=1)] == ["/"]


def test_data_before_an_upgrade_is_answered_is_early() -> None:
    t = tracker()
    t.received(upgrade() + b"x", now=0)
    assert t.early_data
    later = tracker()
    later.received(upgrade(), now=0)
    later.received(b"x", now=1)
    assert later.early_data


def test_a_head_too_large_or_not_http_stops_the_tracker_with_h11s_reason() -> None:
    t = tracker()
    t.received(b"GET / HTTP/1.1\r\nX: " + b"a" * 2000, now=0)
    assert t.phase is Phase.DONE
    assert t.error is not None
    assert t.error.error_status_hint == 431
    garbage = tracker()
    garbage.received(b"\x00\x01 nonsense\r\n\r\n", now=0)
    assert garbage.phase is Phase.DONE
    assert garbage.error is not None


def test_connection_close_ends_the_tracking() -> None:
    t = tracker()
    t.received(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", now=0)
    assert t.phase is Phase.DONE


# ---------------------------------------------------------------- counts


def test_counts_refuse_beyond_each_cap_and_free_on_exit() -> None:
    counts = ConnectionCounts(max_total=2, max_per_address=1)
    with counts.admit("a"):
        with pytest.raises(LimitReachedError) as per_address:
            counts.admit("a")
        assert per_address.value.reason == "max_connections_per_ip"
        assert counts.total == 1  # the refused one was not counted
        with counts.admit(), pytest.raises(LimitReachedError) as total:
            counts.admit()
        assert total.value.reason == "max_connections"
    assert (counts.total, counts.by_address("a")) == (0, 0)
    unlimited = ConnectionCounts(max_total=0, max_per_address=0)
    with unlimited.admit("a"), unlimited.admit("a"):
        assert unlimited.by_address("a") == 2


def test_an_admission_counts_its_address_once_known_and_gives_its_place_back_once() -> None:
    counts = ConnectionCounts(max_total=0, max_per_address=1)
    behind_proxy = counts.admit()
    behind_proxy.count_address("203.0.113.7")  # from X-Forwarded-For, after the first head
    with pytest.raises(LimitReachedError):
        counts.admit().count_address("203.0.113.7")
    with pytest.raises(RuntimeError):
        behind_proxy.count_address("203.0.113.8")
    behind_proxy.release()
    behind_proxy.release()
    assert counts.by_address("203.0.113.7") == 0
    assert counts.total == 1  # the admission whose address was refused is still held by its connection


# ---------------------------------------------------------------- stream


class RecordingGuard:
    def __init__(self) -> None:
        self.reasons: list[str] = []

    def refusal(self, heads: list[RequestHead], tracker: RequestTracker) -> str | None:
        return "bad" if any(h.path == "/bad" for h in heads) else None

    def refused(self, reason: str) -> None:
        self.reasons.append(reason)


def edge_pair(
    replay: bytes, t: RequestTracker
) -> tuple[
    EdgeStream, trio.StapledStream[trio.testing.MemorySendStream, trio.testing.MemoryReceiveStream], RecordingGuard
]:
    server, client = trio.testing.memory_stream_pair()
    guard = RecordingGuard()
    return EdgeStream(cast("trio.SocketStream", server), replay, t, guard), client, guard


async def test_the_stream_replays_what_was_read_then_reads_the_socket() -> None:
    t = tracker()
    first = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    t.received(first, now=trio.current_time())
    stream, client, _ = edge_pair(first, t)
    assert await stream.receive_some(10) == first[:10]
    assert await stream.receive_some() == first[10:]
    await client.send_all(b"GET /next")
    assert await stream.receive_some() == b"GET /next"
    await stream.send_all(b"HTTP/1.1 200 OK\r\n\r\n")
    assert await client.receive_some() == b"HTTP/1.1 200 OK\r\n\r\n"


async def test_a_body_that_does_not_arrive_in_time_is_answered_408(autojump_clock: trio.testing.MockClock) -> None:
    t = tracker()
    first = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n"
    t.received(first, now=trio.current_time())
    stream, client, guard = edge_pair(b"", t)
    start = trio.current_time()
    with pytest.raises(trio.TooSlowError):
        while True:
            await client.send_all(b"a")  # a byte every 5 s: 50 s for the body, 30 allowed
            await stream.receive_some()
            await trio.sleep(5)
    assert trio.current_time() - start == pytest.approx(30)
    answer = await client.receive_some()
    assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert b'"REQUEST_TIMEOUT"' in answer
    assert guard.reasons == ["body_timeout"]


async def test_a_refused_later_request_never_reaches_the_server() -> None:
    stream, client, guard = edge_pair(b"", tracker())
    await client.send_all(b"GET /bad HTTP/1.1\r\nHost: x\r\n\r\n")
    assert await stream.receive_some() == b""
    assert guard.reasons == ["bad_upgrade"]


async def test_the_stream_has_no_handshake_so_hypercorn_takes_it_for_tcp() -> None:
    stream, _, _ = edge_pair(b"", tracker())
    assert not hasattr(stream, "do_handshake")


# ---------------------------------------------------------------- containment


async def test_a_failing_connection_is_contained_counted_and_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    metrics = Metrics()

    async def failing(stream: EdgeStream) -> None:
        raise ValueError("a bug of ours")

    async def h11_failing(stream: EdgeStream) -> None:
        async with trio.open_nursery() as nursery:  # as Hypercorn's task group raises
            nursery.start_soon(trio.sleep_forever)
            raise h11.LocalProtocolError("Can't send data when our state is ERROR")

    door = FrontDoor(Settings(), metrics, frozenset(), failing, upgrades={"/ws": h11_failing})
    listeners = await trio.open_tcp_listeners(0, host="127.0.0.1")
    caplog.set_level(logging.INFO)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(trio.serve_listeners, door.serve_connection, listeners)
        for request in (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", upgrade("/ws")):
            client = await trio.testing.open_stream_to_socket_listener(listeners[0])
            await client.send_all(request)
            assert await client.receive_some() == b""  # closed, and the server goes on
            await client.aclose()
        nursery.cancel_scope.cancel()
    assert metrics.connection_errors.labels("internal")._value.get() == 1
    assert metrics.connection_errors.labels("protocol")._value.get() == 1
    lines = [r for r in caplog.records if r.name == "checkgame.transport.edge.server"]
    assert [r.getMessage().split(": ", 1)[1] for r in lines] == [
        "ValueError: a bug of ours",
        "LocalProtocolError: Can't send data when our state is ERROR",
    ]
    assert all(not r.exc_info for r in lines)  # a traceback only at DEBUG


def test_routing_sends_an_upgrade_to_its_own_handler_and_the_rest_to_hypercorn() -> None:
    async def hypercorn(stream: EdgeStream) -> None: ...
    async def lean(stream: EdgeStream) -> None: ...

    door = FrontDoor(Settings(), Metrics(), frozenset({"/admin/ws"}), hypercorn, upgrades={"/api/v1/ws": lean})
    assert door.route(head(upgrade())) is lean
    assert door.route(head(b"GET /api/v1/ws HTTP/1.1\r\nHost: x\r\n\r\n")) is hypercorn
    assert door.route(head(upgrade("/admin/ws"))) is hypercorn
    assert door.websocket_paths == {"/admin/ws", "/api/v1/ws"}
