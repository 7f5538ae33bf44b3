"""Overview: the counters of the whole cluster, a minute of rates as sparklines, and the nodes (drain/undrain)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal
from textual.widgets import Label, Sparkline, Static

from admin_tui.client import Json
from admin_tui.format import age, clock, duration, parse_time, rate
from admin_tui.panes import Pane
from admin_tui.screens.confirm import ConfirmScreen
from admin_tui.widgets import KeyedTable, yes_no

__all__ = ["OverviewPane"]

HISTORY = 60
"""Overview frames kept for the sparklines: about a minute."""


def _field(*path: str) -> Callable[[Json], float]:
    """Reads a number at ``path`` in an overview (0 when absent)."""

    def read(overview: Json) -> float:
        value: Any = overview
        for key in path:
            value = value.get(key, {}) if isinstance(value, dict) else {}
        return float(value) if isinstance(value, int | float) else 0.0

    return read


SERIES = (
    ("actions", "actions/s", _field("rates", "actionsPerSecond")),
    ("messages-in", "msgs in/s", _field("rates", "messagesInPerSecond")),
    ("messages-out", "msgs out/s", _field("rates", "messagesOutPerSecond")),
    ("connections", "connections", _field("connections")),
)

COUNTERS = (
    ("waiting", "sessions waiting", _field("sessions", "waiting")),
    ("playing", "sessions playing", _field("sessions", "playing")),
    ("finished", "sessions finished", _field("sessions", "finished")),
    ("games", "games in progress", _field("gamesInProgress")),
    ("connections", "connections", _field("connections")),
    ("users", "users", _field("users")),
)


class OverviewPane(Pane):
    """Follows the app's ``overview``: one frame a second from the live feed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "drain", "Drain node"),
        Binding("u", "undrain", "Undrain node"),
    ]

    def __init__(self) -> None:
        super().__init__(id="overview-pane")
        self._history: dict[str, deque[float]] = {key: deque(maxlen=HISTORY) for key, _, _ in SERIES}

    def compose(self) -> ComposeResult:
        yield Static("", id="overview-heading", markup=False)
        with Grid(id="counters"):
            for key, label, _ in COUNTERS:
                yield Static(f"-\n{label}", id=f"counter-{key}", classes="counter")
        for key, label, _ in SERIES:
            with Horizontal(classes="series"):
                yield Label(label, classes="series-label")
                yield Label("-", id=f"rate-{key}", classes="series-value")
                yield Sparkline([], id=f"spark-{key}", summary_function=max)
        yield Label("Nodes", classes="section")
        yield KeyedTable("node", "started", "last seen", "connections", "draining", "version", id="nodes")

    def on_mount(self) -> None:
        self.watch(self.app, "overview", self._show)

    async def reload(self) -> None:
        if self.admin.link.status != "live":  # the feed brings one a second; poll only without it
            fresh = await self.admin.fetch(lambda client: client.overview())
            if fresh is not None:
                self.admin.overview = fresh

    def _show(self, overview: Json | None) -> None:
        if overview is None:
            return
        now = parse_time(overview.get("serverTime"))
        nodes = overview.get("nodes", [])
        plural = "s" if len(nodes) != 1 else ""
        self.query_one("#overview-heading", Static).update(
            f"Node {overview.get('node', '?')} · up {duration(float(overview.get('uptimeSeconds', 0)))}"
            f" · {len(nodes)} node{plural} · server clock {clock(overview.get('serverTime'))} UTC"
        )
        for key, label, value in COUNTERS:
            self.query_one(f"#counter-{key}", Static).update(f"{value(overview):.0f}\n{label}")
        for key, _, value in SERIES:
            sample = value(overview)
            self._history[key].append(sample)
            self.query_one(f"#rate-{key}", Label).update(rate(sample) if key != "connections" else f"{sample:.0f}")
            self.query_one(f"#spark-{key}", Sparkline).data = list(self._history[key])
        self.query_one("#nodes", KeyedTable).replace_rows(
            (
                str(node.get("id")),
                (
                    node.get("id"),
                    age(node.get("startedAt"), now),
                    age(node.get("lastSeen"), now),
                    node.get("connections", 0),
                    yes_no(node.get("draining"), "DRAINING"),
                    node.get("version", "-"),
                ),
            )
            for node in nodes
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"drain", "undrain"} and self.admin.read_only:
            return None
        return True

    async def action_drain(self) -> None:
        await self._drain(drain=True)

    async def action_undrain(self) -> None:
        await self._drain(drain=False)

    async def _drain(self, *, drain: bool) -> None:
        node = self.query_one("#nodes", KeyedTable).selected_key
        if node is None:
            self.app.notify("Choose a node in the table first.", severity="warning")
            return
        verb = "Drain" if drain else "Undrain"
        consequence = (
            "It refuses new player connections and /ready answers 503, so a load balancer sends players elsewhere; "
            "its connected players are disconnected and resume on another node. The process keeps running."
            if drain
            else "It accepts new sessions and connections again."
        )

        async def confirmed(answer: str | None) -> None:
            if answer is not None:
                await self.admin.act(f"{verb.lower()} {node}", lambda client: client.drain(node, drain=drain))

        await self.app.push_screen(ConfirmScreen(f"{verb} node {node}?", consequence), confirmed)
