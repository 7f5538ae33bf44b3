"""A table's chat for moderation: both channels, the reports, and the two actions (delete, mute), each confirmed.

Read from ``GET /admin/sessions/{id}/chat`` when opened and after every action (``r`` reloads); the actions
are audited by the server, like every other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from admin_tui.client import Json
from admin_tui.format import clock
from admin_tui.screens.confirm import ConfirmScreen
from admin_tui.widgets import KeyedTable

if TYPE_CHECKING:
    from admin_tui.app import AdminApp

__all__ = ["ChatScreen", "chat_rows"]


def chat_rows(chat: Json) -> list[tuple[str, tuple[object, ...]]]:
    """One row per message, keyed by its seq: when, which chat, who, what, and whether reported or deleted."""
    muted = set(chat.get("muted", []))
    rows: list[tuple[str, tuple[object, ...]]] = []
    for message in chat.get("messages", []):
        sender = str(message.get("name") or message.get("from") or "?")
        flags = []
        if message.get("reports"):
            flags.append(f"reported x{message['reports']}")
        if message.get("deleted"):
            flags.append("deleted")
        if message.get("from") in muted:
            flags.append("muted")
        rows.append(
            (
                str(message["seq"]),
                (clock(message.get("at")), str(message.get("channel", "")), sender, str(message.get("text", "")),
                 ", ".join(flags) or "-"),
            )
        )  # fmt: skip
    return rows


class ChatScreen(ModalScreen[None]):
    """The chat of ``session_id``; ``x`` deletes the chosen message, ``m`` mutes (or unmutes) its author."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("r", "reload", "Reload"),
        Binding("x", "delete", "Delete message"),
        Binding("m", "mute", "Mute / unmute author"),
    ]

    def __init__(self, session_id: str) -> None:
        super().__init__()
        self.session_id = session_id
        self.chat: Json = {}

    @property
    def admin(self) -> AdminApp:
        return cast("AdminApp", self.app)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Table chat", id="dialog-title")
            yield Static("", id="chat-summary", markup=False)
            yield KeyedTable("at", "chat", "from", "text", "flags", id="chat-table")

    async def on_mount(self) -> None:
        await self.action_reload()
        self.query_one("#chat-table", KeyedTable).focus()

    async def action_reload(self) -> None:
        chat = await self.admin.fetch(lambda client: client.chat(self.session_id))
        if chat is None:
            return
        self.chat = chat
        reports = len(chat.get("reports", []))
        self.query_one("#chat-summary", Static).update(
            f"{len(chat.get('messages', []))} messages · {reports} report{'s' if reports != 1 else ''}"
            f" · {chat.get('spectators', 0)} watching · muted: {', '.join(chat.get('muted', [])) or 'nobody'}"
        )
        self.query_one("#chat-table", KeyedTable).replace_rows(chat_rows(chat))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"delete", "mute"} and self.admin.read_only:
            return None
        return True

    def _chosen(self) -> Json | None:
        seq = self.query_one("#chat-table", KeyedTable).selected_key
        found = next((m for m in self.chat.get("messages", []) if str(m.get("seq")) == seq), None)
        if found is None:
            self.app.notify("Choose a message first.", severity="warning")
        return found

    async def action_delete(self) -> None:
        message = self._chosen()
        if message is None:
            return
        seq = int(message["seq"])

        async def confirmed(reason: str | None) -> None:
            if reason is not None:
                done = await self.admin.act(
                    "message deleted", lambda client: client.delete_chat(self.session_id, seq, reason)
                )
                if done is not None:
                    await self.action_reload()

        question = f"Everyone at the table stops seeing: {message.get('text', '')!r}. The audit keeps it."
        await self.app.push_screen(ConfirmScreen("Delete this message?", question, prompt="Reason (optional)"),
                                   confirmed)  # fmt: skip

    async def action_mute(self) -> None:
        message = self._chosen()
        if message is None:
            return
        player_id = str(message.get("from"))
        name = str(message.get("name") or player_id)
        mute = player_id not in self.chat.get("muted", [])

        async def confirmed(answer: str | None) -> None:
            if answer is not None:
                verb = "muted" if mute else "unmuted"
                done = await self.admin.act(
                    f"{name} {verb}", lambda client: client.mute_chat(self.session_id, player_id, muted=mute)
                )
                if done is not None:
                    await self.action_reload()

        question = (
            f"{name}'s messages at this table are refused until unmuted."
            if mute
            else f"{name} may write in this table's chat again."
        )
        await self.app.push_screen(ConfirmScreen(f"{'Mute' if mute else 'Unmute'} {name}?", question), confirmed)

    def action_close(self) -> None:
        self.dismiss(None)
