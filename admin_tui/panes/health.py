"""Health: the server's own /health checks and /ready verdict, as a load balancer sees them."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from admin_tui.panes import Pane

__all__ = ["HealthPane"]


class HealthPane(Pane):
    def __init__(self) -> None:
        super().__init__(id="health-pane")

    def compose(self) -> ComposeResult:
        yield Static("", id="health-verdict")
        yield Static("", id="health-checks")

    async def reload(self) -> None:
        health = await self.admin.fetch(lambda client: client.health())
        ready = await self.admin.fetch(lambda client: client.ready())
        if health is None or ready is None:
            self.query_one("#health-verdict", Static).update(Text("Server unreachable", style="bold red"))
            return
        healthy = health.get("status") == "healthy"
        verdict = Text.assemble(
            ("HEALTHY" if healthy else "UNHEALTHY", "bold green" if healthy else "bold red"),
            "  ·  ",
            ("READY" if ready.get("ready") else "NOT READY", "bold green" if ready.get("ready") else "bold red"),
        )
        reasons = ready.get("reasons") or []
        if reasons:
            verdict.append("  (" + "; ".join(str(r) for r in reasons) + ")")
        self.query_one("#health-verdict", Static).update(verdict)
        table = Table("check", "status", "details", expand=True, box=None)
        for name, check in sorted(health.get("checks", {}).items()):
            ok = isinstance(check, dict) and check.get("status") == "ok"
            table.add_row(name, Text("ok" if ok else "failing", "green" if ok else "bold red"), _details(check))
        self.query_one("#health-checks", Static).update(table)


def _details(check: Any) -> str:
    if not isinstance(check, dict):
        return str(check)
    return ", ".join(f"{key}={value}" for key, value in check.items() if key != "status")
