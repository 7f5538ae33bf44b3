"""Quick play on two nodes behind nginx, sharing PostgreSQL and Redis: concurrent requests spread over both
nodes fill whole tables, and a table's wait ends (with computer players) even when the node that opened it died."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import trio

from tests.cluster.harness import Cluster
from tests.integration.conftest import eventually, register

pytestmark = [pytest.mark.cluster, pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


def api(base: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base + "/api/v1", timeout=20)


async def play(http: httpx.AsyncClient, headers: dict[str, str] | None = None, **body: Any) -> Any:
    response = await http.post("/matchmaking", json=body, headers=headers or {})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("cluster", [{"CHECKGAME_QUICK_PLAY_WAIT_S": "600"}], indirect=True)
async def test_concurrent_requests_through_both_nodes_fill_whole_tables(cluster: Cluster) -> None:
    size, guests = 4, 24
    answers: list[Any] = []
    ann_matches: list[Any] = []
    async with api(cluster.url) as http:
        ann = await register(http)

        async def guest(n: int) -> None:
            answers.append(await play(http, name=f"G{n}", maxPlayers=size))

        async def ann_asks() -> None:
            ann_matches.append(await play(http, ann.auth, maxPlayers=3))

        async with trio.open_nursery() as nursery:  # round-robin: every other request on each node
            for n in range(guests):
                nursery.start_soon(guest, n)
            for _ in range(2):
                nursery.start_soon(ann_asks)
        tables = {a["sessionId"] for a in answers}
        seated: list[str] = []
        for session_id in tables:
            live = (await http.get(f"/sessions/{session_id}")).json()["live"]
            assert len(live["seats"]) == size
            assert live["status"] == "playing"
            seated.extend(s["player"] for s in live["seats"])
    assert len(tables) == guests // size
    assert sorted(seated) == sorted(a["playerId"] for a in answers)
    assert ann_matches[0]["sessionId"] == ann_matches[1]["sessionId"]
    assert sorted(m["result"] for m in ann_matches) == ["opened", "returned"]


@pytest.mark.parametrize("cluster", [{"CHECKGAME_QUICK_PLAY_WAIT_S": "2"}], indirect=True)
async def test_the_wait_ends_with_computer_players_after_the_opening_node_died(cluster: Cluster) -> None:
    opener, survivor = cluster.nodes
    async with api(opener.url) as http:
        match = await play(http, name="Solo", maxPlayers=3, acceptComputers=True)
    cluster.kill(opener)
    async with api(survivor.url) as http:
        table = await eventually(
            lambda: http.get(f"/sessions/{match['sessionId']}"),
            lambda body: (
                body["live"]["status"] == "playing" and sum(s["connected"] for s in body["live"]["seats"]) == 2
            ),
            timeout=30,  # a ceiling: the survivor's timer acts within a poll of the deadline
        )
    assert [s["name"] for s in table["live"]["seats"]] == ["Solo", "Bot 2", "Bot 3"]
