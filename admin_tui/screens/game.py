"""One session followed live: the seats, the table (top card, demanded suit, attack), the event log, the actions.

The screen asks the feed to watch the session and shows every ``session``
frame; it loads the session once itself so it is never blank while the first
frame is on its way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Header, Label, RichLog, Static

from admin_tui.client import Json
from admin_tui.format import card, clock, status_text, suit
from admin_tui.screens.confirm import ConfirmScreen
from admin_tui.widgets import KeyedTable, LinkLine, yes_no

if TYPE_CHECKING:
    from admin_tui.app import AdminApp

__all__ = ["GameScreen", "RevealScreen", "ask_end", "ask_notice"]

POLL_WITHOUT_FEED_S = 2.0

QUIET_ENTRIES = frozenset({"turn_changed"})
"""Entries shown dimmed: one follows every move, and the moves are what an operator reads."""


async def ask_notice(admin: AdminApp, session_id: str) -> None:
    """Ask for a message, then show it to every player of the session."""

    async def confirmed(message: str | None) -> None:
        if message:
            await admin.act("notice sent", lambda client: client.notice(session_id, message))

    question = "Every player of the session sees this message."
    await admin.push_screen(ConfirmScreen("Send a notice", question, prompt="Message", required=True), confirmed)


async def ask_end(admin: AdminApp, session_id: str, on_done: Callable[[], Awaitable[None]] | None = None) -> None:
    """Ask for confirmation (and an optional reason), then end the session for everyone."""

    async def confirmed(reason: str | None) -> None:
        if reason is None:
            return
        ended = await admin.act("session ended", lambda client: client.end_session(session_id, reason))
        if ended is not None and on_done is not None:
            await on_done()

    question = "The running game stops without a result and every player is disconnected."
    await admin.push_screen(ConfirmScreen("End this session?", question, prompt="Reason (optional)"), confirmed)


class GameScreen(Screen[None]):
    """Follows ``session_id`` until escape."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("k", "kick", "Kick player"),
        Binding("n", "notice", "Notice"),
        Binding("e", "end", "End session"),
        Binding("v", "reveal", "Reveal hands"),
        Binding("c", "chat", "Chat"),
    ]

    def __init__(self, session_id: str) -> None:
        super().__init__()
        self.session_id = session_id
        self.state: Json | None = None
        self._last_seq = 0

    @property
    def admin(self) -> AdminApp:
        return cast("AdminApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        yield LinkLine()
        yield Static(f"Session {self.session_id}", id="game-title", markup=False)
        with Horizontal(id="game"):
            with Vertical(id="game-left"):
                yield Label("Seats", classes="section")
                yield KeyedTable("", "player", "cards", "connected", "out", id="seats")
                yield Label("Table", classes="section")
                yield Static("No game running.", id="table-state")
            with Vertical(id="game-right"):
                yield Label("Event log", classes="section")
                yield RichLog(id="game-log", wrap=True, markup=False, max_lines=500)
        yield Footer()

    async def on_mount(self) -> None:
        self.watch(self.app, "watched", self._follow)
        await self.admin.follow_session(self.session_id)
        first = await self.admin.fetch(lambda client: client.session(self.session_id))
        if first is not None and self.state is None:
            self.show(first)
        self.query_one("#seats", KeyedTable).focus()
        self.set_interval(POLL_WITHOUT_FEED_S, self._poll)

    async def _poll(self) -> None:
        """Without the live feed, ask now and then, so the screen never silently freezes."""
        if self.admin.link.status != "live" and self.app.screen is self:
            state = await self.admin.fetch(lambda client: client.session(self.session_id))
            if state is not None:
                self.show(state)

    def _follow(self, frame: Json | None) -> None:
        if frame is not None:
            self.show(frame)

    def show(self, state: Json) -> None:
        """Draw the session, its table and the log entries not shown yet."""
        self.state = state
        session: Json = state.get("session") or {}
        table: Json | None = state.get("table")
        self.query_one("#game-title", Static).update(
            f"{session.get('name', '?')} · code {session.get('code', '-')} · {status_text(session)}"
            f" · game {session.get('gameNumber') or '-'}"
            + (f" · {session['spectators']} watching" if session.get("spectators") else "")
            + f" · {self.session_id}"
        )
        self.query_one("#seats", KeyedTable).replace_rows(_seats(session, table))
        self.query_one("#table-state", Static).update(_table_text(table, session))
        log = self.query_one("#game-log", RichLog)
        for entry in state.get("log", []):
            seq = int(entry.get("seq", 0))
            if seq > self._last_seq:
                self._last_seq = seq
                at = clock(entry["at"]) if entry.get("at") is not None else f"#{seq}"
                kind = str(entry.get("type", ""))
                quiet = kind in QUIET_ENTRIES
                line = Text.assemble((f"{at} ", "dim"), (f"{kind} ", "dim" if quiet else "bold"))
                line.append(str(entry.get("text", "")), style="dim" if quiet else "")
                log.write(line)

    def _player_name(self, player_id: str) -> str:
        session: Json = (self.state or {}).get("session") or {}
        for player in session.get("players", []):
            if player.get("playerId") == player_id:
                return str(player.get("name") or player_id)
        return player_id

    async def action_back(self) -> None:
        await self.admin.follow_session(None)
        self.dismiss()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"kick", "notice", "end", "reveal"} and self.admin.read_only:
            return None
        return True

    async def action_kick(self) -> None:
        player_id = self.query_one("#seats", KeyedTable).selected_key
        if player_id is None:
            self.app.notify("Choose a player in the seats table first.", severity="warning")
            return
        name = self._player_name(player_id)

        async def confirmed(reason: str | None) -> None:
            if reason is not None:
                await self.admin.act(f"{name} kicked", lambda client: client.kick(self.session_id, player_id, reason))

        question = f"{name} loses the seat and is disconnected; a running game goes on without them."
        await self.app.push_screen(ConfirmScreen(f"Kick {name}?", question, prompt="Reason (optional)"), confirmed)

    async def action_notice(self) -> None:
        await ask_notice(self.admin, self.session_id)

    async def action_chat(self) -> None:
        from admin_tui.screens.chat import ChatScreen

        await self.app.push_screen(ChatScreen(self.session_id))

    async def action_end(self) -> None:
        await ask_end(self.admin, self.session_id)

    async def action_reveal(self) -> None:
        async def confirmed(reason: str | None) -> None:
            if not reason:
                return
            hands = await self.admin.act("hands revealed", lambda client: client.reveal(self.session_id, reason))
            if hands is not None:
                await self.app.push_screen(RevealScreen({self._player_name(p): cards for p, cards in hands.items()}))

        question = "Every player's hand is shown to you. The reveal and its reason are recorded in the audit log."
        dialog = ConfirmScreen("Reveal all hands?", question, prompt="Reason (required, audited)", required=True)
        await self.app.push_screen(dialog, confirmed)


