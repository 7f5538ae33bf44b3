"""The ``checkgame simulate`` command, in process and as ``python -m checkgame``."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from checkgame import __version__, simulate
from checkgame.cli import ProgressBar, main


def test_simulate_quiet_prints_the_report_only(capsys):
    assert main(["simulate", "--games", "5", "--players", "3", "--seed", "4", "--quiet"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0] == "games            5"
    assert "unfinished       0" in lines
    assert lines[-1].startswith("games ended on   ")
    assert err == ""


def test_simulate_shows_a_progress_bar_on_stderr(capsys):
    assert main(["simulate", "--games", "3", "--players", "2"]) == 0
    out, err = capsys.readouterr()
    assert "games            3" in out
    assert err.endswith("/s)\n")
    last = err.rsplit("\r", 1)[-1]  # the bar redraws itself on one line
    assert last.startswith("simulating games [" + "#" * 30 + "] 3/3 (")


def test_simulate_tournaments(capsys):
    assert main(["simulate", "--games", "2", "--players", "3", "--tournament", "--quiet"]) == 0
    out, _ = capsys.readouterr()
    assert out.splitlines()[0] == "games            4 in 2 tournaments"


def test_simulate_exits_with_1_when_a_game_did_not_finish(capsys, monkeypatch):
    monkeypatch.setattr(simulate, "MAX_ACTIONS_PER_GAME", 1)
    assert main(["simulate", "--games", "1", "--quiet"]) == 1
    assert "unfinished       1" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["simulate", "--games", "0"],
        ["simulate", "--games", "x"],
        ["simulate", "--players", "1"],
        ["simulate", "--players", "9"],
        ["simulate", "--seed", "one"],
        [],
        ["nonsense"],
    ],
)
def test_bad_arguments_exit_with_status_2(argv, capsys):
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_version(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"checkgame {__version__}"


def test_the_progress_bar_always_draws_the_end():
    stream = io.StringIO()
    bar = ProgressBar("working", stream)
    bar(4, 4)
    text = stream.getvalue()
    assert text.startswith("\rworking [" + "#" * 30 + "] 4/4 (")
    assert text.endswith("/s)\n")


def test_the_progress_bar_of_an_empty_run():
    stream = io.StringIO()
    ProgressBar("nothing", stream)(0, 0)
    assert stream.getvalue().startswith("\rnothing [" + "." * 30 + "] 0/0")


def test_python_dash_m_checkgame_simulate():
    done = subprocess.run(
        [sys.executable, "-m", "checkgame", "simulate", "--games", "5", "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "games            5"
    assert "unfinished       0" in lines
    assert any(line.startswith("actions/s ") for line in lines)
    assert done.stderr == ""
