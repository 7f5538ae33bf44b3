"""Which metrics the Grafana dashboards and Prometheus rules query, and which ones the server exports.

A panel or alert on a metric nobody exports shows "No data" or never fires, and nothing else notices: these
helpers let a test (against the :class:`~checkgame.observability.metrics.Metrics` registry) and
``.ci/validate-ops`` (against a running server's ``/metrics``) compare the two.

Run ``python -m tests.ops.promql_names EXPOSITION_FILE`` to check the queries against a scraped ``/metrics``.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path

import yaml
from prometheus_client import CollectorRegistry

ROOT = Path(__file__).resolve().parents[2]
DASHBOARDS = sorted((ROOT / "deploy" / "grafana" / "dashboards").glob("*.json"))
RULE_FILES = (ROOT / "deploy" / "prometheus" / "alerts.yml", ROOT / "deploy" / "prometheus" / "slo.yml")
SCRAPED_BY_PROMETHEUS = {"up", "scrape_duration_seconds", "scrape_samples_scraped"}
"""Series Prometheus makes itself for every target."""
EXPORTER_PREFIXES = ("pg_", "redis_")
"""The PostgreSQL and Redis exporters' metrics, which only dependency alerts use."""

_KEYWORDS = {"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right"}
_SUFFIXES = {
    "counter": ("_total", "_created"),
    "gauge": ("",),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "summary": ("", "_count", "_sum", "_created"),
    "info": ("_info",),
    "stateset": ("",),
    "gaugehistogram": ("_bucket", "_gcount", "_gsum"),
    "untyped": ("",),
    "unknown": ("",),
}


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (not functions, keywords, labels or Grafana variables)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # label values and strings
    text = re.sub(r"\{[^}]*\}", " ", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)  # range and subquery windows
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\$\{?\w+\}?", " ", text)  # $__rate_interval, ${instance}
    names: set[str] = set()
    for match in re.finditer(r"(?<![\w.])([A-Za-z_:][\w:]*)(\s*\()?", text):
        name, is_call = match.group(1), match.group(2)
        if not is_call and name not in _KEYWORDS and not re.fullmatch(r"\d+[smhdwy]", name):
            names.add(name)
    return names


def dashboard_queries(paths: Iterable[Path] = DASHBOARDS) -> dict[str, str]:
    """``"<file>: <panel title> [refId]"`` → PromQL, for every target of every panel (rows included)."""
    queries: dict[str, str] = {}
    for path in paths:
        dashboard = json.loads(path.read_text())
        panels = list(dashboard.get("panels", []))
        while panels:
            panel = panels.pop(0)
            panels.extend(panel.get("panels", []))
            for target in panel.get("targets", []):
                queries[f"{path.name}: {panel['title']} [{target['refId']}]"] = target["expr"]
    return queries


def _rules(paths: Iterable[Path]) -> list[dict[str, str]]:
    return [rule for path in paths for group in yaml.safe_load(path.read_text())["groups"] for rule in group["rules"]]


def alert_queries(paths: Iterable[Path] = RULE_FILES) -> dict[str, str]:
    """Alert name → PromQL."""
    return {rule["alert"]: rule["expr"] for rule in _rules(paths) if "alert" in rule}


def recording_queries(paths: Iterable[Path] = RULE_FILES) -> dict[str, str]:
    """``"record <name> <labels>"`` → PromQL, for every recording rule (several may record one name)."""
    return {
        f"record {rule['record']} {rule.get('labels', {})}": rule["expr"] for rule in _rules(paths) if "record" in rule
    }


def recorded_names(paths: Iterable[Path] = RULE_FILES) -> set[str]:
    """The series the recording rules make, which dashboards and alerts may query like exported ones."""
    return {rule["record"] for rule in _rules(paths) if "record" in rule}


def exported_by_registry(registry: CollectorRegistry) -> set[str]:
    """Every sample name the registry can expose, labelled families without children included."""
    return {family.name + suffix for family in registry.collect() for suffix in _SUFFIXES[family.type]}


def exported_by_exposition(text: str) -> set[str]:
    """Every sample name a ``/metrics`` page declares (from its ``# TYPE`` lines, so unobserved ones count)."""
    names: set[str] = set()
    for name, kind in re.findall(r"^# TYPE (\S+) (\S+)$", text, flags=re.MULTILINE):
        base = name.removesuffix({"counter": "_total", "info": "_info"}.get(kind, ""))
        names.update(base + suffix for suffix in _SUFFIXES[kind])
    return names


def unknown_metrics(exported: set[str]) -> dict[str, set[str]]:
    """Query label → the names it uses that are neither exported, recorded, nor made by Prometheus or the exporters."""
    found: dict[str, set[str]] = {}
    queries = {**dashboard_queries(), **{f"alert {k}": v for k, v in alert_queries().items()}, **recording_queries()}
    known = exported | recorded_names() | SCRAPED_BY_PROMETHEUS
    for label, expr in queries.items():
        unknown = {
            name
            for name in metric_names(expr) - known
            if not (label.startswith("alert ") and name.startswith(EXPORTER_PREFIXES))
        }
        if unknown:
            found[label] = unknown
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tests.ops.promql_names SCRAPED_METRICS_FILE", file=sys.stderr)
        return 2
    exported = exported_by_exposition(Path(argv[0]).read_text())
    unknown = unknown_metrics(exported)
    for label, names in sorted(unknown.items()):
        print(f"{label}: not exported by the server: {', '.join(sorted(names))}")
    queries = len(dashboard_queries()) + len(alert_queries()) + len(recording_queries())
    print(
        f"{queries} dashboard, alert and recording-rule queries checked against {len(exported)} exported series names"
    )
    return 1 if unknown else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
