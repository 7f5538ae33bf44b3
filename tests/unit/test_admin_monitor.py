"""The node monitor behind the admin API: connection rows, rates over ~10 s, the drain switch, the report loop."""

from __future__ import annotations

import pytest
import trio

from checkgame.live import MemoryLiveStore
from checkgame.rooms import admin
from checkgame.rooms.admin import CLOSE_DRAINING, ConnectionInfo, NodeMonitor


def _info(connection_id: str, closed: list[tuple[str, int, str]]) -> ConnectionInfo:
    return ConnectionInfo(
        connection_id,
        "p-" + connection_id,
        "Ann",
        "s1",
        100.0,
        close=lambda code, reason: closed.append((connection_id, code, reason)),
        outbox_depth=lambda: 3,
    )


def test_connections_are_listed_while_open_with_the_admin_fields() -> None:
    monitor = NodeMonitor("n1", 50.0, lambda: 200.0)
    with monitor.connected(_info("c1", [])) as info:
        info.rtt_ms = 12.5
        (row,) = monitor.report(200.0)["connections"]
        assert row == {
            "connectionId": "c1",
            "playerId": "p-c1",
            "name": "Ann",
            "sessionId": "s1",
            "node": "n1",
            "connectedAt": 100.0,
            "lastMessageAt": None,
            "rttMs": 12.5,
            "outboxDepth": 3,
            "spectator": False,
        }
    assert monitor.report(201.0)["connections"] == []


def test_rates_are_per_second_over_the_last_ten_seconds() -> None:
    monitor = NodeMonitor("n1", 0.0, lambda: 0.0)
    assert monitor.rates() == {"actionsPerSecond": 0.0, "messagesInPerSecond": 0.0, "messagesOutPerSecond": 0.0}
    for second in range(31):
        if second > 20:  # a burst in the last ten seconds only: 3 frames in, 6 out and 1 action a second
            monitor.counts.messages_in += 3
            monitor.counts.messages_out += 6
            monitor.counts.actions += 1
        monitor.sample(float(second))
    rates = monitor.rates()
    assert rates["messagesInPerSecond"] == 3.0
    assert rates["messagesOutPerSecond"] == 6.0
    assert rates["actionsPerSecond"] == 1.0


def test_draining_closes_every_connection_once_and_undraining_closes_none() -> None:
    closed: list[tuple[str, int, str]] = []
    monitor = NodeMonitor("n1", 0.0, lambda: 0.0)
    with monitor.connected(_info("c1", closed)), monitor.connected(_info("c2", closed)):
        monitor.set_draining(True)
        monitor.set_draining(True)  # already draining: nothing more is closed
        assert sorted(closed) == [("c1", CLOSE_DRAINING, "node draining: reconnect"),
                                  ("c2", CLOSE_DRAINING, "node draining: reconnect")]  # fmt: skip
        monitor.set_draining(False)
        assert len(closed) == 2
    assert monitor.report(0.0)["draining"] is False


async def test_the_loop_follows_drain_requests_and_publishes_reports() -> None:
    live = MemoryLiveStore()
    await live.request_drain("n1", True)  # left over from an earlier process of this node: cleared at start
    clock = trio.current_time
    monitor = NodeMonitor("n1", 0.0, clock)
    async with trio.open_nursery() as nursery:
        await nursery.start(lambda task_status: monitor.run(live, interval_s=0.01, task_status=task_status))
        assert not await live.drain_requested("n1")
        await live.request_drain("n1", True)
        with trio.fail_after(5):
            while not monitor.draining:  # noqa: ASYNC110 -- the loop polls the live store; so does the test
                await trio.sleep(0.01)
            while not (await live.node_reports(clock())).get("n1", {}).get("draining"):  # noqa: ASYNC110
                await trio.sleep(0.01)
        nursery.cancel_scope.cancel()


async def test_a_published_report_lists_a_bounded_number_of_rows_but_counts_them_all(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(admin, "MAX_PUBLISHED_CONNECTIONS", 2)
    live = MemoryLiveStore()
    monitor = NodeMonitor("n1", 0.0, lambda: 10.0)
    with monitor.connected(_info("c1", [])), monitor.connected(_info("c2", [])), monitor.connected(_info("c3", [])):
        await monitor.publish(live)
        assert len(monitor.report(10.0)["connections"]) == 3  # the node itself sees every row
    published = (await live.node_reports(10.0))["n1"]
    assert (published["connectionCount"], len(published["connections"])) == (3, 2)
