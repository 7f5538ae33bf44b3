"""The console's pure parts: the remembered connection, the text of server values, the reconnect back-off."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime

import pytest

from admin_tui import config
from admin_tui.client import ApiError
from admin_tui.format import age, card, clock, duration, parse_time, status_text, suit
from admin_tui.stream import BACKOFF_MAX_S, backoff_s


def test_the_connection_is_remembered_owner_only_and_without_a_password(tmp_path):
    path = tmp_path / "deep" / "admin.json"
    config.save(path, config.Remembered("http://h:1", "root", "acc", "ref", "admin"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert config.load(path) == config.Remembered("http://h:1", "root", "acc", "ref", "admin")
    assert set(json.loads(path.read_text())) == {"url", "username", "access_token", "refresh_token", "role"}


def test_saving_again_keeps_the_mode_and_forgetting_drops_only_the_tokens(tmp_path):
    path = tmp_path / "admin.json"
    config.save(path, config.Remembered("http://h:1", "root", "acc", "ref", "admin"))
    config.save(path, config.forget_tokens(config.load(path)))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert config.load(path) == config.Remembered("http://h:1", "root")


def test_a_missing_or_damaged_file_gives_the_defaults(tmp_path):
    assert config.load(tmp_path / "none.json") == config.Remembered()
    (tmp_path / "bad.json").write_text("{not json")
    assert config.load(tmp_path / "bad.json") == config.Remembered()
    (tmp_path / "list.json").write_text("[1, 2]")
    assert config.load(tmp_path / "list.json") == config.Remembered()
    (tmp_path / "odd.json").write_text('{"url": 5, "username": "ann"}')
    assert config.load(tmp_path / "odd.json") == config.Remembered(username="ann")


def test_the_config_path_can_be_chosen_by_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CHECKGAME_ADMIN_CONFIG", str(tmp_path / "x.json"))
    assert config.default_config_path() == tmp_path / "x.json"
    monkeypatch.delenv("CHECKGAME_ADMIN_CONFIG")
    assert config.default_config_path().name == "admin.json"


def test_cards_in_every_shape_the_server_sends():
    assert card({"rank": "7", "suit": "hearts"}) == "7♥"
    assert card({"rank": "Joker", "color": "red"}) == "Joker (red)"
    assert card("QS") == "Q♠"
    assert card(None) == "-"
    assert suit("clubs") == "♣ clubs"
    assert suit(None) == "-"


def test_times_come_as_iso_text_or_epoch_seconds():
    assert parse_time("2026-11-25T20:00:00Z") == datetime(2026, 11, 25, 20, tzinfo=UTC)
    assert parse_time(1_795_636_800) == datetime(2026, 11, 25, 20, tzinfo=UTC)
    assert parse_time("yesterday") is None
    assert parse_time(True) is None
    assert clock(1_795_636_805.5) == "20:00:05"
    assert age(1_795_636_800 - 75, parse_time("2026-11-25T20:00:00Z")) == "1m 15s ago"
    assert age(None, None) == "-"


def test_durations_read_at_a_glance():
    assert duration(4.9) == "4s"
    assert duration(75) == "1m 15s"
    assert duration(3725) == "1h 02m"
    assert duration(2 * 86_400 + 3_600) == "2d 01h"
    assert duration(-3) == "0s"


def test_reconnecting_backs_off_by_doubling_up_to_a_ceiling():
    delays = [backoff_s(attempt) for attempt in range(1, 10)]
    assert delays[:4] == [0.5, 1.0, 2.0, 4.0]
    assert delays == sorted(delays)
    assert max(delays) == BACKOFF_MAX_S


def test_checkgame_admin_is_a_subcommand_that_takes_a_url(capsys):
    from checkgame.cli import build_parser

    args = build_parser().parse_args(["admin", "--url", "http://127.0.0.1:9"])
    assert args.url == "http://127.0.0.1:9"
    assert args.handler.__module__ == "checkgame.cli.console"
    with pytest.raises(SystemExit) as done:
        build_parser().parse_args(["admin", "--help"])
    assert done.value.code == 0
    assert "never the password" in capsys.readouterr().out


def test_which_failures_are_worth_trying_again():
    assert ApiError("UNREACHABLE", "no answer").transient
    assert ApiError("RATE_LIMITED", "slow down", 429).transient
    assert ApiError("HTTP_502", "bad gateway", 502).transient
    assert not ApiError("READ_ONLY", "no", 403).transient
    assert not ApiError("INVALID_TOKEN", "no", 401).transient
    assert ApiError("INVALID_TOKEN", "no", 401).needs_login


def test_the_status_says_why_a_finished_session_has_no_winner() -> None:
    assert status_text({"status": "playing", "endReason": None}) == "playing"
    assert status_text({"status": "finished", "endReason": "live_state_lost"}) == "finished: live state lost"
    assert status_text({"status": "finished", "endReason": "something_new"}) == "finished: something_new"
    assert status_text({}) == "?"
