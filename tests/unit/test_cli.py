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


def test_simulate_pits_levels_against_each_other_with_wilson_intervals(capsys):
    argv = ["simulate", "--levels", "normal,easy", "--games", "40", "--players", "2", "--seed", "3", "--quiet"]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].startswith("games            40 at 2-player tables")
    assert lines[2].split() == ["level", "seats", "not", "lost", "rate", "95%", "CI", "(Wilson)"]
    normal, easy = lines[3].split(), lines[4].split()
    assert (normal[0], normal[1], easy[0], easy[1]) == ("normal", "40", "easy", "40")
    assert int(normal[2]) + int(easy[2]) == 40  # one loser per game
    assert lines[-1] == "equally strong levels would each score 50.0%"
    assert err == ""
    assert main(argv) == 0  # the same seed plays the same match (only the time differs)
    again = capsys.readouterr().out.splitlines()
    assert again[1:] == lines[1:]
    assert again[0].rsplit(",", 1)[0] == lines[0].rsplit(",", 1)[0]


def test_simulate_refuses_levels_it_cannot_seat(capsys):
    assert main(["simulate", "--levels", "easy,normal,hard", "--players", "2", "--quiet"]) == 2
    assert "3 levels need --players 3 or more" in capsys.readouterr().err
    assert main(["simulate", "--levels", "easy,normal", "--tournament", "--quiet"]) == 2
    assert "--levels plays single games" in capsys.readouterr().err


def test_an_unknown_level_is_refused_with_the_known_ones(capsys):
    with pytest.raises(SystemExit):
        main(["bot", "--level", "expert"])
    assert "unknown computer player level 'expert'; use easy, normal, hard" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["simulate", "--levels", "normal"],
        ["simulate", "--levels", "hard,hard"],
        ["simulate", "--levels", "hard,expert"],
        ["simulate", "--playouts", "0"],
        ["bot", "--level", "expert"],
        ["bot", "--move-budget", "0"],
        ["bot", "--playouts", "-1"],
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


def test_a_load_test_that_cannot_start_its_servers_says_why_in_one_line(monkeypatch, capsys):
    import checkgame.loadtest.run as run
    from checkgame.loadtest.servers import SetupError

    def missing_nginx(*args: object, **kwargs: object) -> None:
        raise SetupError("the cluster run needs nginx on PATH (apt install nginx)")

    monkeypatch.setattr(run, "run_all", missing_nginx)

    assert main(["loadtest", "--start", "cluster", "--players", "8", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err == "checkgame loadtest: the cluster run needs nginx on PATH (apt install nginx)\n"
