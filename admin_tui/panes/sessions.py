"""Sessions: every tournament on the server, filtered by status; enter follows one live."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from admin_tui.client import Json
from admin_tui.format import clock, status_text
from admin_tui.panes import Pane
from admin_tui.widgets import KeyedTable

__all__ = ["SessionsPane"]

FILTERS = (None, "waiting", "playing", "finished")


class SessionsPane(Pane):
    """The sessions table; the game screen does the rest."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Follow game", show=False),
        Binding("f", "filter", "Filter"),
        Binding("n", "notice", "Notice"),
        Binding("e", "end", "End session"),
    ]

    def __init__(self) -> None:
        super().__init__(id="sessions-pane")
        self._filter: str | None = None
        self.sessions: dict[str, Json] = {}

    def compose(self) -> ComposeResult:
        yield Static("", id="sessions-heading", markup=False)
        yield KeyedTable("id", "code", "name", "status", "players", "game", "created", id="sessions-table")

    async def reload(self) -> None:
        sessions = await self.admin.fetch(lambda client: client.sessions(self._filter))
        if sessions is None:
            return
        self.sessions = {str(s["id"]): s for s in sessions}
        shown = self._filter or "all"
        self.query_one("#sessions-heading", Static).update(
            f"{len(sessions)} session{'s' if len(sessions) != 1 else ''} ({shown}) · enter: follow · f: filter"
        )
        self.query_one("#sessions-table", KeyedTable).replace_rows(
            (
                session_id,
                (
                    session_id[:8],
                    s.get("code", "-"),
                    s.get("name", ""),
                    status_text(s),
                    f"{s.get('playerCount', '?')}/{s.get('maxPlayers', '?')}"  # the lobby's count (seats taken)
                    + (f" +{s['spectators']} watching" if s.get("spectators") else ""),
                    s.get("gameNumber") or "-",
                    clock(s.get("createdAt")),
                ),
            )
            for session_id, s in self.sessions.items()
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        session_id = self.query_one("#sessions-table", KeyedTable).selected_key
        if session_id is not None:
            from admin_tui.screens.game import GameScreen

            self.app.push_screen(GameScreen(session_id))

    async def action_filter(self) -> None:
        self._filter = FILTERS[(FILTERS.index(self._filter) + 1) % len(FILTERS)]
        await self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"notice", "end"} and self.admin.read_only:
            return None
        return True

    async def action_notice(self) -> None:
        from admin_tui.screens.game import ask_notice

        session_id = self.query_one("#sessions-table", KeyedTable).selected_key
        if session_id is not None:
            await ask_notice(self.admin, session_id)

    async def action_end(self) -> None:
        from admin_tui.screens.game import ask_end

        session_id = self.query_one("#sessions-table", KeyedTable).selected_key
        if session_id is not None:
            await ask_end(self.admin, session_id, on_done=self.reload)
