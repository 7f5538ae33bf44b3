"""A short chaos soak (``checkgame loadtest --start cluster --chaos``): bots play on two nodes behind nginx while
a node is killed, every node is rolled, Redis is paused and PostgreSQL refuses connections; a real Prometheus
computes the objectives. No game may be lost and no node may die except the ones the soak killed.
Never a speed: the objectives' values are reported, not asserted."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.services import require, services_required


def _require_tools() -> None:
    missing = [tool for tool in ("nginx", "prometheus", "redis-server", "psql") if shutil.which(tool) is None]
    if missing:
        if services_required():
            pytest.fail(f"the chaos soak needs {', '.join(missing)} (CHECKGAME_REQUIRE_SERVICES is set)")
        pytest.skip(f"the chaos soak needs {', '.join(missing)}")


@pytest.mark.slow
@pytest.mark.cluster
def test_a_short_chaos_soak_loses_no_game_and_crashes_no_node(tmp_path: Path) -> None:
    postgres_url = require("postgres")
    _require_tools()
    out = tmp_path / "soak.json"
    command = [sys.executable, "-m", "checkgame", "loadtest", "--start", "cluster", "--chaos", "--duration", "75"]
    command += ["--players", "9", "--table-size", "3", "--postgres-url", postgres_url, "--json", str(out)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=400, check=False)
    assert out.exists(), run.stdout + run.stderr
    result = json.loads(out.read_text())
    print(run.stdout)

    assert [f["name"].split()[0] for f in result["faults"]] == ["kill", "rolling", "Redis", "PostgreSQL"]
    objectives = result["objectives"]
    assert set(objectives) == {"rest-availability", "move-latency", "game-continuity"}
    assert objectives["move-latency"]["events"] > 0, "Prometheus counted no move: the soak measured nothing"
    assert result["tournamentsFinished"] > 0, result
    assert result["gamesLost"] == 0, result["lost"]
    assert result["resultsMissing"] == [], result["resultsMissing"]
    crashes = result["crashes"]  # unprompted exits, and drains after SIGTERM that did not exit 0
    assert crashes == [], json.dumps(crashes, indent=1)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_soak_counts_events_with_the_recording_rules_own_definitions() -> None:
    from checkgame.loadtest.chaos import _indicators

    indicators = _indicators()
    assert set(indicators) == {"rest-availability", "move-latency", "game-continuity"}
    for exprs in indicators.values():
        counted = [exprs["slo:events:rate5m"], exprs["slo:bad_events:rate5m"]]
        assert all("[5m]" in expr and "rate(" in expr for expr in counted)


@pytest.mark.parametrize("target", [["--start", "redis"], ["--url", "http://127.0.0.1:9"]])
def test_the_soak_only_runs_on_a_cluster_it_starts(target: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    from checkgame.cli import main

    assert main(["loadtest", "--chaos", *target]) == 2
    assert "--chaos starts its own cluster; use it with --start cluster" in capsys.readouterr().err
