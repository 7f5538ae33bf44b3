"""``?``: every key the screen underneath answers to, with what it does (the footer shows only the main ones)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

__all__ = ["HelpScreen"]

GENERAL = (
    ("?", "this help"),
    ("tab / shift+tab", "move between fields and tables"),
    ("↑ ↓ / enter", "choose a row / open it"),
    ("escape", "close a dialog or go back"),
    ("ctrl+q", "quit"),
)


class HelpScreen(ModalScreen[None]):
    """The keys of one screen, then the keys that work everywhere."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark,q", "close", "Close")]

    def __init__(self, screen_name: str, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self._screen_name = screen_name
        self._keys = keys

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Label(f"Keys: {self._screen_name}", id="help-title")
            yield DataTable[str](id="help-keys", show_cursor=False)
            yield Static("Read-only admins see the actions dimmed: the server refuses them (403 READ_ONLY).")

    def on_mount(self) -> None:
        table = self.query_one("#help-keys", DataTable)
        table.add_columns("key", "does")
        for key, description in [*self._keys, *GENERAL]:
            table.add_row(key, description)

    def action_close(self) -> None:
        self.dismiss(None)
