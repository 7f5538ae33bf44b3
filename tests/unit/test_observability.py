"""The observability parts on their own: the broadcast timer, log redaction and format, the backend proxies."""

from __future__ import annotations

import gc
import io
import json
import logging
import sys
from collections.abc import Iterator

import pytest
from msgspec.structs import replace

from checkgame import protocol
from checkgame.errors import DuplicateError, RateLimitedError, StoreUnavailableError
from checkgame.live.memory import MemoryLiveStore
from checkgame.observability.gcpauses import watch_gc_pauses
from checkgame.observability.instrument import instrument_live, instrument_rate_limiter, instrument_store
from checkgame.observability.logs import (
    JsonFormatter,
    TextFormatter,
    configure_logging,
    conn_id,
    redact,
    request_id,
    valid_request_id,
)
from checkgame.observability.metrics import Metrics
from checkgame.ratelimit import MemoryRateLimiter
from checkgame.sessions import EndSession, Entry, Join, Seat, SessionSettings, Start, apply, new_session

# -- metrics


def test_label_children_are_bound_once() -> None:
    metrics = Metrics()
    assert metrics.sent("pong") is metrics.sent("pong")
    metrics.action("play", "accepted").inc()
    assert metrics.registry.get_sample_value("checkgame_actions_total", {"type": "play", "result": "accepted"}) == 1


# -- logs

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJlLWJ5dGVz"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"GET /api/v1/ws?token={JWT}&lastSeq=3", JWT),
        ("GET /api/v1/ws?token=opaque-value&lastSeq=3", "opaque-value"),
        ("Authorization: Bearer opaque-value", "opaque-value"),
        ("[(b'authorization', b'Bearer opaque-value')]", "opaque-value"),
        ('{"username": "bob", "password": "hunter2-secret"}', "hunter2-secret"),
        ("{'refreshToken': 'opaque-value', 'n': 1}", "opaque-value"),
        ('{"sessionToken":"opaque-value"}', "opaque-value"),
        ('{"hand": ["7H", "QS", "JD"], "turn": 2}', '"7H", "QS", "JD"'),
        ('{"hands": {"p1": ["7H"], "p2": ["QS", "JD"]}}', '"QS", "JD"'),
        (f"bare {JWT} in text", JWT),
    ],
)
def test_redaction_removes_secrets_and_hands(text: str, secret: str) -> None:
    cleaned = redact(text)
    assert secret not in cleaned
    assert "[REDACTED]" in cleaned


def test_redaction_keeps_ordinary_text() -> None:
    text = "GET /api/v1/sessions/<session_id> 200 3.10ms; 4 tokens left in the bucket"
    assert redact(text) == text


@pytest.mark.parametrize(
    ("candidate", "valid"),
    [("abc-123_x.y:z", True), ("a" * 64, True), ("a" * 65, False), ("", False), ("bad id", False), ("x\n", False)],
)
def test_only_safe_request_ids_are_kept(candidate: str, valid: bool) -> None:
    assert (valid_request_id(candidate) == candidate) is valid


def _record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("checkgame.test", logging.INFO, __file__, 1, message, args, None)
    record.__dict__.update(extra)
    return record


def test_a_json_line_has_the_fields_and_the_ids_of_its_context() -> None:
    formatter = JsonFormatter("node-a")
    request_token, conn_token = request_id.set("req-1"), conn_id.set("conn-1")
    try:
        line = json.loads(formatter.format(_record("hello %s", "world", route="/x", status=200)))
    finally:
        request_id.reset(request_token)
        conn_id.reset(conn_token)
    assert line["msg"] == "hello world"
    assert line["level"] == "info"
    assert line["logger"] == "checkgame.test"
    assert line["node"] == "node-a"
    assert line["request_id"] == "req-1"
    assert line["conn_id"] == "conn-1"
    assert line["route"] == "/x"
    assert line["status"] == 200
    assert line["ts"].endswith("+00:00")
    assert "request_id" not in json.loads(formatter.format(_record("outside")))


def test_formatters_redact_messages_extra_fields_and_tracebacks() -> None:
    try:
        raise ValueError(f"bad token {JWT}")
    except ValueError:
        exc_info = sys.exc_info()
    record = _record("login %s", {"password": "hunter2-secret"}, header=f"Bearer {JWT}")
    record.exc_info = exc_info
    for formatter in (JsonFormatter("n"), TextFormatter()):
        text = formatter.format(record)
        assert JWT not in text
        assert "hunter2-secret" not in text


@pytest.fixture
def root_logger() -> Iterator[logging.Logger]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_auto_format_is_text_on_a_terminal_and_json_elsewhere(root_logger: logging.Logger) -> None:
    terminal, pipe = Terminal(), io.StringIO()
    configure_logging("info", "auto", "n", stream=terminal)
    logging.getLogger("checkgame.t").info("one")
    configure_logging("debug", "auto", "n", stream=pipe)
    logging.getLogger("checkgame.t").debug("two")
    assert "INFO checkgame.t: one" in terminal.getvalue()
    assert json.loads(pipe.getvalue())["msg"] == "two"
    assert root_logger.handlers == [root_logger.handlers[0]]  # replaced, not added


