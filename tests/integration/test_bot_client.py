"""Computer players against a real server, through the public REST and WebSocket API only.

The server's action and frame limits are raised so that bots may move as fast as the server answers;
the ceilings (``fail_after``) are there to turn a hang into a failure, not to measure speed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio
from trio_websocket import WebSocketRequest, serve_websocket

from checkgame.bots.client import BotError, BotResult, run_bot
from checkgame.bots.client import Seat as BotSeat
from checkgame.cli import main
from tests.integration.conftest import (
    PASSWORD,
    Account,
    Seat,
    Server,
    create_session,
    eventually,
    register,
    start_server,
)

FAST = {"actions_per_s": 10_000.0, "action_burst": 10_000, "messages_per_min": 1_000_000}
"""Server limits that never refuse a bot."""
NO_PACING = 10_000.0
"""The bots' own pacing, raised to match."""


@pytest.fixture
async def fast_server(nursery: trio.Nursery, tmp_path: Path) -> Any:
    node = await start_server(nursery, tmp_path, **FAST)
    yield node
    node.stop.set()


@pytest.fixture
async def fast_http(fast_server: Server) -> Any:
    async with httpx.AsyncClient(base_url=fast_server.url + "/api/v1", timeout=10) as client:
        yield client


async def wait_for_players(http: httpx.AsyncClient, session_id: str, count: int) -> None:
    with trio.fail_after(10):
        while True:  # polling the public API, as a client would
            if (await http.get(f"/sessions/{session_id}")).json()["session"]["playerCount"] >= count:
                return
            await trio.sleep(0.02)


def ws_url(server: Server, token: str, base: str | None = None) -> str:
    return (base or server.url).replace("http://", "ws://") + f"/api/v1/ws?token={token}"


@pytest.mark.slow
async def test_three_bots_play_a_whole_tournament(fast_server: Server, fast_http: httpx.AsyncClient) -> None:
    owner = await register(fast_http)
    table = await create_session(fast_http, owner, max_players=3)
    creator = BotSeat(table.session_id, table.player_id, table.token, ws_url(fast_server, table.token))
    results: dict[str, BotResult] = {}
    events: list[dict[str, Any]] = []

    async def play(name: str, **how: Any) -> None:
        results[name] = await run_bot(
            fast_server.url, name=name, seed=len(name), on_event=events.append, think_s=0.0, actions_per_s=NO_PACING,
            **how,
        )  # fmt: skip

    with trio.fail_after(60):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(lambda: play(owner.username, seat=creator))  # the creator plays as a bot too
            nursery.start_soon(lambda: play("Bot1", code=table.code))
            nursery.start_soon(lambda: play("Bot2", session_id=table.session_id))
            await wait_for_players(fast_http, table.session_id, 3)
            started = await fast_http.post(
                f"/sessions/{table.session_id}/games/start", headers={"Authorization": f"Bearer {table.token}"}
            )
            assert started.status_code == 200, started.text

    assert not [e for e in events if e["type"] in ("refused", "reconnecting")], events
    ranking = results[owner.username].ranking
    assert sorted(ranking) == sorted(r.player_id for r in results.values())
    assert results[owner.username].player_id == owner.user_id
    for result in results.values():
        assert result.ranking == ranking
        assert result.rank == ranking.index(result.player_id) + 1
        assert result.games_played == {1: 2, 2: 2, 3: 1}[result.rank]  # the last is out after game 1
        assert result.actions_sent > 0
        assert result.reconnects == 0
    names = {r.player_id: r.name for r in results.values()}
    assert results["Bot1"].ranking_names == tuple(names[p] for p in ranking)

    games = (await fast_http.get(f"/sessions/{table.session_id}/games")).json()["items"]
    assert [g["loser"] for g in sorted(games, key=lambda g: g["number"])] == list(reversed(ranking[1:]))
    detail = (await fast_http.get(f"/sessions/{table.session_id}")).json()
    assert detail["session"]["status"] == "finished"
    assert detail["session"]["winnerId"] == ranking[0]


