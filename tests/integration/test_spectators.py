"""Spectators and chat over real WebSockets, on one node (live state in memory) and two nodes sharing Redis.

The spectator's every frame is checked for hidden cards: no hand, no drawn cards, no players' chat, over a
whole tournament played by bots.
"""

from __future__ import annotations

import json
import random
import secrets
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio
from trio_websocket import ConnectionClosed, WebSocketConnection

from checkgame.bots.table import BotPlayer
from checkgame.sessions.social import CHAT_MAX_CHARS
from tests.integration.conftest import (
    Account,
    Server,
    connect,
    create_session,
    eventually,
    join_as_guest,
    open_ws,
    play_to_the_end,
    register,
    serving,
)
from tests.support.services import require

FAST: dict[str, Any] = {"actions_per_s": 1000.0, "action_burst": 1000, "messages_per_min": 1_000_000}

HIDDEN_KEYS = {"hand", "hands", "cards"}
"""Keys that carry cards a spectator must never see: a dealt hand, every hand, the cards a player drew."""


def hidden_keys(value: Any) -> set[str]:
    """Every key of ``HIDDEN_KEYS`` anywhere inside ``value``."""
    found: set[str] = set()
    if isinstance(value, dict):
        found |= HIDDEN_KEYS & set(value)
        for item in value.values():
            found |= hidden_keys(item)
    elif isinstance(value, list):
        for item in value:
            found |= hidden_keys(item)
    return found


class Watcher:
    """A spectator's socket: every frame it receives is checked for hidden cards and the players' chat."""

    def __init__(self, ws: WebSocketConnection) -> None:
        self.ws = ws
        self.frames: list[dict[str, Any]] = []

    async def send(self, type_: str, **data: Any) -> None:
        await self.ws.send_message(json.dumps({"type": type_, "data": data}))

    async def receive(self) -> dict[str, Any]:
        message = json.loads(await self.ws.get_message())
        for frame in message if isinstance(message, list) else [message]:
            assert not hidden_keys(frame), frame
            assert not (frame["type"] == "chat_message" and frame["data"]["channel"] != "spectators"), frame
            self.frames.append(frame)
        return self.frames[-1]

    async def until(self, *types: str, timeout: float = 30) -> dict[str, Any]:
        with trio.fail_after(timeout):  # a ceiling against a hang, not a speed requirement
            while True:
                frame = await self.receive()
                if frame["type"] in types:
                    return frame


@asynccontextmanager
async def watch(server: Server, query: str) -> AsyncIterator[Watcher]:
    async with open_ws(server.url.replace("http://", "ws://") + f"/api/v1/ws/watch?{query}") as ws:
        yield Watcher(ws)


async def refused_with(server: Server, query: str) -> tuple[str, int]:
    """The error code and close code a spectator's upgrade is refused with."""
    async with watch(server, query) as watcher:
        frame = await watcher.receive()
        assert frame["type"] == "error", frame
        with pytest.raises(ConnectionClosed) as closed:
            await watcher.ws.get_message()
    assert closed.value.reason is not None
    return frame["data"]["code"], closed.value.reason.code


@asynccontextmanager
async def nodes(tmp_path: Path, live: str, **overrides: Any) -> AsyncIterator[tuple[Server, Server]]:
    """The players' node and the spectators' node: one node on memory, two sharing Redis."""
    if live == "memory":
        async with serving(tmp_path, **FAST, **overrides) as node:
            yield node, node
        return
    redis, run = require("redis"), secrets.token_hex(3)
    async with (
        serving(tmp_path, redis_url=redis, node_id=f"spec-a-{run}", **FAST, **overrides) as a,
        serving(tmp_path, redis_url=redis, node_id=f"spec-b-{run}", **FAST, **overrides) as b,
    ):
        yield a, b


