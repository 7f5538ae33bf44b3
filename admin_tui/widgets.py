"""Widgets the screens share."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich.text import Text
from textual.widgets import DataTable, Static

from admin_tui.stream import LinkState

__all__ = ["KeyedTable", "LinkLine", "link_text", "yes_no"]


def link_text(state: LinkState) -> Text:
    """The live feed's state in a few words: green when live, red with the reason and the next try when not."""
    match state.status:
        case "live":
            return Text("● live", style="bold green")
        case "connecting":
            return Text("○ connecting…" if state.attempt == 0 else f"○ reconnecting (attempt {state.attempt})…")
        case "retrying":
            return Text(f"○ offline, retrying in {state.retry_in_s:.1f} s: {state.detail}", style="bold red")
    return Text("○ offline", style="dim")


class LinkLine(Static):
    """One line under the title: is the live feed up, and who is logged in."""

    def __init__(self) -> None:
        super().__init__("", classes="link")

    def on_mount(self) -> None:
        self.watch(self.app, "link", self._show)

    def _show(self, state: LinkState) -> None:
        login: Any = getattr(self.app, "login", None)
        who = Text(f"   {login.username} · {'read-only' if login.read_only else 'admin'}") if login else Text()
        self.update(Text.assemble(link_text(state), who))


def yes_no(flag: object, yes: str = "yes", no: str = "no") -> Text:
    """A flag as a word, the negative one dimmed so a column of them reads at a glance."""
    return Text(yes) if flag else Text(no, style="dim")


class KeyedTable(DataTable[object]):
    """A table refilled wholesale on each update, whose cursor stays on the same row key."""

    def __init__(self, *columns: str, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._columns = columns

    def on_mount(self) -> None:
        self.add_columns(*self._columns)

    @property
    def selected_key(self) -> str | None:
        """The key of the row under the cursor, or None in an empty table."""
        if self.row_count == 0:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    def replace_rows(self, rows: Iterable[tuple[str, Sequence[object]]]) -> None:
        """Show ``rows`` (key, cells) instead of the current ones, keeping the cursor on its key.

        Text cells are shown as they are: names come from players, and ``[b]`` in one is not markup.
        """
        selected = self.selected_key
        self.clear()
        for key, cells in rows:
            self.add_row(*(Text(cell) if isinstance(cell, str) else cell for cell in cells), key=key)
        if selected is not None and selected in self.rows:
            self.move_cursor(row=self.get_row_index(selected), animate=False)
