"""The peer comparison from end to end at a tiny scale: the Node.js relay and today's echo route, real processes.

It checks that every server produced its figures and that the relay really relayed, never a speed. Node.js and
npm are needed (the relay installs ``ws`` with ``npm ci`` the first time); without them the test is skipped,
unless CHECKGAME_REQUIRE_SERVICES is set (CI), where it fails.
"""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest
import trio
from trio_websocket import ConnectionClosed, open_websocket_url

from checkgame.loadtest.peers import BASELINE, PEERS, compare, render
from checkgame.loadtest.plan import Plan
from checkgame.loadtest.servers import start_servers
from tests.support.services import services_required

pytestmark = pytest.mark.slow

ECHO_PEERS = tuple(peer for peer in PEERS if peer.echo)
"""The game's own load test is tests/integration/test_loadtest_smoke.py: here the transports only."""
BIG_FRAME = "x" * 60_000
"""Under the relay's 64 KiB message limit."""
FLOOD_FRAMES = 1000
"""60 MB: more than loopback's socket buffers (a few MB each way) and 256 frames of outbox together."""


@pytest.fixture(autouse=True)
def _node_and_npm() -> None:
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        message = f"the Node.js relay needs {' and '.join(missing)} on PATH"
        if services_required():
            pytest.fail(f"{message} (CHECKGAME_REQUIRE_SERVICES is set)")
        pytest.skip(message)


def test_each_transport_gets_figures_and_the_relay_relays():
    plan = Plan(url="", players=40, table_size=4, pace_s=1.0, duration_s=3.0, ramp_s=0.5, run_id="peers")
    results = compare(plan, replace(plan, duration_s=1.0), ECHO_PEERS)

    assert {peer.name for peer in ECHO_PEERS} == results["peers"].keys() == results["figures"].keys()
    relay = results["peers"][BASELINE]["active"]
    assert relay["latencyMs"]["n"] > 0  # moves reached every seat of their table through the relay
    assert relay["messagesPerSecond"] >= 3 * relay["actionsPerSecond"] > 0  # each one to the table (of 4)
    assert relay["server"]["gcPauses"] is None  # no checkgame /metrics: the relay, not one of our servers
    for name, peer in results["peers"].items():
        for run in ("active", "idle"):
            assert peer[run]["errorCount"] == 0, (name, run, peer[run]["errors"])
            assert peer[run]["seatedAllPlayers"], (name, run)
            assert peer[run]["playersConnected"] == 40, (name, run)
        row = results["figures"][name]
        assert row["cpuUsPerMessage"] is not None, name
        assert row["cpuUsPerMessageVsNode"] is not None, name  # the relay's CPU was read from /proc too
        assert isinstance(row["bytesPerIdleConnection"], int), name  # memory: any sign, a few pages at this size
    assert "Node.js + ws relay" in render(results)


async def test_the_relay_drops_a_reader_that_falls_behind_and_keeps_relaying_to_the_others():
    with start_servers("node-relay", postgres_url="", redis_url="") as relay:
        room = relay.url.replace("http", "ws", 1) + "/bench/echo?room=r"
        async with (
            open_websocket_url(room, message_queue_size=0) as stalled,  # reads nothing once a message waits
            open_websocket_url(room) as reader,
        ):
            await trio.sleep(0.05)
            for _ in range(FLOOD_FRAMES):  # past the kernel's socket buffers and the relay's 256 queued frames
                await reader.send_message(BIG_FRAME)
                assert await reader.get_message() == BIG_FRAME
            received = 0
            with pytest.raises(ConnectionClosed), trio.fail_after(10):
                while True:
                    await stalled.get_message()
                    received += 1
            await stalled._close_stream()  # trio-websocket 0.12 may leave it open after a server close
            assert received < FLOOD_FRAMES - 256  # what the kernel held, then the relay dropped it
            await reader.send_message("still here")
            assert await reader.get_message() == "still here"
