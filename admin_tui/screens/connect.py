"""The first screen: which server, which admin account. The password is used once and never stored."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Static

from admin_tui.config import Remembered
from admin_tui.login import Login

if TYPE_CHECKING:
    from admin_tui.app import AdminApp

__all__ = ["ConnectScreen"]


class ConnectScreen(Screen[None]):
    """URL, username, password; ``message`` explains why it is shown again (an expired login, a dead server)."""

    def __init__(self, remembered: Remembered, message: str = "") -> None:
        super().__init__()
        self._remembered = remembered
        self._message = message

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="connect"):
            yield Label("Connect to a Check-Game server", id="connect-title")
            yield Label("Server URL")
            yield Input(self._remembered.url, placeholder="http://127.0.0.1:8000", id="url")
            yield Label("Username or email")
            yield Input(self._remembered.username, placeholder="admin", id="username")
            yield Label("Password (never stored)")
            yield Input(placeholder="password", password=True, id="password")
            yield Button("Log in", variant="primary", id="login")
            yield Static(self._message, id="connect-error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        empty = [field for field in self.query(Input) if not field.value]
        (empty[0] if empty else self.query_one("#password", Input)).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.submit()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        following = {"url": "#username", "username": "#password"}.get(event.input.id or "")
        if following is not None and not self.query_one(following, Input).value:
            self.query_one(following, Input).focus()
        else:
            self.submit()

    @work(exclusive=True, group="login")
    async def submit(self) -> None:
        """Log in; on failure the reason stays on screen and nothing is remembered."""
        url = self.query_one("#url", Input).value.strip()
        username = self.query_one("#username", Input).value.strip()
        password = self.query_one("#password", Input).value
        error = self.query_one("#connect-error", Static)
        button = self.query_one("#login", Button)
        if not url.startswith(("http://", "https://")):
            error.update("The server URL must start with http:// or https://.")
            return
        if not username or not password:
            error.update("Enter a username and a password.")
            return
        error.update(f"Logging in to {url}…")
        button.disabled = True
        try:
            outcome = await cast("AdminApp", self.app).log_in(url, username, password)
        finally:
            button.disabled = False
        if isinstance(outcome, str):
            error.update(outcome)
            self.query_one("#password", Input).value = ""
        else:
            self.post_message(self.LoggedIn(outcome))

    class LoggedIn(Message):
        """The app takes over from here: it remembers the login and opens the dashboard."""

        def __init__(self, login: Login) -> None:
            super().__init__()
            self.login = login
