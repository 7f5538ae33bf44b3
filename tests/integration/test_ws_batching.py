"""Batched delivery (``batch=1``): the frames that wait together arrive as one JSON array, the same frames in order."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import trio
from trio_websocket import ConnectionClosed, WebSocketConnection

from checkgame.transport.ws import codec
from tests.integration.conftest import Seat, Server, create_session, join_as_guest, open_ws, register


@dataclass
class Wire:
    """One socket, recording each WebSocket message as it came (object or array) and the frames in it."""

    ws: WebSocketConnection
    messages: list[Any] = field(default_factory=list)
    frames: list[dict[str, Any]] = field(default_factory=list)

    async def send(self, type_: str, **data: Any) -> None:
        await self.ws.send_message(json.dumps({"type": type_, "data": data}))

    async def until(self, done: Any, timeout: float = 10) -> dict[str, Any]:
        """Receive until a frame satisfies ``done`` (a ceiling, not a speed check)."""
        with trio.fail_after(timeout):
            while True:
                message = json.loads(await self.ws.get_message())
                self.messages.append(message)
                frames: list[dict[str, Any]] = message if isinstance(message, list) else [message]
                for frame in frames:
                    self.frames.append(frame)
                    if done(frame):
                        return frame

    async def through(self, seq: int) -> None:
        """Receive until the entry ``seq`` has arrived (maybe already)."""
        if not any(seq_of(frame) >= seq for frame in self.frames):
            await self.until(lambda frame: seq_of(frame) >= seq)

    def entries(self, up_to: int) -> list[dict[str, Any]]:
        """The log entries received (frames with a ``seq``, snapshots aside) up to seq ``up_to``."""
        return [
            f for f in self.frames if f["type"] != "session_state" and f.get("seq") is not None and f["seq"] <= up_to
        ]


@asynccontextmanager
async def wire(server: Server, seat: Seat, query: str = "") -> AsyncIterator[Wire]:
    url = server.url.replace("http://", "ws://") + f"/api/v1/ws?token={seat.token}{query}"
    async with open_ws(url) as ws:
        yield Wire(ws)


def seq_of(frame: dict[str, Any]) -> int:
    """The frame's ``seq``, -1 when it carries none (pings, greetings, acks)."""
    seq = frame.get("seq")
    return -1 if seq is None else int(seq)


def of_type(*types: str) -> Any:
    return lambda frame: frame["type"] in types


async def two_seats(http: httpx.AsyncClient) -> tuple[Seat, Seat]:
    owner = await register(http)
    table = await create_session(http, owner, max_players=2)
    return table, await join_as_guest(http, table.code, "Guest")


async def current_seq(server: Server, session_id: str) -> int:
    state = await server.services.sessions.live.load(session_id)
    assert state is not None
    return state.seq


async def test_a_batching_client_gets_the_same_frames_as_arrays(server: Server, http: httpx.AsyncClient) -> None:
    table, guest = await two_seats(http)
    async with (
        wire(server, table) as plain,
        wire(server, table, "&batch=1") as batched,
        wire(server, guest, "&batch=0") as bob,
    ):
        for client in (plain, batched, bob):
            await client.until(of_type("session_state"))
        # the greeting and the first snapshot are queued before the writer starts: one array
        assert isinstance(batched.messages[0], list)
        assert [f["type"] for f in batched.messages[0]] == ["connection_established", "session_state"]
        await plain.send("start_game")
        await plain.until(of_type("game_started"))
        await plain.send("draw_card", actionId="a1")  # the creator plays first: a draw, then the turn passes
        await plain.until(of_type("turn_changed"))
        last = await current_seq(server, table.session_id)
        for client in (plain, batched, bob):
            await client.through(last)

        assert batched.entries(last) == plain.entries(last)  # the very frames, in the same order
        assert [f["type"] for f in batched.entries(last)][-2:] == ["card_drawn", "turn_changed"]
        assert not any(isinstance(m, list) for m in plain.messages + bob.messages)  # no opt-in: today's protocol
        arrays = [m for m in batched.messages if isinstance(m, list)]
        assert all(len(m) > 1 for m in arrays)  # a single waiting frame goes out as a plain object
        # the entries of one move are published together, so they are queued together: one message
        assert ["card_drawn", "turn_changed"] in [[f["type"] for f in m] for m in arrays]
    exported = (await http.get(f"{server.url}/metrics")).text
    batches = next(line for line in exported.splitlines() if line.startswith("checkgame_ws_batches_total "))
    assert float(batches.split()[1]) >= len(arrays)


@pytest.mark.parametrize("value", ["yes", "2", "", "true"])
async def test_a_bad_batch_value_is_refused_with_1008(server: Server, http: httpx.AsyncClient, value: str) -> None:
    table, _ = await two_seats(http)
    before = await current_seq(server, table.session_id)
    async with wire(server, table, f"&batch={value}") as client:
        refused = await client.until(of_type("error", "connection_established"))
        assert refused["type"] == "error"
        assert refused["data"]["code"] == "VALIDATION_ERROR"
        assert "batch" in refused["data"]["message"]
        with pytest.raises(ConnectionClosed) as closed:
            await client.ws.get_message()
        assert closed.value.reason is not None
        assert closed.value.reason.code == 1008
    assert await current_seq(server, table.session_id) == before  # refused at the door: nothing changed


async def test_resume_with_last_seq_and_batch(server: Server, http: httpx.AsyncClient) -> None:
    table, guest = await two_seats(http)
    async with wire(server, table) as ann:
        await ann.until(of_type("session_state"))
        async with wire(server, guest, "&batch=1") as bob:
            await bob.until(of_type("session_state"))
            await ann.send("start_game")
            await ann.until(of_type("game_started"))
            seen = await current_seq(server, table.session_id)
            await bob.through(seen)
        await ann.send("draw_card", actionId="a1")  # bob is away
        await ann.until(of_type("turn_changed"))
        last = await current_seq(server, table.session_id)
        missed = [f["seq"] for f in ann.entries(last) if f["seq"] > seen]
        assert len(missed) >= 2
        async with wire(server, guest, f"&lastSeq={seen}&batch=1") as back:
            await back.through(last)
            # the greeting and the replay were waiting together: one array, each missed entry once, in order
            first = back.messages[0]
            assert isinstance(first, list)
            assert first[0]["type"] == "connection_established"
            assert [f["seq"] for f in back.entries(last)] == missed
            drawn = next(f for f in back.frames if f["type"] == "card_drawn")
            assert "cards" not in drawn["data"]  # a batch carries what this viewer may see, nothing more


async def test_a_batch_never_holds_more_than_the_bound(
    server: Server, http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(codec, "BATCH_MAX_FRAMES", 2)
    table, guest = await two_seats(http)
    async with wire(server, table) as ann, wire(server, guest, "&batch=1") as bob:
        await ann.until(of_type("session_state"))
        await bob.until(of_type("session_state"))
        seen = await current_seq(server, table.session_id)
        await ann.send("start_game")
        await ann.until(of_type("game_started"))
        await ann.send("draw_card", actionId="a1")
        await ann.until(of_type("turn_changed"))
        last = await current_seq(server, table.session_id)
        async with wire(server, guest, f"&lastSeq={seen}&batch=1") as back:  # greeting + 4 entries wait at once
            await back.through(last)
            assert max(len(m) if isinstance(m, list) else 1 for m in back.messages) == 2  # the rest followed
            assert [f["seq"] for f in back.entries(last)] == list(range(seen + 1, last + 1))
