"""The peer comparison from end to end at a tiny scale: the Node.js relay and today's echo route, real processes.

It checks that every server produced its figures and that the relay really relayed, never a speed. Node.js and
npm are needed (the relay installs ``ws`` with ``npm ci`` the first time); without them the test is skipped,
unless CHECKGAME_REQUIRE_SERVICES is set (CI), where it fails.
"""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest

from checkgame.loadtest.peers import BASELINE, PEERS, compare, render
from checkgame.loadtest.plan import Plan
from tests.support.services import services_required

pytestmark = pytest.mark.slow

ECHO_PEERS = tuple(peer for peer in PEERS if peer.echo)
"""The game's own load test is tests/integration/test_loadtest_smoke.py: here the transports only."""


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