@pytest.mark.slow
async def test_bots_survive_a_turn_timer_that_races_their_moves(nursery: trio.Nursery, tmp_path: Path) -> None:
    """The timer sometimes moves for a bot that is still thinking: its move goes stale, or is refused and it resyncs."""
    server = await start_server(nursery, tmp_path, turn_timeout_s=0.12, **FAST)
    events: list[dict[str, Any]] = []
    results: dict[str, BotResult] = {}
    async with httpx.AsyncClient(base_url=server.url + "/api/v1", timeout=10) as http:
        owner = await register(http)
        table = await create_session(http, owner, max_players=2)
        creator = BotSeat(table.session_id, table.player_id, table.token, ws_url(server, table.token))

        async def play(name: str, **how: Any) -> None:
            results[name] = await run_bot(
                server.url, name=name, seed=len(name), think_s=0.1, actions_per_s=NO_PACING, on_event=events.append,
                **how,
            )  # fmt: skip

        with trio.fail_after(60):
            async with trio.open_nursery() as players:
                players.start_soon(lambda: play(owner.username, seat=creator))
                players.start_soon(lambda: play("Bot1", code=table.code))
                await wait_for_players(http, table.session_id, 2)
                started = await http.post(
                    f"/sessions/{table.session_id}/games/start", headers={"Authorization": f"Bearer {table.token}"}
                )
                assert started.status_code == 200, started.text
    server.stop.set()
    assert sorted(r.rank for r in results.values() if r.rank is not None) == [1, 2]
    assert len({r.ranking for r in results.values()}) == 1
    refusals = [e for e in events if e["type"] == "refused"]
    assert all(e["code"] in ("NOT_YOUR_TURN", "GAME_OVER", "MUST_COUNTER_OR_DRAW", "INVALID_PLAY") for e in refusals)


async def test_a_bad_join_code_reports_the_servers_error(fast_server: Server) -> None:
    with pytest.raises(BotError, match=r"^SESSION_NOT_FOUND: no session has this code$"):
        await run_bot(fast_server.url, code="ZZZZZZ", name="Lost")


async def test_an_unreachable_server_is_reported(nursery: trio.Nursery) -> None:
    listeners = await trio.open_tcp_listeners(0, host="127.0.0.1")
    port = listeners[0].socket.getsockname()[1]
    for listener in listeners:
        await listener.aclose()  # a port that nothing listens on
    with pytest.raises(BotError, match="cannot reach the server"):
        await run_bot(f"http://127.0.0.1:{port}", code="ABCDEF", name="Lost")


