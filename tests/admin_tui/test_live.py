"""The console following a real server while ``checkgame bot`` players play: counters, sessions, a game, actions."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
import trio
from textual.pilot import Pilot
from textual.widgets import RichLog, Sparkline, Static

from admin_tui import config
from admin_tui.app import AdminApp
from admin_tui.client import AdminClient, ApiError
from admin_tui.screens.chat import ChatScreen
from admin_tui.screens.confirm import ConfirmScreen
from admin_tui.screens.game import GameScreen
from admin_tui.widgets import KeyedTable
from tests.admin_tui.conftest import PASSWORD, Server, drive, log_shows, open_game, shows, until

pytestmark = pytest.mark.slow


def logged_in(server: Server, username: str, tmp_path: Any, role: str = "admin") -> Any:
    """A config file holding a real login of ``username``, as the connect screen leaves it."""
    tokens = server.login(username)
    path = tmp_path / "admin.json"
    config.save(path, config.Remembered(server.url, username, tokens["accessToken"], tokens["refreshToken"], role))
    return path


def session_detail(server: Server, username: str, session_id: str) -> dict[str, Any]:
    body: dict[str, Any] = server.api("GET", f"/admin/sessions/{session_id}", server.login(username)["accessToken"])
    return body


@pytest.fixture(scope="module")
def operator(shared_server: Server) -> str:
    return shared_server.create_admin("olga")


def test_the_overview_counts_what_is_happening_live(server: Server, operator, tmp_path):
    server.start_table("Overview table")

    async def scenario(app: AdminApp, pilot: Pilot[Any]) -> None:
        def shown(counter: str) -> str:
            return str(app.screen.query_one(f"#counter-{counter}", Static).content).split("\n")[0]

        def counted() -> bool:
            overview = app.overview or {}
            return bool(overview.get("gamesInProgress", 0) >= 1 and overview.get("connections", 0) >= 3)

        await until(pilot, counted, "the game and its players counted")
        await until(pilot, lambda: int(shown("games")) >= 1 and int(shown("connections")) >= 3, "the counters drawn")
        spark = app.screen.query_one("#spark-connections", Sparkline)
        samples = len(spark.data or [])
        await until(pilot, lambda: len(spark.data or []) >= samples + 2, "the sparkline growing, frame by frame")
        assert shows(pilot, "● live", "games in progress", "Nodes", "node-test")()

    drive(scenario, logged_in(server, operator, tmp_path))


def test_the_sessions_table_lists_the_session_and_the_game_is_followed_move_by_move(server: Server, operator, tmp_path):
    session = server.start_table("Followed table")

    async def scenario(app: AdminApp, pilot: Pilot[Any]) -> None:
        game = await open_game(app, pilot, session["id"])
        await until(pilot, lambda: (game.state or {}).get("table") is not None, "a game dealt")
        await until(pilot, shows(pilot, "Followed table", "top card", "to play"), "the table drawn")
        seen = game._last_seq
        log = game.query_one("#game-log", RichLog)
        lines_before = len(log.lines)
        await until(pilot, lambda: game._last_seq > seen and len(log.lines) > lines_before, "a move arrives live")
        seats = game.query_one("#seats", KeyedTable)
        assert seats.row_count == 3
        table = (game.state or {})["table"]
        assert table["topCard"] is not None
        assert any(seat["current"] for seat in table["seats"])

    drive(scenario, logged_in(server, operator, tmp_path))


def test_a_notice_asks_first_then_really_reaches_the_session(server: Server, operator, tmp_path):
    session = server.start_table("Notice table")

    async def scenario(app: AdminApp, pilot: Pilot[Any]) -> None:
        game = await open_game(app, pilot, session["id"])
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        await pilot.press("escape")  # changed my mind: nothing is sent
        await until(pilot, lambda: isinstance(app.screen, GameScreen), "back on the game")
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation again")
        await pilot.press(*"Server restarts at 22:00")
        await pilot.press("enter", "tab", "enter")  # Enter leaves the field for Cancel; Tab reaches Confirm
        await until(pilot, log_shows(game, "notice: Server restarts at 22:00"), "the notice in the game's log")

    drive(scenario, logged_in(server, operator, tmp_path))
    log = [entry["text"] for entry in session_detail(server, operator, session["id"])["log"]]
    assert log.count("notice: Server restarts at 22:00") == 1


def test_kick_removes_the_chosen_player_on_the_server(server: Server, operator, tmp_path):
    # Slow bots: a seat that has already finished its game stays on the table when kicked (it leaves the
    # tournament, not the finished game), so the victim must still be playing when the kick lands.
    session = server.start_table("Kick table", think_s=5.0)

    async def scenario(app: AdminApp, pilot: Pilot[Any]) -> None:
        game = await open_game(app, pilot, session["id"])
        seats = game.query_one("#seats", KeyedTable)
        await until(pilot, lambda: seats.row_count == 3, "three seats")
        await pilot.press("down")
        victim = seats.selected_key
        await pilot.press("k")
        await until(pilot, shows(pilot, "Kick "), "the confirmation")
        await pilot.press("enter")  # k then Enter: no choice made yet, nobody is kicked
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.focused is not None
        assert app.screen.focused.id == "cancel"
        assert victim in seats.rows
        await pilot.press("shift+tab", *"cheating", "tab", "tab", "enter")  # back to the field, then Confirm
        await until(pilot, lambda: victim not in seats.rows, "the seat gone from the table")
        await until(pilot, log_shows(game, "was removed by an administrator (cheating)"), "the log line")

    drive(scenario, logged_in(server, operator, tmp_path))
    audit = server.api("GET", "/admin/audit", server.login(operator)["accessToken"])["entries"]
    assert any(entry["action"] == "kick" and session["id"] in entry["target"] for entry in audit), audit


def test_reveal_needs_a_reason_and_shows_every_hand(server: Server, operator, tmp_path):
    session = server.start_table("Reveal table")

    async def scenario(app: AdminApp, pilot: Pilot[Any]) -> None:
        game = await open_game(app, pilot, session["id"])
        await until(pilot, lambda: (game.state or {}).get("table") is not None, "a game dealt")
        await pilot.press("v")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        await pilot.press("tab", "tab", "enter")  # Confirm with no reason
        await until(pilot, shows(pilot, "is required"), "a reveal without a reason refused")
        await pilot.press("shift+tab", "shift+tab", *"dispute", "tab", "tab", "enter")
        await until(pilot, shows(pilot, "Hands (audited)"), "the hands")

    drive(scenario, logged_in(server, operator, tmp_path))


def test_a_read_only_admin_sees_but_cannot_act(server: Server, tmp_path):
    watcher = server.create_admin("rita", read_only=True)
    session = server.start_table("Read-only table")

    async def scenario(app: AdminApp, pilot: Pilot[Any]) -> None:
        game = await open_game(app, pilot, session["id"])
        await until(pilot, shows(pilot, "Read-only table", "rita (read-only)"), "the game, read-only")
        bindings = game.active_bindings
        assert not any(bindings[key].enabled for key in ("k", "n", "e", "v"))
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, GameScreen)
        # The server is the authority: asked anyway, it refuses, and the console says so in words.
        await app.act("notice", lambda client: client.notice(session["id"], "hello"))
        await until(pilot, shows(pilot, "Refused", "read-only", "(READ_ONLY)"), "the refusal in words")

    drive(scenario, logged_in(server, watcher, tmp_path, role="admin_readonly"))
    log = [entry["text"] for entry in session_detail(server, watcher, session["id"])["log"]]
    assert "notice: hello" not in log


def test_the_client_maps_refusals_to_their_codes(server: Server, tmp_path):
    watcher = server.create_admin("rene", read_only=True)

    async def scenario(app: AdminApp, pilot: Pilot[Any]) -> None:
        client = AdminClient(server.url)
        try:
            with pytest.raises(ApiError) as refused:
                await client.overview()
            assert refused.value.code == "LOGIN_EXPIRED"
            await client.login(watcher, "correct-horse-battery")
            with pytest.raises(ApiError) as refused:
                await client.end_session("no-such-session")
            assert (refused.value.code, refused.value.status) == ("READ_ONLY", 403)
            with pytest.raises(ApiError) as refused:
                await client.session("no-such-session")
            assert refused.value.status == 404
        finally:
            await client.aclose()

    drive(scenario, tmp_path / "admin.json")


def test_connections_and_health_tabs(server: Server, operator, tmp_path):
    server.start_table("Connections table")

    async def scenario(app: AdminApp, pilot: Pilot[Any]) -> None:
        await pilot.press("3")
        table = app.screen.query_one("#connections-table", KeyedTable)
        await until(pilot, lambda: table.row_count >= 3, "the bots' connections")
        await pilot.press("4")
        await until(pilot, shows(pilot, "HEALTHY", "READY", "database"), "the health checks")

    drive(scenario, logged_in(server, operator, tmp_path))


def test_ending_a_session_from_the_sessions_tab_finishes_it_on_the_server(server: Server, operator, tmp_path):
    session = server.start_table("Ended table")

    async def scenario(app: AdminApp, pilot: Pilot[Any]) -> None:
        await pilot.press("2")
        table = app.screen.query_one("#sessions-table", KeyedTable)
        await until(pilot, lambda: session["id"] in table.rows, "the session is listed")
        table.move_cursor(row=table.get_row_index(session["id"]))
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        await pilot.press(*"maintenance", "tab", "tab", "enter")
        ended = "finished: ended by an operator"
        await until(pilot, lambda: str(table.get_row(session["id"])[3]) == ended, "the row marked finished, and why")

    drive(scenario, logged_in(server, operator, tmp_path))
    detail = session_detail(server, operator, session["id"])
    assert detail["session"]["status"] == "finished"
    assert any("ended the session (maintenance)" in entry["text"] for entry in detail["log"])


def test_draining_the_node_takes_it_out_of_the_load_balancer_until_undrained(server: Server, operator, tmp_path):
    def ready() -> int:
        return httpx.get(server.url + "/ready", timeout=5).status_code

    async def scenario(app: AdminApp, pilot: Pilot[Any]) -> None:
        nodes = app.screen.query_one("#nodes", KeyedTable)
        await until(pilot, lambda: "node-test" in nodes.rows, "the node listed")
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        await pilot.press("tab", "enter")  # the dialog starts on Cancel, the safe default; Confirm is next
        await until(pilot, lambda: not isinstance(app.screen, ConfirmScreen), "the dialog closed")
        await until(pilot, shows(pilot, "DRAINING"), "the node shown draining")
        assert ready() == 503
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        await pilot.press("tab", "enter")
        await until(pilot, lambda: "DRAINING" not in str(nodes.get_row("node-test")[4]), "the node back")
        assert ready() == 200

    drive(scenario, logged_in(server, operator, tmp_path))


def test_the_users_tab_lists_the_accounts_with_their_roles(server: Server, operator, tmp_path):
    async def scenario(app: AdminApp, pilot: Pilot[Any]) -> None:
        await pilot.press("6")
        table = app.screen.query_one("#users-table", KeyedTable)
        await until(pilot, lambda: table.row_count >= 1, "the accounts")
        rows = [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]
        assert [operator, f"{operator}@example.com", "admin"] in [row[:3] for row in rows]

    drive(scenario, logged_in(server, operator, tmp_path))


def test_users_tab_disables_promotes_and_ends_logins_only_on_confirm(server: Server, operator, tmp_path):
    name = f"pat{uuid.uuid4().hex[:6]}"
    created = server.api("POST", "/api/v1/auth/register",
                         json={"username": name, "email": f"{name}@example.com", "password": PASSWORD})  # fmt: skip
    user_id = created["user"]["id"]

    def account() -> dict[str, Any]:
        token = server.login(operator)["accessToken"]
        users = server.api("GET", "/admin/users?limit=200", token)["users"]
        found: dict[str, Any] = next(u for u in users if u["id"] == user_id)
        return found

    async def scenario(app: AdminApp, pilot: Pilot[Any]) -> None:
        await pilot.press("6")
        table = app.screen.query_one("#users-table", KeyedTable)
        await until(pilot, lambda: user_id in table.rows, "the account listed")
        table.focus()
        table.move_cursor(row=table.get_row_index(user_id))
        await pilot.press("x")
        await until(pilot, shows(pilot, f"Disable {name}?"), "the confirmation")
        await pilot.press("enter")  # the dialog opens on Cancel: Enter alone changes nothing
        await until(pilot, lambda: not isinstance(app.screen, ConfirmScreen), "the dialog closed")
        assert account()["disabled"] is False
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation again")
        await pilot.press("tab", "enter")
        await until(pilot, lambda: str(table.get_row(user_id)[3]) == "disabled", "the account shown disabled")
        await pilot.press("p")
        await until(pilot, shows(pilot, f"Promote {name} to admin_readonly?"), "the promotion asked")
        await pilot.press("tab", "enter")
        await until(pilot, lambda: str(table.get_row(user_id)[2]) == "admin_readonly", "the new role shown")
        await pilot.press("l")
        await until(pilot, shows(pilot, f"End every login of {name}?"), "the revocation asked")
        await pilot.press("tab", "enter")
        await until(pilot, shows(pilot, f"logins of {name} ended"), "the revocation done")

    drive(scenario, logged_in(server, operator, tmp_path))
    assert (account()["disabled"], account()["role"]) == (True, "admin_readonly")
    refused = httpx.post(f"{server.url}/api/v1/auth/login", json={"login": name, "password": PASSWORD}, timeout=10)
    assert refused.json()["error"]["code"] == "ACCOUNT_DISABLED"
    audit = server.api("GET", "/admin/audit", server.login(operator)["accessToken"])["entries"]
    assert [e["action"] for e in audit if e["target"] == f"user/{user_id}"] == ["revoke_logins", "set_role", "disable"]


def _table_with_a_chat_message(server: Server, text: str) -> tuple[str, str]:
    """A waiting table whose creator said ``text`` in the players' chat: (session id, the creator's id)."""
    user = f"chat{uuid.uuid4().hex[:8]}"
    tokens = server.api(
        "POST", "/api/v1/auth/register", json={"username": user, "email": f"{user}@example.com", "password": PASSWORD}
    )
    created = server.api("POST", "/api/v1/sessions", tokens["accessToken"], json={"name": "Chat table"})

    async def say() -> None:
        from trio_websocket import open_websocket_url

        url = server.url.replace("http://", "ws://") + f"/api/v1/ws?token={created['sessionToken']}"
        async with open_websocket_url(url) as ws:
            await ws.send_message(json.dumps({"type": "chat", "data": {"text": text}}))
            while json.loads(await ws.get_message())["type"] != "chat_message":
                pass

    trio.run(say)
    return created["session"]["id"], created["playerId"]


def test_the_chat_screen_deletes_a_message_and_mutes_its_author_after_confirming(server: Server, operator, tmp_path):
    session_id, author = _table_with_a_chat_message(server, "buy cheap chips")

    async def scenario(app: AdminApp, pilot: Pilot[Any]) -> None:
        await open_game(app, pilot, session_id)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ChatScreen), "the chat screen")
        chat = app.screen.query_one("#chat-table", KeyedTable)
        await until(pilot, lambda: chat.row_count == 1, "the message listed")
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        await pilot.press(*"spam", "tab", "tab", "enter")
        await until(pilot, shows(pilot, "deleted"), "the message flagged deleted")
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the mute confirmation")
        await pilot.press("tab", "enter")  # from Cancel to Confirm
        await until(pilot, shows(pilot, "muted: " + author), "the author muted")

    drive(scenario, logged_in(server, operator, tmp_path))
    audit = server.api("GET", "/admin/audit", server.login(operator)["accessToken"])["entries"]
    mine = [entry for entry in audit if entry["target"] == f"session/{session_id}"]
    assert [entry["action"] for entry in mine] == ["chat_mute", "chat_delete"]
    assert mine[1]["details"]["reason"] == "spam"
