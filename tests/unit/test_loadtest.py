"""The load test's arithmetic: percentiles, how tables are shared out, the report."""

from __future__ import annotations

import json

import pytest

from checkgame.loadtest.peers import figures
from checkgame.loadtest.plan import Plan
from checkgame.loadtest.report import ceiling_fraction, render
from checkgame.loadtest.stats import percentile, summarize
from checkgame.loadtest.table import Counters, _Turns


def test_nearest_rank_percentiles():
    samples = [float(v) for v in range(1, 101)]  # 1..100
    assert percentile(samples, 0.50) == 50
    assert percentile(samples, 0.95) == 95
    assert percentile(samples, 0.99) == 99
    assert percentile(samples, 1.0) == 100
    assert percentile([7.0], 0.99) == 7


def test_summary_of_unsorted_samples():
    summary = summarize([5.0, 1.0, 3.0, 2.0, 4.0])
    assert summary == {"n": 5, "mean": 3.0, "p50": 3.0, "p95": 5.0, "p99": 5.0, "max": 5.0}
    assert summarize([]) == {"n": 0}
    with pytest.raises(ValueError, match="no samples"):
        percentile([], 0.5)


def test_tables_are_whole_and_shared_between_workers():
    plan = Plan(url="http://x", players=10, table_size=4, workers=2)
    assert plan.tables == 3
    assert [plan.seats_of(t) for t in range(3)] == [4, 4, 2]  # the last table takes the remainder
    assert sorted(plan.tables_of(0) + plan.tables_of(1)) == [0, 1, 2]
    assert plan.think_s == 0.5  # a table of 4 at one action per 2 s each moves every 0.5 s
    assert Plan.from_json(plan.to_json()) == plan


def test_an_action_counts_once_every_player_of_the_table_has_it():
    counters = Counters()
    turns = _Turns(3, counters)
    turns.sent("ann", 10.0)
    turns.seen("ann", 10.001)
    turns.seen("ann", 10.002)
    assert counters.latencies_ms == []
    turns.seen("ann", 10.004)
    assert counters.latencies_ms == [pytest.approx(4.0)]
    turns.seen("ann", 10.005)  # nothing pending any more
    assert len(counters.latencies_ms) == 1
    turns.sent("bob", 11.0)
    turns.sent("bob", 12.0)  # the first never reached everybody
    assert counters.incomplete == 1


def _result(p99: float, cpu_ms: float, echo: bool = False) -> dict[str, object]:
    return {
        "plan": json.loads(Plan(url="http://x", echo=echo).to_json()),
        "playersConnected": 200,
        "tablesPlaying": 50,
        "windowSeconds": 10.0,
        "actionsPerSecond": 100.0,
        "latencyMs": {"n": 1000, "mean": 2.0, "p50": 1.5, "p95": 3.0, "p99": p99, "max": 9.0},
        "errors": {},
        "errorCount": 0,
        "reconnects": 0,
        "server": {
            "processes": 1,
            "cpuPercent": 30.0,
            "cpuMsPerAction": cpu_ms,
            "rssBytes": 90_000_000,
            "rssBaselineBytes": 70_000_000,
            "rssPerConnectionBytes": 100_000,
            "gcPauses": {"count": 40, "seconds": 0.52, "full": 1, "over10ms": 3, "over100ms": 1},
        },
        "client": {"workers": 2, "cpuPercent": 20.0},
        "helpers": {},
    }


def test_report_table_and_ceiling():
    game, echo = _result(8.0, 3.0), _result(4.0, 1.0, echo=True)
    fraction = ceiling_fraction(game, echo)
    assert fraction == {"cpuPerActionVsEcho": 3.0, "p99VsEcho": 2.0}
    text = render({**game, "echo": echo, "ceilingFraction": fraction})
    assert "p99 8.0" in text
    assert "echo: action → whole table (ms)" in text
    assert "100.0 KB" in text  # RSS per connection
    assert "CPU per action ×3.0, p99 ×2.0" in text
    assert "40 (1 full, 3 over 10 ms, 1 over 100 ms), 0.52 s in all" in text


def _peer_run(cpu_us: float | None, per_action: float | None, rss: int | None) -> dict[str, object]:
    server = {"cpuUsPerMessageSent": cpu_us, "cpuMsPerAction": per_action, "rssPerConnectionBytes": rss}
    server |= {"cpuPercent": 10.0, "cpuWaitPercent": 1.0}
    latency = {"n": 1, "p50": 1.0, "p99": 2.0}
    return {
        "server": server,
        "latencyMs": latency,
        "messagesPerSecond": 100.0,
        "errorCount": 0,
        "seatedAllPlayers": True,
    }


def test_peer_figures_are_ratios_of_the_node_relay():
    node = {"active": _peer_run(25.0, 0.1, 20_000), "idle": _peer_run(None, None, 4_000)}
    ours = {"active": _peer_run(100.0, 0.45, 50_000), "idle": _peer_run(None, None, 44_000)}
    table = figures({"node-ws": node, "checkgame-echo": ours})
    assert table["node-ws"]["cpuUsPerMessageVsNode"] == 1.0
    assert table["checkgame-echo"]["cpuUsPerMessage"] == 100.0
    assert table["checkgame-echo"]["cpuUsPerMessageVsNode"] == 4.0
    assert table["checkgame-echo"]["cpuMsPerActionVsNode"] == 4.5
    assert table["checkgame-echo"]["bytesPerIdleConnectionVsNode"] == 11.0
    assert table["checkgame-echo"]["bytesPerActiveConnectionVsNode"] == 2.5


def test_a_peer_figure_without_the_relays_has_no_ratio():
    ours = {"active": _peer_run(100.0, 0.45, 50_000), "idle": _peer_run(None, None, 44_000)}
    alone = figures({"checkgame-echo": ours})["checkgame-echo"]
    assert alone["cpuUsPerMessage"] == 100.0
    assert alone["cpuUsPerMessageVsNode"] is None  # the relay was not measured in this run
    silent = {"active": _peer_run(0.0, 0.0, 0), "idle": _peer_run(None, None, 0)}
    assert figures({"node-ws": silent, "checkgame-echo": ours})["checkgame-echo"]["cpuUsPerMessageVsNode"] is None