class Proxy:
    """A TCP relay in front of the server whose connections the test can cut (a dropped network)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = 0
        self.links: list[trio.CancelScope] = []
        self.connections = 0
        self.connected = trio.Event()
        self.requests: list[bytes] = []
        """The request line of each connection (``GET /api/v1/ws?token=...&lastSeq=... HTTP/1.1``)."""

    async def serve(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        listeners = await trio.open_tcp_listeners(0, host="127.0.0.1")
        self.port = listeners[0].socket.getsockname()[1]
        task_status.started()
        await trio.serve_listeners(self._relay, listeners)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cut(self) -> None:
        for link in self.links:
            link.cancel()

    async def _relay(self, client: trio.SocketStream) -> None:
        self.connections += 1
        self.connected.set()
        async with client, await trio.open_tcp_stream("127.0.0.1", self.target_port) as upstream:
            first = await client.receive_some()
            self.requests.append(first.split(b"\r\n", 1)[0])
            await upstream.send_all(first)
            with trio.CancelScope() as link:
                self.links.append(link)
                async with trio.open_nursery() as nursery:
                    nursery.start_soon(self._pump, client, upstream, link)
                    nursery.start_soon(self._pump, upstream, client, link)

    @staticmethod
    async def _pump(source: trio.SocketStream, target: trio.SocketStream, link: trio.CancelScope) -> None:
        try:
            async for chunk in source:
                await target.send_all(chunk)
        except trio.BrokenResourceError:
            pass
        link.cancel()


@pytest.mark.slow
async def test_a_bot_resumes_after_its_connection_drops(fast_server: Server, fast_http: httpx.AsyncClient) -> None:
    owner = await register(fast_http)
    table = await create_session(fast_http, owner, max_players=2)
    proxy = Proxy(int(fast_server.url.rsplit(":", 1)[1]))
    events: list[dict[str, Any]] = []
    results: dict[str, BotResult] = {}

    async def play(
        name: str, seat: BotSeat, think_s: float, on_event: Callable[[dict[str, Any]], None] | None = None
    ) -> None:
        results[name] = await run_bot(
            fast_server.url, name=name, seat=seat, seed=len(name), think_s=think_s, actions_per_s=NO_PACING,
            on_event=on_event,
        )  # fmt: skip

    creator = BotSeat(table.session_id, table.player_id, table.token, ws_url(fast_server, table.token))
    with trio.fail_after(60):
        async with trio.open_nursery() as nursery:
            await nursery.start(proxy.serve)
            joined = await fast_http.post("/sessions/join-by-code", json={"code": table.code, "name": "Guest"})
            body = joined.json()
            token = body["sessionToken"]
            guest = BotSeat(table.session_id, body["playerId"], token, ws_url(fast_server, token, proxy.url))
            async with trio.open_nursery() as players:
                players.start_soon(play, "owner", creator, 0.0)
                players.start_soon(play, "Guest", guest, 0.1, events.append)
                await proxy.connected.wait()  # the guest is at the table before the game starts
                started = await fast_http.post(
                    f"/sessions/{table.session_id}/games/start", headers={"Authorization": f"Bearer {table.token}"}
                )
                assert started.status_code == 200, started.text
                await trio.sleep(0.2)  # a few moves into the game
                assert not results, "the game ended before the cut"
                proxy.cut()
            nursery.cancel_scope.cancel()  # the proxy

    reconnecting = [e for e in events if e["type"] == "reconnecting"]
    assert reconnecting, events
    assert reconnecting[0]["code"] == 1006
    assert results["Guest"].reconnects >= 1
    assert proxy.connections >= 2
    assert b"lastSeq=" not in proxy.requests[0]  # the first connection asks for a snapshot
    assert b"lastSeq=" in proxy.requests[1]  # the reconnection only for the entries it missed
    assert {results["Guest"].rank, results["owner"].rank} == {1, 2}
    assert results["Guest"].ranking == results["owner"].ranking
    assert not [e for e in events if e["type"] == "refused"], events


async def run_cli(*argv: str) -> int:
    """The command line runs its own trio loop: give it a thread."""
    return await trio.to_thread.run_sync(main, list(argv))


async def test_the_bot_command_reports_a_bad_code_and_exits_1(
    fast_server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    status = await run_cli("bot", "--url", fast_server.url, "--code", "ZZZZZZ", "--count", "2")
    assert status == 1
    err = capsys.readouterr().err
    assert "SESSION_NOT_FOUND: no session has this code" in err


async def test_the_bot_command_gives_back_its_seats_when_the_session_is_full(
    fast_server: Server, fast_http: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    owner = await register(fast_http)
    table = await create_session(fast_http, owner, max_players=2)
    status = await run_cli("bot", "--url", fast_server.url, "--code", table.code, "--count", "2")
    assert status == 1
    assert "SESSION_FULL" in capsys.readouterr().err
    live = (await fast_http.get(f"/sessions/{table.session_id}")).json()["live"]
    assert [s["name"] for s in live["seats"] if not s["left"]] == [owner.username]


# ------------------------------------------------------------------ operators: pings, kicks, the end of a session


async def administrator(server: Server, http: httpx.AsyncClient) -> dict[str, str]:
    """Headers of a user made an administrator in the database and logged in again (the token carries the role)."""
    account: Account = await register(http)
    await server.services.store.set_role(account.user_id, "admin")
    login = await http.post("/auth/login", json={"login": account.username, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['accessToken']}"}


class WatchedBot:
    """One bot playing a session at full speed, its events recorded; ``dealt`` is set when it is dealt cards."""

    def __init__(self, server: Server, code: str) -> None:
        self.server, self.code = server, code
        self.events: list[dict[str, Any]] = []
        self.dealt = trio.Event()
        self.result: BotResult | None = None

    async def play(self) -> None:
        self.result = await run_bot(
            self.server.url, name="Bot1", code=self.code, think_s=0.0, actions_per_s=NO_PACING, on_event=self._seen
        )

    def _seen(self, event: dict[str, Any]) -> None:
        self.events.append(event)
        if event["type"] == "game_started":
            self.dealt.set()


async def deal(http: httpx.AsyncClient, table: Seat, bot: WatchedBot) -> None:
    """Start the session's tournament once the bot sits at the table, and wait until the bot holds its cards."""
    await wait_for_players(http, table.session_id, 2)
    started = await http.post(
        f"/sessions/{table.session_id}/games/start", headers={"Authorization": f"Bearer {table.token}"}
    )
    assert started.status_code == 200, started.text
    await bot.dealt.wait()


