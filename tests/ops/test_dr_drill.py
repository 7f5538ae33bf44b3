"""The disaster-recovery drill, short: pgBackRest to a local S3 server (moto behind TLS), destroy, PITR, validate.

Also the backup scripts' refusals, which need no server.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from checkgame.drill.run import SCRIPTS, DrillReport, run_drill
from tests.support.services import services_required


def _require(tool: str) -> None:
    if shutil.which(tool) is None:
        if services_required():
            pytest.fail(f"{tool} is not installed (CHECKGAME_REQUIRE_SERVICES is set)")
        pytest.skip(f"{tool} is not installed")


@pytest.mark.slow
@pytest.mark.postgres
def test_a_short_drill_restores_to_the_target_and_meets_rto_and_rpo() -> None:
    for tool in ("pgbackrest", "moto_server", "nginx"):
        _require(tool)
    report = run_drill(tables=5, write_s=2.0, archive_timeout_s=5)
    print("\n".join(report.lines()))
    assert report.problems == []
    assert report.passed
    assert report.tables_at_target > 5  # the full backup's tables and those of the WAL replayed after it
    assert report.tables_lost > 0  # written after the target, discarded by restoring to it
    assert report.rpo_s > 0
    assert report.rto_s > 0
    assert set(report.steps) >= {"full backup (local + S3)", "differential backup (S3)", "restore from S3"}


def test_the_verdict_fails_on_a_missed_target_or_any_problem() -> None:
    met = DrillReport(rto_s=10, rpo_s=5, rto_target_s=3600, rpo_target_s=900)
    assert met.passed
    assert met.lines()[-3:] == [
        "RTO 10.0 s (target < 3600 s): met",
        "RPO 5.0 s (target < 900 s): met",
        "dr-drill: PASSED",
    ]
    slow = DrillReport(rto_s=4000, rpo_s=5)
    assert not slow.passed
    assert "RTO 4000.0 s (target < 3600 s): MISSED" in slow.lines()
    assert not DrillReport(rto_s=10, rpo_s=901).passed
    broken = DrillReport(rto_s=10, rpo_s=5, problems=["table games: expected 3 x, restored 2 y"])
    assert not broken.passed
    assert broken.lines()[-1] == "dr-drill: FAILED"


@pytest.mark.parametrize(
    ("script", "args", "message"),
    [
        ("backup.sh", [], "usage: backup.sh full|diff|incr"),
        ("backup.sh", ["weekly"], "usage: backup.sh full|diff|incr"),
        ("restore.sh", [], "usage: restore.sh --yes"),
        ("restore.sh", ["--yes", "--time", "yesterday"], "--time must be 'YYYY-MM-DD HH:MM:SS+00'"),
        ("restore.sh", ["--yes", "--repo", "s3"], "the repository must be a number"),
    ],
)
def test_the_scripts_refuse_bad_arguments_before_touching_anything(
    script: str, args: list[str], message: str, tmp_path: Path
) -> None:
    done = subprocess.run(["bash", str(SCRIPTS / script), *args], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 1
    assert message in done.stderr
    assert list(tmp_path.iterdir()) == []
