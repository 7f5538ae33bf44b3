"""A socket that closes while an entry of its session is being dispatched (issue 12, defect 2).

Three tables of bots play through nginx on two nodes sharing Redis, while a
loop opens WebSockets on those sessions and drops them at once, about a hundred
times. Each drop closes a subscription that the node's pub/sub reader may be
delivering to at that moment; that killed the node. Afterwards every node is
alive; a node drained with SIGTERM while the drops go on exits 0, the other
node keeps every table playing, and neither logged a traceback.
"""

from __future__ import annotations

import base64
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import trio

from tests.cluster.harness import Cluster
from tests.support.processes import wait_until

pytestmark = [pytest.mark.cluster, pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

TABLES = 3
PLAYERS = 4
CYCLES = 96


def _table(http: httpx.Client, number: int) -> tuple[str, str]:
    """A table of :data:`PLAYERS`: a registered creator; returns its join code and the creator's session token."""
    name = f"racer{number}{os.getpid()}"
    registered = http.post(
        "/auth/register", json={"username": name, "email": f"{name}@example.com", "password": "a race to the end 9!"}
    )
    assert registered.status_code == 201, registered.text
    created = http.post(
        "/sessions",
        json={"name": f"race {number}", "maxPlayers": PLAYERS},
        headers={"authorization": f"Bearer {registered.json()['accessToken']}"},
    )
    assert created.status_code == 201, created.text
    return created.json()["joinCode"], created.json()["sessionToken"]


@contextmanager
def _bots(cluster: Cluster, tables: list[tuple[str, str]]) -> Iterator[None]:
    """Bots filling every table, the creators' bots starting them; killed on the way out if still running."""
    bot = [sys.executable, "-m", "checkgame", "bot", "--url", cluster.url, "--think", "0.02"]
    processes = []
    for code, token in tables:
        processes.append(
            subprocess.Popen([*bot, "--code", code, "--count", str(PLAYERS - 1)], stdout=subprocess.DEVNULL)
        )
        processes.append(subprocess.Popen([*bot, "--session-token", token, "--start"], stdout=subprocess.DEVNULL))
    try:
        yield
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
            process.wait()


async def _connect_and_drop(port: int, token: str, rng: random.Random) -> None:
    """Upgrade to the session's WebSocket, read a little, and close the TCP connection without a goodbye."""
    key = base64.b64encode(rng.randbytes(16)).decode()
    request = (
        f"GET /api/v1/ws?token={token} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    try:
        await stream.send_all(request.encode())
        with trio.move_on_after(rng.uniform(0.0, 0.2)):
            while await stream.receive_some(65536):
                pass
    finally:
        await stream.aclose()


async def _drop_sockets(cluster: Cluster, tables: list[tuple[str, str]], cycles: int) -> None:
    """``cycles`` connect-and-drop cycles spread over the tables, one loop per table."""
    rng = random.Random(cycles)

    async def loop(token: str) -> None:
        for _ in range(cycles // len(tables)):
            await _connect_and_drop(cluster.port, token, rng)

    with trio.fail_after(60):  # a ceiling against a hang, not a speed requirement
        async with trio.open_nursery() as nursery:
            for _, token in tables:
                nursery.start_soon(loop, token)


async def _drain_while_dropping(cluster: Cluster, tables: list[tuple[str, str]]) -> int:
    """SIGTERM the first node while sockets keep being dropped; its exit status."""
    async with trio.open_nursery() as nursery:
        nursery.start_soon(_drop_sockets, cluster, tables, 30)
        return await trio.to_thread.run_sync(cluster.terminate, cluster.nodes[0])


def _progress(node_url: str, session_ids: list[str]) -> list[tuple[int, bool]]:
    """The latest entry number of each session, and whether its tournament is over, read from one node."""
    lives = [httpx.get(f"{node_url}/api/v1/sessions/{sid}", timeout=5).json()["live"] for sid in session_ids]
    return [(live["seq"], live["status"] == "finished") for live in lives]


def _moved_on(now: list[tuple[int, bool]], before: list[tuple[int, bool]]) -> bool:
    """Every table played on since ``before``, or finished its tournament."""
    return all(seq > seq_before or finished for (seq, finished), (seq_before, _) in zip(now, before, strict=True))


def test_sockets_closing_during_dispatch_kill_no_node(cluster: Cluster) -> None:
    with httpx.Client(base_url=cluster.url + "/api/v1", timeout=10) as http:
        tables = [_table(http, number) for number in range(TABLES)]
        session_ids = [http.get(f"/sessions?limit={TABLES}").json()["items"][i]["id"] for i in range(TABLES)]
    with _bots(cluster, tables):
        trio.run(_drop_sockets, cluster, tables, CYCLES)
        for node in cluster.nodes:
            assert node.alive, f"{node.name} died:\n{node.log.read_text(errors='replace')[-4000:]}"
            assert httpx.get(node.url + "/health", timeout=5).status_code == 200
        assert trio.run(_drain_while_dropping, cluster, tables) == 0
        survivor = cluster.nodes[1]
        before = _progress(survivor.url, session_ids)
        wait_until(lambda: _moved_on(_progress(survivor.url, session_ids), before),
                   "every table still playing through the surviving node", 30)  # fmt: skip
    for node in cluster.nodes:
        log = node.log.read_text(errors="replace")
        assert "Traceback" not in log, log[-4000:]