async def test_a_bot_answers_pings_and_stops_when_kicked_without_reconnecting(
    fast_server: Server, fast_http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fast_server.services, "settings", replace(fast_server.services.settings, ping_interval_s=0.05))
    admin = await administrator(fast_server, fast_http)
    table = await create_session(fast_http, await register(fast_http), max_players=2)  # the owner never connects
    bot = WatchedBot(fast_server, table.code)

    async def connections() -> httpx.Response:
        return await fast_http.get(fast_server.url + "/admin/connections", headers=admin)

    with trio.fail_after(30):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(bot.play)
            await deal(fast_http, table, bot)
            bot_id = bot.events[0]["playerId"]
            answered = await eventually(connections, lambda b: any(c["rttMs"] is not None for c in b["connections"]))
            assert [c["playerId"] for c in answered["connections"] if c["rttMs"] is not None] == [bot_id]
            kicked = await fast_http.post(
                f"{fast_server.url}/admin/sessions/{table.session_id}/kick",
                json={"playerId": bot_id, "reason": "testing"},
                headers=admin,
            )
            assert kicked.status_code == 200, kicked.text

    assert bot.result is not None
    assert (bot.result.stopped, bot.result.rank, bot.result.reconnects) == ("kicked", None, 0)
    notable = [e for e in bot.events if e["type"] in ("kicked", "reconnecting", "refused")]
    assert notable == [{"type": "kicked", "bot": "Bot1", "reason": "testing"}]
    await eventually(connections, lambda b: not [c for c in b["connections"] if c["playerId"] == bot_id])


async def test_a_bot_stops_when_an_operator_ends_the_session(fast_server: Server, fast_http: httpx.AsyncClient) -> None:
    admin = await administrator(fast_server, fast_http)
    table = await create_session(fast_http, await register(fast_http), max_players=2)  # the owner never moves
    bot = WatchedBot(fast_server, table.code)
    with trio.fail_after(30):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(bot.play)
            await deal(fast_http, table, bot)
            ended = await fast_http.post(
                f"{fast_server.url}/admin/sessions/{table.session_id}/end",
                json={"reason": "maintenance"},
                headers=admin,
            )
            assert ended.status_code == 200, ended.text

    assert bot.result is not None
    assert (bot.result.stopped, bot.result.rank, bot.result.reconnects, bot.result.ranking) == ("ended", None, 0, ())
    assert [e["type"] for e in bot.events] == ["joined", "game_started", "session_ended"]
    assert bot.events[-1]["reason"] == "maintenance"


async def test_a_close_with_4403_alone_stops_the_bot(nursery: trio.Nursery) -> None:
    """Even when the ``player_kicked`` entry never arrived, the close code says the seat is gone: no reconnecting."""
    handshakes = 0

    async def kick_at_once(request: WebSocketRequest) -> None:
        nonlocal handshakes
        handshakes += 1
        ws = await request.accept()
        await ws.send_message(json.dumps({"type": "connection_established", "data": {"playerId": "p1"}, "seq": None}))
        await ws.aclose(code=4403, reason="KICKED")

    server = await nursery.start(serve_websocket, kick_at_once, "127.0.0.1", 0, None)
    base = f"http://127.0.0.1:{server.port}"
    seat = BotSeat("s1", "p1", "token", f"ws://127.0.0.1:{server.port}/api/v1/ws?token=token", "Bot1")
    events: list[dict[str, Any]] = []
    with trio.fail_after(10):
        result = await run_bot(base, name="Bot1", seat=seat, on_event=events.append)
    assert (result.stopped, result.rank, result.reconnects) == ("kicked", None, 0)
    assert handshakes == 1
    assert [e["type"] for e in events] == ["joined", "kicked"]