def _seats(session: Json, table: Json | None) -> list[tuple[str, tuple[object, ...]]]:
    """The running game's seats, or the session's players while no game runs."""
    if table is not None:
        return [
            (
                str(seat.get("playerId")),
                (
                    Text("▶", style="bold yellow") if seat.get("current") else "",
                    seat.get("name", "?"),
                    seat.get("cardCount", 0),
                    yes_no(seat.get("connected")),
                    yes_no(seat.get("finished"), "safe", "-"),
                ),
            )
            for seat in table.get("seats", [])
        ]
    return [
        (
            str(player.get("playerId")),
            (
                "",
                player.get("name", "?"),
                "-" if player.get("cardCount") is None else player["cardCount"],
                yes_no(player.get("connected")),
                yes_no(player.get("eliminated"), "eliminated", "-"),
            ),
        )
        for player in session.get("players", [])
    ]


def _table_text(table: Json | None, session: Json) -> Text:
    if table is None:
        return Text(f"No game running (session {session.get('status', '?')}).", style="dim")
    names = {seat.get("playerId"): seat.get("name") for seat in table.get("seats", [])}
    current = table.get("currentPlayer")
    penalty = int(table.get("penalty") or 0)
    rows = [
        ("game", str(table.get("gameId", "-"))),
        ("top card", card(table.get("topCard"))),
        ("demanded suit", suit(table.get("demandedSuit"))),
        ("attack penalty", f"+{penalty} cards" if penalty else "none"),
        ("draw pile", str(table.get("drawPileCount", "-"))),
        ("to play", str(names.get(current, current) or "-")),
        ("turn deadline", clock(table.get("turnDeadline"))),
    ]
    text = Text()
    for label, value in rows:
        text.append(f"{label:>15}  ", style="dim")
        text.append(value + "\n", style="bold red" if label == "attack penalty" and penalty else "")
    return text


class RevealScreen(ModalScreen[None]):
    """The hands a reveal returned; they are not kept anywhere after the dialog closes."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter", "close", "Close")]

    def __init__(self, hands: dict[str, list[Any]]) -> None:
        super().__init__()
        self._hands = hands

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Hands (audited)", id="dialog-title")
            text = Text()
            for name, cards in self._hands.items():
                text.append(f"{name:>12}  ", style="bold")
                text.append(" ".join(card(c) for c in cards) + "\n")
            yield Static(text or "No hands: no game is running.", id="hands")

    def action_close(self) -> None:
        self.dismiss(None)
