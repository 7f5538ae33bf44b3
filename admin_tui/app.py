"""The console's composition: one login, one live feed, the screens, and how actions and errors are shown.

Live data flows one way: the feed (and the panes' polling) set the app's
reactive ``overview`` and ``watched`` attributes, and the screens watch them.
A login that can no longer be renewed, from any request or from the feed,
brings the connect screen back with the reason; nothing else does.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import ClassVar, TypeVar

import httpx
from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker
from websockets.asyncio.client import connect

from admin_tui import config
from admin_tui.client import UNREACHABLE, AdminClient, ApiError, Json, Tokens
from admin_tui.config import Remembered
from admin_tui.login import ADMIN_ROLES, Login
from admin_tui.panes import Pane
from admin_tui.screens.connect import ConnectScreen
from admin_tui.screens.dashboard import DashboardScreen
from admin_tui.screens.help import HelpScreen
from admin_tui.stream import Connector, LinkState, LiveStream

__all__ = ["AdminApp"]

T = TypeVar("T")

REPEAT_PROBLEM_AFTER_S = 30.0

REFUSALS = {
    "READ_ONLY": "Refused: this account is a read-only admin; it can look but not act.",
    "FORBIDDEN": "Refused: this account is not an admin.",
    "RATE_LIMITED": "The server is rate-limiting this account; the console retries at its next reload.",
}


class AdminApp(App[None]):
    """``checkgame admin``.

    Args:
        config_path: where the connection is remembered (0600).
        url: the server to use instead of the remembered one.
        transport: an httpx transport instead of the network, and
        connector: a WebSocket opener instead of the network (both for snapshot tests only).
    """

    CSS_PATH = "app.tcss"
    TITLE = "Check-Game admin"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    overview: reactive[Json | None] = reactive(None, always_update=True)
    """The latest ``overview`` frame (or GET /admin/overview when the feed is down)."""
    watched: reactive[Json | None] = reactive(None, always_update=True)
    """The latest state of the session being followed: GET /admin/sessions/{id}'s body."""
    link: reactive[LinkState] = reactive(LinkState("closed"))

    def __init__(
        self,
        config_path: Path,
        url: str | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        connector: Connector = connect,
    ) -> None:
        super().__init__()
        self.config_path = config_path
        self._url = url
        self._transport = transport
        self._connector = connector
        self.remembered = config.load(config_path)
        self.login: Login | None = None
        self.stream: LiveStream | None = None
        self._stream_worker: Worker[None] | None = None
        self._last_problem = ("", 0.0)
        """The last problem said, and when (monotonic): polling repeats a failure every few seconds."""

    @property
    def read_only(self) -> bool:
        return self.login is None or self.login.read_only

    # ------------------------------------------------------------------ logging in and out

    async def on_mount(self) -> None:
        remembered = self.remembered
        if self._url is not None and self._url.rstrip("/") != remembered.url:
            remembered = Remembered(url=self._url.rstrip("/"), username=remembered.username)
        if not (remembered.access_token and remembered.refresh_token):
            await self.push_screen(ConnectScreen(remembered))
            return
        tokens = Tokens(remembered.access_token, remembered.refresh_token)
        client = AdminClient(remembered.url, tokens, on_tokens=self._remember_tokens, transport=self._transport)
        try:
            self.overview = await client.overview()
        except ApiError as exc:
            await client.aclose()
            if exc.needs_login:
                config.save(self.config_path, config.forget_tokens(remembered))
                message = f"The saved login for {remembered.url} has expired; log in again."
            elif exc.code == UNREACHABLE:
                message = f"Server unreachable. {exc.message}"
            else:
                message = f"Could not resume the saved login: {exc.message} ({exc.code})."
            await self.push_screen(ConnectScreen(remembered, message))
            return
        await self._enter(Login(client, remembered.username, remembered.role or "admin_readonly"))

    async def log_in(self, url: str, username: str, password: str) -> Login | str:
        """A working admin login, or the reason there is none, for the connect screen to show.

        Nothing is remembered until the login proves to be an admin's (:meth:`_enter`).
        """
        client = AdminClient(url.rstrip("/"), transport=self._transport)
        try:
            user = await client.login(username, password)
            role = str(user.get("role", ""))
            if role not in ADMIN_ROLES:
                raise ApiError("FORBIDDEN", f"{username} is a {role or 'player'}, not an admin", 403)
            self.overview = await client.overview()
        except ApiError as exc:
            await client.aclose()
            if exc.code == UNREACHABLE:
                return f"Server unreachable. {exc.message}"
            if exc.code == "INVALID_CREDENTIALS":
                return "Wrong username or password (INVALID_CREDENTIALS)."
            return f"Login refused: {exc.message} ({exc.code})."
        return Login(client, username, role)

    def _remember_tokens(self, tokens: Tokens) -> None:
        self.remembered = replace(self.remembered, access_token=tokens.access, refresh_token=tokens.refresh)
        config.save(self.config_path, self.remembered)

    async def on_connect_screen_logged_in(self, message: ConnectScreen.LoggedIn) -> None:
        await self._enter(message.login)

    async def _enter(self, login: Login) -> None:
        """Remember the login, open the live feed and the dashboard."""
        self.login = login
        assert login.client.tokens is not None
        self.remembered = Remembered(
            login.client.base_url, login.username, login.client.tokens.access, login.client.tokens.refresh, login.role
        )
        config.save(self.config_path, self.remembered)
        login.client.on_tokens = self._remember_tokens
        self.sub_title = f"{login.username} ({'read-only' if login.read_only else 'admin'}) @ {login.client.base_url}"
        self.stream = LiveStream(login.client, self._on_frame, self._on_link, connector=self._connector)
        self._stream_worker = self.run_worker(self._follow(self.stream), name="live feed", exit_on_error=False)
        dashboard = DashboardScreen()
        if isinstance(self.screen, ConnectScreen):
            await self.switch_screen(dashboard)
        else:
            await self.push_screen(dashboard)

    async def _follow(self, stream: LiveStream) -> None:
        try:
            await stream.run()
        except ApiError as exc:
            self.login_lost(exc)

    def _on_frame(self, frame: Json) -> None:
        if frame.get("type") == "overview":
            self.overview = frame
        elif frame.get("type") == "session" and self.stream is not None and self.stream.watching:
            session = frame.get("session") or {}
            if session.get("id") == self.stream.watching:
                self.watched = frame
        elif frame.get("type") == "error":
            message = f"{frame.get('message', 'the live feed refused a request')} ({frame.get('code', '?')})"
            self.notify(message, title="Live feed", severity="error", markup=False)

    def _on_link(self, state: LinkState) -> None:
        self.link = state

    @work(exclusive=True, group="logout")
    async def login_lost(self, error: ApiError) -> None:
        """Back to the connect screen, saying why; the remembered tokens are dropped, the URL and name kept."""
        login, self.login = self.login, None
        if self._stream_worker is not None:
            self._stream_worker.cancel()
            self._stream_worker = None
        if login is not None:
            await login.client.aclose()
        self.remembered = config.forget_tokens(self.remembered)
        config.save(self.config_path, self.remembered)
        if error.code == "FORBIDDEN":
            message = f"This account may not use the admin API: {error.message}."
        else:
            message = f"Your login has expired ({error.message}); log in again."
        while len(self.screen_stack) > 2:
            await self.pop_screen()
        await self.switch_screen(ConnectScreen(self.remembered, message))

    async def on_unmount(self) -> None:
        """Leave no socket open: the feed's worker is cancelled by now, the HTTP client is closed here."""
        if self.login is not None:
            await self.login.client.aclose()

    # ------------------------------------------------------------------ what screens use

    async def fetch(self, request: Callable[[AdminClient], Awaitable[T]]) -> T | None:
        """Run a read; on failure say why and return None (a lost login goes back to the connect screen).

        Reads repeat every few seconds, so the same problem is said once, not at every reload.
        """
        return await self._run(request, repeat_s=REPEAT_PROBLEM_AFTER_S)

    async def act(self, description: str, request: Callable[[AdminClient], Awaitable[T]]) -> T | None:
        """Run a confirmed action and say how it went, every time."""
        result = await self._run(request, repeat_s=0.0)
        if result is not None:
            self.notify(f"Done: {description}.", title="Action", markup=False)
        return result

    async def _run(self, request: Callable[[AdminClient], Awaitable[T]], repeat_s: float) -> T | None:
        if self.login is None:
            return None
        try:
            result = await request(self.login.client)
        except ApiError as exc:
            self._report(exc, repeat_s)
            return None
        self._last_problem = ("", 0.0)
        return result

    def _report(self, exc: ApiError, repeat_s: float) -> None:
        if exc.needs_login:
            self.login_lost(exc)
            return
        if exc.code == UNREACHABLE:
            title, text = "Network", f"Server unreachable: {exc.message}"
        else:
            title, text = "Refused", f"{REFUSALS.get(exc.code, exc.message)} ({exc.code})"
        said, at = self._last_problem
        now = time.monotonic()
        if text != said or now - at >= repeat_s:
            self._last_problem = (text, now)
            self.notify(text, title=title, severity="error", markup=False)

    async def follow_session(self, session_id: str | None) -> None:
        """Ask the feed for ``session_id``'s changes (None: stop)."""
        self.watched = None
        if self.stream is not None:
            await self.stream.watch(session_id)

    def action_help(self) -> None:
        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        keys = [
            (
                active.binding.key_display or key,
                active.binding.description + ("" if active.enabled else " (off)"),
            )
            for key, active in screen.active_bindings.items()
            if isinstance(active.node, Screen | Pane) and active.binding in type(active.node).BINDINGS
        ]
        self.push_screen(HelpScreen(type(screen).__name__.removesuffix("Screen"), keys))
