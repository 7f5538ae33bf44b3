"""The results of a run as a table for people; the JSON form is the results dict itself."""

from __future__ import annotations

from typing import Any

__all__ = ["ceiling_fraction", "render"]


def _mb(value: float | None) -> str:
    return "-" if value is None else f"{value / 1_000_000:.1f} MB"


def _kb(value: float | None) -> str:
    return "-" if value is None else f"{value / 1000:.1f} KB"


def ceiling_fraction(game: dict[str, Any], echo: dict[str, Any]) -> dict[str, float | None]:
    """How the game compares with the bare transport: server CPU per action and p99 latency, as ratios."""
    game_cpu, echo_cpu = game["server"]["cpuMsPerAction"], echo["server"]["cpuMsPerAction"]
    game_p99, echo_p99 = game["latencyMs"].get("p99"), echo["latencyMs"].get("p99")
    return {
        "cpuPerActionVsEcho": round(game_cpu / echo_cpu, 2) if game_cpu and echo_cpu else None,
        "p99VsEcho": round(game_p99 / echo_p99, 2) if game_p99 and echo_p99 else None,
    }


def _rows(result: dict[str, Any]) -> list[tuple[str, str]]:
    plan, latency, server, client = result["plan"], result["latencyMs"], result["server"], result["client"]
    pace = "idle (connected, no game)" if plan["idle"] else f"one action per {plan['pace_s']} s per player"
    rows = [
        ("route", "echo (transport ceiling)" if plan["echo"] else "game"),
        ("players connected", f"{result['playersConnected']} / {plan['players']} (tables of {plan['table_size']})"),
        ("tables playing", str(result["tablesPlaying"])),
        ("pace", f"{pace}, jitter ±{plan['jitter']:.0%}"),
        ("window", f"{result['windowSeconds']} s"),
        ("actions/s", f"{result['actionsPerSecond']}"),
        ("frames/s sent by the server", f"{result.get('framesPerSecond', '-')}"),
    ]
    if latency["n"]:
        figures = "  ".join(f"{k} {latency[k]:.1f}" for k in ("p50", "p95", "p99", "max"))
        rows.append(("action → whole table (ms)", f"{figures}  (n={latency['n']})"))
    rest = result.get("restLatencyMs", {"n": 0})
    if rest["n"]:
        figures = "  ".join(f"{k} {rest[k]:.1f}" for k in ("p50", "p95", "p99", "max"))
        rows.append(("REST GET /sessions (ms)", f"{figures}  (n={rest['n']}, failed {result['restFailures']})"))
    rows += [
        ("errors", f"{result['errorCount']} {result['errors'] or ''}".strip()),
        ("reconnects", str(result["reconnects"])),
        ("server CPU", f"{server['cpuPercent']}% of a core over {server['processes']} process(es)"),
        ("server waiting for a CPU", f"{server.get('cpuWaitPercent', 0)}% of the time (a busy machine)"),
        ("server CPU per action", "-" if server["cpuMsPerAction"] is None else f"{server['cpuMsPerAction']} ms"),
        ("server CPU per frame sent", f"{server.get('cpuUsPerFrameSent') or '-'} µs"),
        ("server RSS", f"{_mb(server['rssBytes'])} (at start {_mb(server['rssBaselineBytes'])})"),
        ("server RSS per connection", _kb(server["rssPerConnectionBytes"])),
        ("server GC pauses", _gc(server.get("gcPauses"))),
        ("load generator CPU", f"{client['cpuPercent']}% of a core over {client['workers']} worker(s)"),
        ("load generator waiting", f"{client.get('cpuWaitPercent', 0)}% of a core's time for a CPU"),
    ]
    rows += [(f"{name} CPU", f"{helper['cpuPercent']}%") for name, helper in result["helpers"].items()]
    return rows


def _gc(pauses: dict[str, float] | None) -> str:
    if pauses is None:
        return "- (the server exports no checkgame_gc_pause_seconds)"
    return (
        f"{pauses['count']} ({pauses['full']} full, {pauses['over10ms']} over 10 ms,"
        f" {pauses['over100ms']} over 100 ms), {pauses['seconds']} s in all"
    )


def render(result: dict[str, Any]) -> str:
    """A two-column table of one run (and its echo ceiling, when measured)."""
    rows = _rows(result)
    if "echo" in result:
        rows.append(("", ""))
        rows += [(f"echo: {name}", value) for name, value in _rows(result["echo"])[1:]]
        fraction = result["ceilingFraction"]
        rows.append(("game / echo", f"CPU per action ×{fraction['cpuPerActionVsEcho']}, p99 ×{fraction['p99VsEcho']}"))
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" if name else "" for name, value in rows)
