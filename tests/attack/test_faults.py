"""Faults of the durable store under a real node: PostgreSQL refusing connections (issue 12, defect 4).

The outage is real: the node's database stops taking connections
(``ALLOW_CONNECTIONS false``) and its open ones are terminated. A player leaves
meanwhile, which only the live state sees at once; the recorder must hold
that seat change until the database is back, however long that takes, and
then write it (it used to give up after five attempts, about 7.5 s).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import trio
from trio_websocket import ConnectionClosed

from tests.attack.harness import Target
from tests.cluster.harness import drop_postgres_database, fresh_postgres_database, psql
from tests.integration.conftest import Seat, connect_url, create_session, join_as_guest, register
from tests.support.processes import wait_until
from tests.support.services import require

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

OUTAGE_S = 12.0
"""Longer than the five attempts the recorder used to make (0.5 + 1 + 1.5 + 2 + 2.5 s)."""

SHUTDOWN_TIMEOUT_S = 3


@dataclass
class PostgresNode:
    """A node on a PostgreSQL database of its own, whose connections the test can cut."""

    target: Target
    admin_url: str
    database: str

    def outage(self) -> None:
        psql(self.admin_url, f'ALTER DATABASE "{self.database}" ALLOW_CONNECTIONS false')
        psql(
            self.admin_url, f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{self.database}'"
        )

    def recover(self) -> None:
        psql(self.admin_url, f'ALTER DATABASE "{self.database}" ALLOW_CONNECTIONS true')


@pytest.fixture
def pg_node(tmp_path: Path) -> Iterator[PostgresNode]:
    admin_url = require("postgres")
    database_url, name = fresh_postgres_database(admin_url)
    target = Target(
        tmp_path / "node",
        settings={
            "DATABASE_URL": f"{database_url}?connect_timeout=2&command_timeout=2",
            "CHECKGAME_SHUTDOWN_TIMEOUT_S": str(SHUTDOWN_TIMEOUT_S),
        },
    )
    node = PostgresNode(target, admin_url, name)
    try:
        target.start()
        yield node
    finally:
        target.stop()
        node.recover()
        drop_postgres_database(admin_url, name)


async def _table_of_three(url: str) -> tuple[Seat, Seat]:
    """A waiting session with its creator and two guests, every seat in the database; returns (creator, guest)."""
    async with httpx.AsyncClient(base_url=url + "/api/v1", timeout=10) as http:
        table = await create_session(http, await register(http), max_players=3)
        guest = await join_as_guest(http, table.code, "Leaver")
        await join_as_guest(http, table.code, "Stayer")
    await trio.to_thread.run_sync(wait_until, lambda: _players(url, table.session_id) == 3, "three seats stored", 10)
    return table, guest


def _players(url: str, session_id: str) -> int:
    """The seats of the session as the database has them (``playerCount`` is read from the store)."""
    response = httpx.get(f"{url}/api/v1/sessions/{session_id}", timeout=5)
    response.raise_for_status()
    count: int = response.json()["session"]["playerCount"]
    return count


async def _leave_over_websocket(url: str, seat: Seat) -> None:
    async with connect_url(url, seat) as client:
        await client.until("session_state")
        await client.send("leave_game")
        with pytest.raises(ConnectionClosed) as closed:
            await client.until("never")
    reason = closed.value.reason
    assert reason is not None
    assert reason.reason == "left the session"


async def test_a_seat_released_during_a_database_outage_reaches_the_database(pg_node: PostgresNode) -> None:
    node = pg_node.target
    table, guest = await _table_of_three(node.url)
    await trio.to_thread.run_sync(pg_node.outage)
    try:
        await _leave_over_websocket(node.url, guest)  # the live state takes it; the database cannot
        await trio.sleep(OUTAGE_S)
    finally:
        await trio.to_thread.run_sync(pg_node.recover)
    await trio.to_thread.run_sync(
        wait_until, lambda: _players(node.url, table.session_id) == 2, "the seat released in the database", 30
    )
    node.assert_alive()
    lines = [json.loads(line) for line in node.log_text().splitlines() if line.startswith("{")]
    outages = [line for line in lines if line.get("msg", "").startswith("database unavailable")]
    assert len(outages) == 1, outages  # logged once per outage, not once per attempt
    ours = [line for line in lines if line["logger"].startswith("checkgame")]
    assert not [line for line in ours if "exc" in line], ours


async def test_a_node_stopped_with_its_database_down_exits_in_time_and_says_what_it_could_not_write(
    pg_node: PostgresNode,
) -> None:
    node = pg_node.target
    _, guest = await _table_of_three(node.url)
    await trio.to_thread.run_sync(pg_node.outage)
    await _leave_over_websocket(node.url, guest)
    with trio.fail_after(SHUTDOWN_TIMEOUT_S + 10):  # Target.stop kills (None) after 20 s
        status = await trio.to_thread.run_sync(node.stop)
    assert status == 0, node.log_text()[-4000:]
    lost = [line for line in node.log_text().splitlines() if "not recorded: seat_released" in line]
    assert len(lost) == 1, node.log_text()[-4000:]
    assert guest.player_id in lost[0]
