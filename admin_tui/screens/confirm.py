"""Every action asks first: a yes/no question, with a text field when the action takes a reason or message.

Nothing acts without an explicit choice of *Confirm*: the dialog opens on *Cancel* (or in its text field),
and Enter in the field only moves on to *Cancel*, so typing a reason and pressing Enter never acts by itself.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

__all__ = ["HINT", "ConfirmScreen"]

HINT = "Tab to Confirm, then Enter, to act · Escape cancels"


class ConfirmScreen(ModalScreen[str | None]):
    """Dismissed with the text typed (``""`` without a field) on confirm, ``None`` on cancel.

    Args:
        title: what is about to happen, e.g. "Kick Ann".
        question: the consequence, in a sentence.
        prompt: the label of a text field (a reason, a message); None for no field.
        required: the field must not be blank (a reveal's reason, a notice's message).
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, question: str, *, prompt: str | None = None, required: bool = False) -> None:
        super().__init__()
        self._title = title
        self._question = question
        self._prompt = prompt
        self._required = required

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self._title, id="dialog-title", markup=False)
            yield Static(self._question, id="dialog-question", markup=False)
            if self._prompt is not None:
                yield Input(placeholder=self._prompt, id="dialog-input")
            yield Static("", id="dialog-error", markup=False)
            yield Static(HINT, id="dialog-hint", markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Confirm", variant="error", id="confirm")

    def on_mount(self) -> None:
        focus = self.query("#dialog-input").first() if self._prompt is not None else self.query_one("#cancel")
        focus.focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "confirm":
            self.action_confirm()
        else:
            self.action_cancel()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the field is not a choice: it moves on to Cancel, one Tab away from Confirm."""
        event.stop()
        self.query_one("#cancel", Button).focus()

    def action_confirm(self) -> None:
        text = self.query_one("#dialog-input", Input).value.strip() if self._prompt is not None else ""
        if self._required and not text:
            self.query_one("#dialog-error", Static).update(f"{self._prompt} is required.")
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
