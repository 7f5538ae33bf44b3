"""Users: the accounts, a page at a time, with their roles; disable, end their logins, promote or demote.

Every action asks first (:class:`~admin_tui.screens.confirm.ConfirmScreen`) and the server audits it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from admin_tui.client import AdminClient, Json
from admin_tui.format import clock
from admin_tui.panes import Pane
from admin_tui.screens.confirm import ConfirmScreen
from admin_tui.widgets import KeyedTable

__all__ = ["ROLES", "UsersPane"]

PAGE = 50
ROLES = ("player", "admin_readonly", "admin")
"""From the least to the most trusted: promote moves one step right, demote one step left."""
ACTIONS = {"disable", "revoke", "promote", "demote"}


class UsersPane(Pane):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left_square_bracket", "page(-1)", "Previous page", key_display="["),
        Binding("right_square_bracket", "page(1)", "Next page", key_display="]"),
        Binding("x", "disable", "Disable/enable"),
        Binding("l", "revoke", "End logins"),
        Binding("p", "promote", "Promote"),
        Binding("m", "demote", "Demote"),
    ]

    def __init__(self) -> None:
        super().__init__(id="users-pane")
        self._offset = 0
        self.total = 0
        self.users: dict[str, Json] = {}

    def compose(self) -> ComposeResult:
        yield Static("", id="users-heading", markup=False)
        yield KeyedTable("username", "email", "role", "account", "created", id="users-table")

    async def reload(self) -> None:
        page = await self.admin.fetch(lambda client: client.users(PAGE, self._offset))
        if page is None:
            return
        users = page.get("users", [])
        self.users = {str(u.get("id")): u for u in users}
        self.total = int(page.get("total", len(users)))
        last = self._offset + len(users)
        self.query_one("#users-heading", Static).update(
            f"{self.total} account{'s' if self.total != 1 else ''}"
            + (f" · {self._offset + 1}-{last} shown · [ and ] turn the page" if users else "")
        )
        self.query_one("#users-table", KeyedTable).replace_rows(
            (
                user_id,
                (
                    u.get("username", "?"),
                    u.get("email", ""),
                    u.get("role", "?"),
                    "disabled" if u.get("disabled") else "active",
                    clock(u.get("createdAt")),
                ),
            )
            for user_id, u in self.users.items()
        )

    async def action_page(self, step: int) -> None:
        offset = self._offset + step * PAGE
        if 0 <= offset < max(self.total, 1):
            self._offset = offset
            await self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ACTIONS and self.admin.read_only:
            return None
        return True

    def _chosen(self) -> tuple[str, Json] | None:
        user_id = self.query_one("#users-table", KeyedTable).selected_key
        if user_id is None or user_id not in self.users:
            self.app.notify("Choose an account in the table first.", severity="warning")
            return None
        return user_id, self.users[user_id]

    async def _ask(self, title: str, question: str, done: str, call: Callable[[AdminClient], Awaitable[Json]]) -> None:
        """Ask; only on Confirm run ``call``, say ``done``, and reload the page."""

        async def confirmed(answer: str | None) -> None:
            if answer is not None and await self.admin.act(done, call) is not None:
                await self.reload()

        await self.app.push_screen(ConfirmScreen(title, question), confirmed)

    async def action_disable(self) -> None:
        chosen = self._chosen()
        if chosen is None:
            return
        (user_id, user), name = chosen, chosen[1].get("username", "?")
        if user.get("disabled"):
            await self._ask(f"Enable {name}?", f"{name} may log in again.", f"{name} enabled",
                            lambda client: client.set_disabled(user_id, False))  # fmt: skip
        else:
            question = f"{name} can no longer log in, and every login of the account ends within 15 minutes."
            await self._ask(f"Disable {name}?", question, f"{name} disabled",
                            lambda client: client.set_disabled(user_id, True))  # fmt: skip

    async def action_revoke(self) -> None:
        chosen = self._chosen()
        if chosen is None:
            return
        user_id, name = chosen[0], chosen[1].get("username", "?")
        question = f"Every device logged in as {name} must log in again (within 15 minutes)."
        await self._ask(f"End every login of {name}?", question, f"logins of {name} ended",
                        lambda client: client.revoke_logins(user_id))  # fmt: skip

    async def _change_role(self, step: int) -> None:
        chosen = self._chosen()
        if chosen is None:
            return
        user_id, name, role = chosen[0], chosen[1].get("username", "?"), str(chosen[1].get("role", "player"))
        index = ROLES.index(role) + step if role in ROLES else -1
        if not 0 <= index < len(ROLES):
            self.app.notify(f"{name} is already {role}.", severity="warning")
            return
        new = ROLES[index]
        verb = "Promote" if step > 0 else "Demote"
        await self._ask(f"{verb} {name} to {new}?", f"{name} becomes {new} (was {role}).", f"{name} is now {new}",
                        lambda client: client.set_role(user_id, new))  # fmt: skip

    async def action_promote(self) -> None:
        await self._change_role(1)

    async def action_demote(self) -> None:
        await self._change_role(-1)
