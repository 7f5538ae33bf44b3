"""The main screen: a status line for the live feed, the tabs, and a timer that reloads the shown tab."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Header, TabbedContent, TabPane

from admin_tui.panes import Pane
from admin_tui.panes.audit import AuditPane
from admin_tui.panes.connections import ConnectionsPane
from admin_tui.panes.health import HealthPane
from admin_tui.panes.overview import OverviewPane
from admin_tui.panes.sessions import SessionsPane
from admin_tui.panes.users import UsersPane
from admin_tui.widgets import LinkLine

if TYPE_CHECKING:
    from admin_tui.app import AdminApp

__all__ = ["DashboardScreen"]

RELOAD_EVERY_S = 2.0
TABS = ("overview", "sessions", "connections", "health", "audit", "users")


class DashboardScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(str(number), f"show_tab('{tab}')", tab.title(), show=False) for number, tab in enumerate(TABS, 1)),
        Binding("r", "reload", "Reload"),
    ]

    @property
    def admin(self) -> AdminApp:
        return cast("AdminApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        yield LinkLine()
        with TabbedContent(initial="overview"):
            with TabPane("1 Overview", id="overview"):
                yield OverviewPane()
            with TabPane("2 Sessions", id="sessions"):
                yield SessionsPane()
            with TabPane("3 Connections", id="connections"):
                yield ConnectionsPane()
            with TabPane("4 Health", id="health"):
                yield HealthPane()
            with TabPane("5 Audit", id="audit"):
                yield AuditPane()
            with TabPane("6 Users", id="users"):
                yield UsersPane()
        yield Footer()

    def on_mount(self) -> None:
        self.set_interval(RELOAD_EVERY_S, self.action_reload)

    @property
    def active_pane(self) -> Pane:
        tab = self.query_one(TabbedContent).active
        return self.query_one(f"#{tab}-pane", Pane)

    async def action_reload(self) -> None:
        if self.app.screen is self:
            await self.active_pane.reload()

    async def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    async def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        pane = self.active_pane
        table = pane.query("DataTable").first() if pane.query("DataTable") else None
        if table is not None:
            table.focus()
        await pane.reload()
