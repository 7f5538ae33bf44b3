"""Users: the accounts, a page at a time, with their roles."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from admin_tui.format import clock
from admin_tui.panes import Pane
from admin_tui.widgets import KeyedTable

__all__ = ["UsersPane"]

PAGE = 50


class UsersPane(Pane):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left_square_bracket", "page(-1)", "Previous page", key_display="["),
        Binding("right_square_bracket", "page(1)", "Next page", key_display="]"),
    ]

    def __init__(self) -> None:
        super().__init__(id="users-pane")
        self._offset = 0
        self.total = 0

    def compose(self) -> ComposeResult:
        yield Static("", id="users-heading", markup=False)
        yield KeyedTable("username", "email", "role", "created", id="users-table")

    async def reload(self) -> None:
        page = await self.admin.fetch(lambda client: client.users(PAGE, self._offset))
        if page is None:
            return
        users = page.get("users", [])
        self.total = int(page.get("total", len(users)))
        last = self._offset + len(users)
        self.query_one("#users-heading", Static).update(
            f"{self.total} account{'s' if self.total != 1 else ''}"
            + (f" · {self._offset + 1}-{last} shown · [ and ] turn the page" if users else "")
        )
        self.query_one("#users-table", KeyedTable).replace_rows(
            (
                str(u.get("id")),
                (u.get("username", "?"), u.get("email", ""), u.get("role", "?"), clock(u.get("createdAt"))),
            )
            for u in users
        )

    async def action_page(self, step: int) -> None:
        offset = self._offset + step * PAGE
        if 0 <= offset < max(self.total, 1):
            self._offset = offset
            await self.reload()
