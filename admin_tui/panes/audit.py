"""Audit: what admins did, newest first, as the server recorded it."""

from __future__ import annotations

import json

from textual.app import ComposeResult
from textual.widgets import Static

from admin_tui.format import clock
from admin_tui.panes import Pane
from admin_tui.widgets import KeyedTable

__all__ = ["AuditPane"]


class AuditPane(Pane):
    def __init__(self) -> None:
        super().__init__(id="audit-pane")

    def compose(self) -> ComposeResult:
        yield Static("The last 50 admin actions", id="audit-heading")
        yield KeyedTable("at", "admin", "action", "target", "details", id="audit-table")

    async def reload(self) -> None:
        entries = await self.admin.fetch(lambda client: client.audit(50))
        if entries is None:
            return
        self.query_one("#audit-table", KeyedTable).replace_rows(
            (
                str(e.get("id")),
                (
                    clock(e.get("at")),
                    e.get("adminName") or e.get("adminId", "?"),
                    e.get("action", "?"),
                    e.get("target", "-"),
                    e.get("details") if isinstance(e.get("details"), str) else json.dumps(e.get("details") or {}),
                ),
            )
            for e in entries
        )