def test_an_unknown_format_or_level_is_refused_before_anything_changes(root_logger: logging.Logger) -> None:
    before = root_logger.handlers[:]
    with pytest.raises(ValueError, match="log format"):
        configure_logging("info", "yaml", "n", stream=io.StringIO())
    with pytest.raises(ValueError):
        configure_logging("loud", "json", "n", stream=io.StringIO())
    assert root_logger.handlers == before


# -- backend proxies


class FakeStore:
    """Just enough of a store to see what the proxy times and counts."""

    version = "x"

    async def ping(self) -> None:
        pass

    async def create_user(self, fail: Exception | None = None) -> None:
        if fail is not None:
            raise fail


def _sample(metrics: Metrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


async def test_the_store_proxy_times_each_operation_and_counts_only_failures() -> None:
    metrics = Metrics()
    store: FakeStore = instrument_store(FakeStore(), metrics)  # type: ignore[arg-type,assignment]
    await store.ping()
    await store.ping()
    with pytest.raises(DuplicateError):
        await store.create_user(DuplicateError("username"))
    with pytest.raises(StoreUnavailableError):
        await store.create_user(StoreUnavailableError("down"))
    assert store.version == "x"
    assert _sample(metrics, "checkgame_db_query_duration_seconds_count", operation="ping") == 2
    assert _sample(metrics, "checkgame_db_query_duration_seconds_count", operation="create_user") == 2
    assert _sample(metrics, "checkgame_db_errors_total", operation="create_user") == 1  # the refusal is no error
    assert _sample(metrics, "checkgame_db_errors_total", operation="ping") == 0


async def test_the_live_proxy_counts_sessions_conflicts_and_finished_games() -> None:
    metrics = Metrics()
    live = instrument_live(MemoryLiveStore(), metrics, redis=True)
    state = new_session("s1", Seat("p1", "Ann"), 7, SessionSettings(), 0.0)
    await live.create(state)
    ended = Entry(1, protocol.GameFinished("p2", ("p1", "p2"), "last_player"), 0.0)
    assert await live.commit(0, replace(state, version=1, seq=1), [ended])
    assert not await live.commit(0, replace(state, version=1, seq=1), [ended])  # stale: a conflict
    assert _sample(metrics, "checkgame_sessions_created_total") == 1
    assert _sample(metrics, "checkgame_live_commit_conflicts_total") == 1
    assert _sample(metrics, "checkgame_games_finished_total", reason="last_player") == 1
    assert _sample(metrics, "checkgame_redis_command_duration_seconds_count", operation="commit") == 2
    assert (await live.load("s1")) is not None  # everything else passes through
    assert _sample(metrics, "checkgame_redis_command_duration_seconds_count", operation="load") == 1


async def test_the_rate_limiter_proxy_counts_refusals_by_limit() -> None:
    metrics = Metrics()
    limiter = instrument_rate_limiter(MemoryRateLimiter(lambda: 0.0), metrics, redis=False)
    await limiter.hit("auth:203.0.113.9", 1, 60.0)
    with pytest.raises(RateLimitedError):
        await limiter.hit("auth:203.0.113.9", 1, 60.0)
    await limiter.reset("auth:203.0.113.9")
    await limiter.hit("auth:203.0.113.9", 1, 60.0)
    assert _sample(metrics, "checkgame_rate_limited_total", limit="auth") == 1


async def test_a_game_abandoned_by_an_administrator_counts_as_ended_by_admin() -> None:
    metrics = Metrics()
    live = instrument_live(MemoryLiveStore(), metrics, redis=False)
    state = new_session("s1", Seat("p1", "Ann"), 7, SessionSettings(), 0.0)
    await live.create(state)
    for command in (Join("p2", "Bob"), Start("p1"), EndSession("maintenance")):
        outcome = apply(state, command, 1.0)
        assert await live.commit(state.version, outcome.state, outcome.entries)
        state = outcome.state
    assert _sample(metrics, "checkgame_games_finished_total", reason="ended_by_admin") == 1
    assert _sample(metrics, "checkgame_redis_command_duration_seconds_count", operation="commit") == 0  # memory


def test_every_garbage_collection_is_timed_by_generation_while_watched() -> None:
    metrics = Metrics()
    count = metrics.registry.get_sample_value
    with watch_gc_pauses(metrics.gc_pauses):
        gc.collect(2)
        gc.collect(0)
    full = count("checkgame_gc_pause_seconds_count", {"generation": "2"})
    assert full is not None
    assert full >= 1
    assert (count("checkgame_gc_pause_seconds_count", {"generation": "0"}) or 0) >= 1
    assert (count("checkgame_gc_pause_seconds_sum", {"generation": "2"}) or 0) > 0
    gc.collect(2)  # the watch has ended: nothing more is counted
    assert count("checkgame_gc_pause_seconds_count", {"generation": "2"}) == full