@pytest.mark.parametrize("live", ["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def test_a_spectator_watches_a_whole_tournament_and_never_sees_a_hidden_card(tmp_path: Path, live: str) -> None:
    async with (
        nodes(tmp_path, live) as (players_node, spectators_node),
        httpx.AsyncClient(base_url=players_node.url + "/api/v1") as http,
    ):
        owner = await register(http)
        fan = await register(http)
        table = await create_session(http, owner, max_players=3)
        seats = [table, await join_as_guest(http, table.code, "B"), await join_as_guest(http, table.code, "C")]
        async with AsyncExitStack() as stack:
            anonymous = await stack.enter_async_context(watch(spectators_node, f"session={table.session_id}"))
            signed_in = await stack.enter_async_context(
                watch(spectators_node, f"session={table.session_id}&token={fan.access}")
            )
            for watcher in (anonymous, signed_in):
                state = await watcher.until("session_state")
                assert state["data"]["game"] is None
            clients = [await stack.enter_async_context(connect(players_node, seat)) for seat in seats]
            for client in clients:
                await client.until("session_state")
            detail = f"/sessions/{table.session_id}"
            await eventually(lambda: http.get(detail), lambda body: body["session"]["spectators"] == 2)
            listed = (await http.get("/sessions", params={"status": "waiting"})).json()["items"]
            assert [item["spectators"] for item in listed if item["id"] == table.session_id] == [2]

            await clients[0].send("chat", text="good luck all")
            await signed_in.send("chat", text="go B!")
            said = await clients[1].until("chat_message")
            assert said["data"] == {"channel": "players", "from": table.player_id, "name": owner.username,
                                    "text": "good luck all"}  # fmt: skip
            heard = await anonymous.until("chat_message")
            assert heard["data"]["text"] == "go B!"
            assert heard["data"]["name"] == fan.username

            await anonymous.send("draw_card")  # a spectator cannot act: an error frame, and the socket stays
            refusal = await anonymous.until("error")
            assert refusal["data"]["code"] == "SPECTATOR_CANNOT_ACT"
            await anonymous.send("chat", text="hello?")
            assert (await anonymous.until("error"))["data"]["code"] == "CHAT_NEEDS_ACCOUNT"

            async with trio.open_nursery() as players:
                for n, client in enumerate(clients):
                    players.start_soon(play_to_the_end, client, BotPlayer(f"p{n}", rng=random.Random(n)))
                await clients[0].send("start_game")
            for watcher in (anonymous, signed_in):
                finished = await watcher.until("tournament_finished")
                assert len(finished["data"]["ranking"]) == 3
        for client in clients:  # the players never heard the spectators' chat
            assert all(f["data"].get("channel") != "spectators" for f in client.frames if f["type"] == "chat_message")
        kinds = {frame["type"] for frame in anonymous.frames}
        assert {"game_started", "card_played", "card_drawn", "player_eliminated"} <= kinds
        drawn = [frame["data"] for frame in anonymous.frames if frame["type"] == "card_drawn"]
        assert drawn
        assert all(isinstance(data.get("count"), int) for data in drawn)  # how many, never which


async def test_a_private_table_is_watched_with_its_code_and_the_caps_close_with_4429(tmp_path: Path) -> None:
    async with (
        serving(tmp_path, max_spectators_per_table=1) as server,
        httpx.AsyncClient(base_url=server.url + "/api/v1") as http,
    ):
        owner: Account = await register(http)
        table = await create_session(http, owner, max_players=2, isPrivate=True, spectatorDelaySeconds=0)
        assert await refused_with(server, f"session={table.session_id}") == ("SESSION_NOT_FOUND", 1008)
        assert await refused_with(server, "session=nope&code=ZZZZZZ") == ("SESSION_NOT_FOUND", 1008)
        assert await refused_with(server, "") == ("VALIDATION_ERROR", 1008)
        async with watch(server, f"code={table.code.lower()}") as first:
            state = await first.until("session_state")
            assert state["sessionId"] == table.session_id
            assert state["data"]["spectators"] == 1
            scraped = (await http.get(server.url + "/metrics")).text
            assert "\ncheckgame_spectators_connected 1.0\n" in scraped
            assert await refused_with(server, f"session={table.session_id}&code={table.code}") == (
                "SPECTATORS_FULL",
                4429,
            )
        detail = f"/sessions/{table.session_id}"
        await eventually(  # the creator sees a private table
            lambda: http.get(detail, headers=owner.auth), lambda body: body["session"]["spectators"] == 0
        )
    async with (
        serving(tmp_path / "n", max_spectators_per_node=0) as server,
        httpx.AsyncClient(base_url=server.url + "/api/v1") as http,
    ):
        table = await create_session(http, await register(http))
        assert await refused_with(server, f"session={table.session_id}") == ("SPECTATORS_FULL", 4429)


async def test_chat_is_limited_in_length_and_rate_and_reports_reach_no_player(tmp_path: Path) -> None:
    async with serving(tmp_path, chat_per_min=6) as server, httpx.AsyncClient(base_url=server.url + "/api/v1") as http:
        owner = await register(http)
        table = await create_session(http, owner, max_players=2)
        async with connect(server, table) as ann:
            await ann.until("session_state")
            await ann.send("chat", text="x" * (CHAT_MAX_CHARS + 1))
            assert (await ann.until("error"))["data"]["code"] == "MESSAGE_TOO_LONG"
            await ann.send("chat", text="hi")
            said = await ann.until("chat_message")
            await ann.send("report_chat", seq=said["seq"], reason="testing")
            await ann.send("chat", text="again")  # the burst of three (a refusal counts too) is spent
            assert (await ann.until("error"))["data"]["code"] == "RATE_LIMITED"
            assert all(frame["type"] != "chat_reported" for frame in ann.frames)  # reports are for operators
    counted = server.services.metrics.registry.get_sample_value
    assert counted("checkgame_chat_messages_total", {"channel": "players"}) == 1
    assert counted("checkgame_chat_refusals_total", {"code": "MESSAGE_TOO_LONG"}) == 1
    assert counted("checkgame_chat_refusals_total", {"code": "RATE_LIMITED"}) == 1
