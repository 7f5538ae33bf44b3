"""Connections: every player WebSocket of every node, with round-trip time and queued frames."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from admin_tui.format import age, parse_time
from admin_tui.panes import Pane
from admin_tui.widgets import KeyedTable

__all__ = ["ConnectionsPane"]


class ConnectionsPane(Pane):
    def __init__(self) -> None:
        super().__init__(id="connections-pane")

    def compose(self) -> ComposeResult:
        yield Static("", id="connections-heading", markup=False)
        yield KeyedTable(
            "player", "session", "node", "connected", "last message", "rtt ms", "outbox", id="connections-table"
        )

    async def reload(self) -> None:
        connections = await self.admin.fetch(lambda client: client.connections())
        if connections is None:
            return
        overview = self.admin.overview or {}
        now = parse_time(overview.get("serverTime"))
        self.query_one("#connections-heading", Static).update(
            f"{len(connections)} connection{'s' if len(connections) != 1 else ''}"
            " (times relative to the server's clock at the last overview)"
        )
        self.query_one("#connections-table", KeyedTable).replace_rows(
            (
                str(c.get("connectionId")),
                (
                    c.get("name") or c.get("playerId", "?"),
                    str(c.get("sessionId", "-"))[:8],
                    c.get("node", "-"),
                    age(c.get("connectedAt"), now),
                    age(c.get("lastMessageAt"), now),
                    "-" if c.get("rttMs") is None else f"{float(c['rttMs']):.0f}",
                    c.get("outboxDepth", 0),
                ),
            )
            for c in connections
        )
