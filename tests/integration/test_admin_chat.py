"""Chat moderation through the admin API: read a table's chat, delete a message, mute a user, all audited."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.integration.conftest import Server, connect, create_session, expect_error, join_as_guest, open_ws, register
from tests.integration.test_admin_api import promoted


@pytest.fixture
async def admin_http(server: Server) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url + "/admin", timeout=10) as client:
        yield client


async def test_an_operator_reads_deletes_and_mutes_and_every_action_is_audited(
    server: Server, http: httpx.AsyncClient, admin_http: httpx.AsyncClient
) -> None:
    admin, owner, fan = await promoted(server, http), await register(http), await register(http)
    table = await create_session(http, owner, max_players=2)
    guest = await join_as_guest(http, table.code, "Bob")
    sid = table.session_id
    watch_url = server.url.replace("http://", "ws://") + f"/api/v1/ws/watch?session={sid}&token={fan.access}"
    async with connect(server, table) as ann, connect(server, guest) as bob, open_ws(watch_url) as spectator:
        for client in (ann, bob):
            await client.until("session_state")
        await ann.send("chat", text="you will lose")
        rude = await bob.until("chat_message")
        await spectator.send_message('{"type": "chat", "data": {"text": "popcorn"}}')
        await bob.send("report_chat", seq=rude["seq"], reason="unkind")
        await ann.send("ping")
        await ann.until("pong")

        chat = (await admin_http.get(f"/sessions/{sid}/chat", headers=admin.auth)).json()
        by_text = {message["text"]: message for message in chat["messages"]}
        assert set(by_text) == {"you will lose", "popcorn"}
        assert (by_text["you will lose"]["channel"], by_text["you will lose"]["reports"]) == ("players", 1)
        assert (by_text["popcorn"]["channel"], by_text["popcorn"]["from"]) == ("spectators", fan.user_id)
        assert [(r["messageSeq"], r["reporter"], r["reason"]) for r in chat["reports"]] == [
            (rude["seq"], guest.player_id, "unkind")
        ]
        assert chat["spectators"] == 1

        deleted = await admin_http.post(f"/sessions/{sid}/chat/delete", json={"seq": rude["seq"]}, headers=admin.auth)
        assert deleted.status_code == 200, deleted.text
        assert (await bob.until("chat_deleted"))["data"] == {"messageSeq": rude["seq"]}
        missing = await admin_http.post(f"/sessions/{sid}/chat/delete", json={"seq": 1}, headers=admin.auth)
        expect_error(missing, 404, "MESSAGE_NOT_FOUND")  # seq 1 is a join, not a chat message

        muted = await admin_http.post(f"/sessions/{sid}/chat/mute", json={"playerId": table.player_id},
                                      headers=admin.auth)  # fmt: skip
        assert muted.status_code == 200, muted.text
        await ann.until("chat_muted")
        await ann.send("chat", text="sorry")
        assert (await ann.until("error"))["data"]["code"] == "CHAT_MUTED"

        chat = (await admin_http.get(f"/sessions/{sid}/chat", headers=admin.auth)).json()
        assert [m["deleted"] for m in chat["messages"] if m["seq"] == rude["seq"]] == [True]
        assert chat["muted"] == [table.player_id]
    audit = (await admin_http.get("/audit", headers=admin.auth)).json()["entries"]
    assert [entry["action"] for entry in audit] == ["chat_mute", "chat_delete"]
    assert audit[1]["details"]["text"] == "you will lose"
    assert all("token" not in str(entry["details"]).lower() for entry in audit)
