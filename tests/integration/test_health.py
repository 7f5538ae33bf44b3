"""/health and /ready against a real node (DESIGN.md §5)."""

from __future__ import annotations

import httpx

from tests.integration.conftest import Server


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
    assert response.json() == {"ready": True, "reasons": [], "node": "test-node"}

    server.services.draining.set()
    response = await http.get(server.url + "/ready")
    assert response.status_code == 503, response.text
    assert response.json() == {"ready": False, "reasons": ["draining"], "node": "test-node"}

    # Draining takes the node out of the load balancer; it is still alive and still answers.
    health = await http.get(server.url + "/health")
    assert health.status_code == 200, health.text


async def test_health_and_ready_are_not_under_the_api_prefix(server: Server, http: httpx.AsyncClient) -> None:
    for path in ("/health", "/ready"):
        response = await http.get(path)  # i.e. /api/v1/health
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "NOT_FOUND"
