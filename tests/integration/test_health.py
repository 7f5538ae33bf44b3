"""/health and /ready against a real node (DESIGN.md §5), down to a PostgreSQL database that goes away."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
import trio

from checkgame.app import serve_checkgame
from tests.contract.pg_schemas import run_sql
from tests.integration.conftest import TEST_SETTINGS, Server
from tests.support.services import require


def assert_recent(timestamp: str) -> None:
    """An ISO-8601 UTC time within a minute of now (the server's clock is the wall clock)."""
    moment = datetime.fromisoformat(timestamp)
    assert moment.tzinfo is not None
    assert abs(datetime.now(UTC) - moment) < timedelta(minutes=1)


async def test_health_reports_database_memory_and_uptime(server: Server, http: httpx.AsyncClient) -> None:
    response = await http.get(server.url + "/health")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["status"] == "healthy"
    assert body["node"] == "test-node"
    checks = body["checks"]
    assert set(checks) >= {"database", "memory", "uptime"}
    assert checks["database"] == {"status": "ok"}
    assert checks["memory"]["status"] == "ok"
    assert isinstance(checks["memory"]["rssBytes"], int)
    assert checks["memory"]["rssBytes"] > 0
    assert checks["uptime"]["status"] == "ok"
    assert checks["uptime"]["seconds"] >= 0
    assert_recent(body["timestamp"])


async def test_health_is_503_when_the_database_is_gone(server: Server, http: httpx.AsyncClient) -> None:
    await server.services.store.aclose()  # idempotent: the server closes it again on the way out
    response = await http.get(server.url + "/health")
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["checks"]["database"]["status"] == "failing"
    assert body["checks"]["database"]["error"]
    assert body["checks"]["memory"]["status"] == "ok"

    ready = await http.get(server.url + "/ready")
    assert ready.status_code == 503, ready.text
    assert ready.json()["ready"] is False
    assert [r for r in ready.json()["reasons"] if r.startswith("database: ")], ready.json()


async def test_ready_until_draining(server: Server, http: httpx.AsyncClient) -> None:
    response = await http.get(server.url + "/ready")
    assert response.status_code == 200, response.text
    body = response.json()
    assert_recent(body.pop("timestamp"))
    assert body == {"status": "ready", "ready": True, "reasons": [], "node": "test-node", "role": "all"}
    assert "checkgame_node_draining 0.0" in (await http.get(server.url + "/metrics")).text

    server.services.draining.set()
    response = await http.get(server.url + "/ready")
    assert response.status_code == 503, response.text
    body = response.json()
    assert_recent(body.pop("timestamp"))
    assert body == {"status": "not-ready", "ready": False, "reasons": ["draining"], "node": "test-node", "role": "all"}
    assert "checkgame_node_draining 1.0" in (await http.get(server.url + "/metrics")).text

    # Draining takes the node out of the load balancer; it is still alive and still answers.
    health = await http.get(server.url + "/health")
    assert health.status_code == 200, health.text


async def test_an_operators_drain_takes_the_node_out_of_rotation_until_undone(
    server: Server, http: httpx.AsyncClient
) -> None:
    server.services.node.set_draining(True)
    response = await http.get(server.url + "/ready")
    assert response.status_code == 503, response.text
    assert response.json()["reasons"] == ["draining"]
    assert "checkgame_node_draining 1.0" in (await http.get(server.url + "/metrics")).text

    server.services.node.set_draining(False)
    response = await http.get(server.url + "/ready")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ready"
    assert "checkgame_node_draining 0.0" in (await http.get(server.url + "/metrics")).text


async def test_health_and_ready_are_not_under_the_api_prefix(server: Server, http: httpx.AsyncClient) -> None:
    for path in ("/health", "/ready"):
        response = await http.get(path)  # i.e. /api/v1/health
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "NOT_FOUND"


def _database_url(name: str) -> str:
    parts = urlsplit(require("postgres"))
    return urlunsplit(parts._replace(path=f"/{name}", query="pool_min_size=1&connect_timeout=2&command_timeout=2"))


@asynccontextmanager
async def _serving_on(database_url: str) -> AsyncIterator[Server]:
    settings = replace(TEST_SETTINGS, database_url=database_url)
    stop = trio.Event()
    async with trio.open_nursery() as nursery:
        services = await nursery.start(partial(serve_checkgame, settings, shutdown_trigger=stop.wait))
        try:
            yield Server(services, stop)
        finally:
            stop.set()


async def _until_healthy(server: Server) -> dict[str, Any]:
    with trio.fail_after(20):  # a ceiling, not a speed requirement
        while True:
            status, body = await _health(server)
            if status == 200:
                return body
            await trio.sleep(0.1)


async def _health(server: Server) -> tuple[int, dict[str, Any]]:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(server.url + "/health")
    return response.status_code, response.json()


@pytest.mark.postgres
async def test_health_follows_a_postgresql_database_that_stops_and_comes_back() -> None:
    name = f"health_{uuid.uuid4().hex[:10]}"
    await run_sql(f'CREATE DATABASE "{name}"')
    try:
        async with _serving_on(_database_url(name)) as server:
            status, body = await _health(server)
            assert status == 200, body
            assert body["checks"]["database"] == {"status": "ok"}

            # The database refuses connections and the server's are cut: a real outage, no mock.
            await run_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            await run_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name)
            status, body = await _health(server)
            assert status == 503, body
            assert body["status"] == "unhealthy"
            assert body["checks"]["database"]["status"] == "failing"
            assert body["checks"]["database"]["error"]
            assert body["checks"]["memory"]["status"] == "ok"
            assert_recent(body["timestamp"])

            await run_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            body = await _until_healthy(server)  # the pool opens a new connection on the next call
            assert body["checks"]["database"] == {"status": "ok"}
    finally:
        await run_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await run_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
