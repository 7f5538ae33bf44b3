"""A small load test from end to end: a real server process, real worker processes, real WebSockets.

It asserts that the run completes cleanly and reports what docs/performance.md documents, never a speed.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import trio

from checkgame.loadtest.plan import Plan
from checkgame.loadtest.run import run_all
from tests.integration.conftest import Server, open_ws, start_server

RESULT_FIELDS = {
    "plan", "seatedAllPlayers", "windowSeconds", "playersConnected", "tablesPlaying", "actions", "actionsPerSecond",
    "framesPerSecond", "latencyMs", "errors", "errorCount", "reconnects", "incompleteActions", "tournamentsFinished",
    "server", "client", "helpers", "restLatencyMs", "restFailures", "messagesPerSecond",
}  # fmt: skip
SERVER_FIELDS = {
    "processes", "cpuPercent", "cpuWaitPercent", "cpuMsPerAction", "cpuUsPerFrameSent", "rssBytes", "rssBaselineBytes",
    "rssPerConnectionBytes", "gcPauses", "cpuUsPerMessageSent",
}  # fmt: skip


def _check(result: dict[str, object], players: int) -> None:
    assert result.keys() >= RESULT_FIELDS
    assert result["errorCount"] == 0, result["errors"]
    assert result["seatedAllPlayers"] is True
    assert result["playersConnected"] == players
    assert result["actions"] > 0  # type: ignore[operator]
    latency = result["latencyMs"]
    assert isinstance(latency, dict)
    assert {"n", "p50", "p95", "p99", "max"} <= latency.keys()
    assert latency["n"] > 0
    if result["plan"]["echo"]:  # type: ignore[index]
        assert result["restLatencyMs"] == {"n": 0}  # no REST probe: its requests would count as the transport's
    else:
        assert result["restLatencyMs"]["n"] > 0  # type: ignore[index]
    assert result["restFailures"] == 0
    assert result["messagesPerSecond"] > 0  # type: ignore[operator]
    server = result["server"]
    assert isinstance(server, dict)
    assert server.keys() >= SERVER_FIELDS
    assert server["rssBytes"] > 0
    # read from the server's /metrics
    assert server["gcPauses"].keys() == {"count", "seconds", "full", "over10ms", "over100ms"}


@pytest.mark.slow
def test_two_hundred_players_and_the_echo_ceiling_complete_without_errors():
    plan = Plan(url="", players=200, table_size=4, pace_s=1.0, duration_s=3.0, ramp_s=1.0, workers=2, run_id="smoke")
    result = run_all(plan, start="embedded", echo=True, postgres_url="", redis_url="", progress=None)
    _check(result, 200)
    _check(result["echo"], 200)
    assert result["start"] == "embedded"
    assert {"cpuPerActionVsEcho", "p99VsEcho"} <= result["ceilingFraction"].keys()
    assert result["machine"]["cpus"] >= 1


async def test_the_echo_route_is_off_unless_asked_for(server: Server, tmp_path: Path, nursery: trio.Nursery):
    echoing = await start_server(nursery, tmp_path / "echo", bench_echo=True)
    upgrade = {
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version": "13",
    }
    async with httpx.AsyncClient() as http:
        refused = await http.get(server.url + "/bench/echo?room=a", headers=upgrade)
    assert refused.status_code == 400  # no WebSocket at that path on this node
    assert "/bench/echo" in refused.json()["error"]["message"]
    async with open_ws(echoing.url.replace("http", "ws", 1) + "/bench/echo?room=a") as echo:
        await echo.send_message("hello")
        assert await echo.get_message() == "hello"
    echoing.stop.set()


async def test_the_echo_route_relays_to_the_whole_room_only(nursery: trio.Nursery, tmp_path: Path):
    node = await start_server(nursery, tmp_path, bench_echo=True)
    base = node.url.replace("http", "ws", 1) + "/bench/echo?room="
    async with (
        open_ws(base + "a") as ann,
        open_ws(base + "a") as bob,
        open_ws(base + "b") as eve,
    ):
        await trio.sleep(0.05)  # both are in room a before the frame is sent
        await ann.send_message('{"turn": 1}')
        assert await ann.get_message() == '{"turn": 1}'
        assert await bob.get_message() == '{"turn": 1}'
        with trio.move_on_after(0.2) as waited:
            await eve.get_message()
        assert waited.cancelled_caught  # another room hears nothing
    node.stop.set()
