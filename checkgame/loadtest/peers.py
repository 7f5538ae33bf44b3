"""The transport and the game beside a peer: each server in turn, one plan, figures as ratios of Node's relay.

Absolute times on a shared two-core machine move from run to run; a ratio between servers measured one
after the other in the same run moves far less. The baseline is the Node.js ``ws`` relay of bench/node_relay:
the echo route's semantics (relay each message to its table, 256 frames queued per socket at most, a reader
that falls behind is dropped) on the stack the original plan would have used. Each entry gets a fresh server
for its active run (CPU per WebSocket message sent) and another for its idle run (memory per connection), so
neither inherits the other's memory. Adding a transport is one more :class:`Peer`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, TextIO

from checkgame.loadtest.plan import Plan
from checkgame.loadtest.run import machine, run_one

__all__ = ["BASELINE", "PEERS", "Peer", "compare", "figures", "render"]


@dataclass(frozen=True)
class Peer:
    """One server the comparison measures."""

    name: str
    label: str
    start: str
    """How :func:`checkgame.loadtest.servers.start_servers` starts it."""
    echo: bool = True
    """Plays the echo plan (the transport alone); False: the whole game."""


BASELINE = "node-ws"
PEERS = (
    Peer(BASELINE, "Node.js + ws relay", "node-relay"),
    Peer("checkgame-echo", "echo route, Quart-Trio on Hypercorn", "embedded"),
    Peer("checkgame-game", "the whole game", "embedded", echo=False),
)

_FIGURES = {
    "cpuUsPerMessage": ("active", "cpuUsPerMessageSent"),
    "cpuMsPerAction": ("active", "cpuMsPerAction"),
    "bytesPerActiveConnection": ("active", "rssPerConnectionBytes"),
    "bytesPerIdleConnection": ("idle", "rssPerConnectionBytes"),
}
"""Each figure: the run and its ``server`` field it comes from."""


def compare(
    plan: Plan, idle_plan: Plan, peers: tuple[Peer, ...] = PEERS, progress: TextIO | None = None
) -> dict[str, Any]:
    """Measure ``plan`` and ``idle_plan`` on every peer in turn; the results with :func:`figures`."""
    results: dict[str, Any] = {"machine": machine(), "baseline": BASELINE, "peers": {}}
    for peer in peers:
        runs = {}
        for kind, each in (("active", plan), ("idle", replace(idle_plan, idle=True))):
            runs[kind] = run_one(replace(each, echo=peer.echo), peer.start, "", "", progress, None)
        results["peers"][peer.name] = {"label": peer.label, "start": peer.start, "echo": peer.echo, **runs}
    results["figures"] = figures(results["peers"])
    return results


def figures(peers: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per peer: CPU per message and per action, memory per connection (idle, active), each also as a
    ratio of the baseline's (``...VsNode``) when the baseline was measured; the latency and errors beside."""
    table: dict[str, dict[str, Any]] = {}
    for name, peer in peers.items():
        row: dict[str, Any] = {key: peer[run]["server"][field] for key, (run, field) in _FIGURES.items()}
        latency = peer["active"]["latencyMs"]
        row.update(
            messagesPerSecond=peer["active"]["messagesPerSecond"],
            p50Ms=latency.get("p50"),
            p99Ms=latency.get("p99"),
            serverCpuPercent=peer["active"]["server"]["cpuPercent"],
            serverWaitPercent=peer["active"]["server"]["cpuWaitPercent"],
            errorCount=peer["active"]["errorCount"] + peer["idle"]["errorCount"],
            seatedAllPlayers=peer["active"]["seatedAllPlayers"] and peer["idle"]["seatedAllPlayers"],
        )
        table[name] = row
    baseline = table.get(BASELINE)
    for row in table.values():
        for key in _FIGURES:
            ours, theirs = row[key], baseline[key] if baseline else None
            row[f"{key}VsNode"] = round(ours / theirs, 2) if ours and theirs else None
    return table


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"×{value:.2f}"


def _cell(value: float | None, unit: str, scale: float = 1.0, digits: int = 1) -> str:
    return "-" if value is None else f"{value / scale:,.{digits}f} {unit}"


def render(results: dict[str, Any]) -> str:
    """The figures as a table for people, one line per peer."""
    header = ("server", "CPU/message", "", "CPU/action", "", "idle conn", "", "active conn", "", "p50", "p99", "errors")
    lines = [header]
    for name, row in results["figures"].items():
        peer = results["peers"][name]
        lines.append(
            (
                f"{peer['label']} ({'echo' if peer['echo'] else 'game'})",
                _cell(row["cpuUsPerMessage"], "µs"),
                _ratio(row["cpuUsPerMessageVsNode"]),
                _cell(row["cpuMsPerAction"], "ms", digits=2),
                _ratio(row["cpuMsPerActionVsNode"]),
                _cell(row["bytesPerIdleConnection"], "KB", 1000),
                _ratio(row["bytesPerIdleConnectionVsNode"]),
                _cell(row["bytesPerActiveConnection"], "KB", 1000),
                _ratio(row["bytesPerActiveConnectionVsNode"]),
                _cell(row["p50Ms"], "ms"),
                _cell(row["p99Ms"], "ms"),
                str(row["errorCount"]),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    table = ["  ".join([line[0].ljust(widths[0]), *map(str.rjust, line[1:], widths[1:])]) for line in lines]
    return "\n".join([_conditions(results), *table, "(×: the figure as a ratio of the Node.js relay's)"])


def _conditions(results: dict[str, Any]) -> str:
    any_peer = next(iter(results["peers"].values()))
    plan, idle = any_peer["active"]["plan"], any_peer["idle"]["plan"]
    load = results["machine"]["loadAverage"]
    return (
        f"{plan['players']} players at tables of {plan['table_size']}, an action per {plan['pace_s']} s each, "
        f"{plan['duration_s']} s windows; idle: {idle['players']} players; {results['machine']['cpus']} CPUs, "
        f"load average {load[0]} at the start"
    )
