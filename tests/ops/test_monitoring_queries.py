"""Every Grafana panel and Prometheus alert queries metrics the server really exports."""

from __future__ import annotations

import pytest

from checkgame.observability.metrics import Metrics
from tests.ops.promql_names import (
    alert_queries,
    dashboard_queries,
    exported_by_exposition,
    exported_by_registry,
    metric_names,
    recorded_names,
    recording_queries,
    unknown_metrics,
)


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        ('sum(up{job="checkgame", instance=~"$instance"})', {"up"}),
        (
            'histogram_quantile(0.95, sum by (le, operation) (rate(checkgame_db_query_duration_seconds_bucket{job="x"}'
            "[$__rate_interval])))",
            {"checkgame_db_query_duration_seconds_bucket"},
        ),
        ("a_total / on(instance) group_left b > 450 * 1024 and c offset 5m", {"a_total", "b", "c"}),
        ('count without (code) (rate(x{code=~"5.."}[5m:1m])) > bool 3', {"x"}),
        (
            "sum_over_time(slo:bad_events:rate5m[1h]) / on(slo) (1 - slo:objective:ratio) > 14.4 or vector(0)",
            {"slo:bad_events:rate5m", "slo:objective:ratio"},
        ),
    ],
)
def test_metric_names_are_found_in_promql(expr: str, names: set[str]) -> None:
    assert metric_names(expr) == names


def test_the_dashboards_and_alerts_have_queries() -> None:
    assert len(dashboard_queries()) >= 20
    assert {"CheckGameNodeDown", "CheckGameHighErrorRate", "PostgresDown", "RedisDown"} <= set(alert_queries())


def test_the_objectives_are_recorded_and_alerted_on() -> None:
    assert {"slo:objective:ratio", "slo:sli_error:ratio_rate5m", "slo:sli_error:ratio_rate30d"} <= recorded_names()
    assert {"CheckGameErrorBudgetFastBurn", "CheckGameErrorBudgetSlowBurn"} <= set(alert_queries())


def test_a_recording_rule_on_a_metric_nobody_exports_is_reported() -> None:
    exported = exported_by_registry(Metrics().registry) - {"checkgame_move_broadcast_seconds_bucket"}
    found = unknown_metrics(exported)
    assert found["record slo:bad_events:rate5m {'slo': 'move-latency'}"] == {"checkgame_move_broadcast_seconds_bucket"}
    assert len(recording_queries()) >= 16


def test_every_query_uses_metrics_the_server_exports() -> None:
    assert unknown_metrics(exported_by_registry(Metrics().registry)) == {}


def test_a_query_on_a_metric_nobody_exports_is_reported() -> None:
    exported = exported_by_registry(Metrics().registry) - {"active_games_total"}
    assert unknown_metrics(exported) == {"checkgame.json: Active games [A]": {"active_games_total"}}


def test_the_exposition_and_the_registry_declare_the_same_names() -> None:
    from prometheus_client import generate_latest

    metrics = Metrics()
    page = generate_latest(metrics.registry).decode()
    assert exported_by_exposition(page) == exported_by_registry(metrics.registry)
