"""The Quart-Trio application: REST API, WebSocket route, health, readiness, OpenAPI."""

from __future__ import annotations

import resource
from typing import Any

from quart import Response, request
from quart_trio import QuartTrio
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge

from checkgame import __version__
from checkgame.errors import ClientError, LiveStateError, StoreError
from checkgame.transport.admin import install_admin
from checkgame.transport.context import Services
from checkgame.transport.http import api_auth, api_sessions
from checkgame.transport.http.errors import error_response, json_response
from checkgame.transport.http.routes import Api, Limit
from checkgame.transport.ws.echo import ECHO_PATH, EchoRooms
from checkgame.transport.ws.endpoint import serve_connection

__all__ = ["API_PREFIX", "build_api", "create_app"]

API_PREFIX = "/api/v1"
GENERAL_LIMIT = Limit("general", lambda s: s.settings.requests_per_min, 60.0, "user")
_HTTP_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "PAYLOAD_TOO_LARGE"}
MEMORY_LIMIT_BYTES = 1536 * 1024 * 1024
"""/health reports unhealthy above this resident size (the seed plan's pod limit is 2 GiB)."""


def build_api() -> Api:
    """Every REST endpoint, declared once (used for routing and for the OpenAPI document)."""
    api = Api(API_PREFIX)
    api_auth.register_routes(api)
    api_sessions.register_routes(api)
    return api


def create_app(services: Services) -> QuartTrio:
    """The application, wired to ``services``."""
    app = QuartTrio("checkgame")
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    api = build_api()
    api.install(app, services, GENERAL_LIMIT)
    install_admin(app, services, GENERAL_LIMIT)
    document = api.openapi(title="Check-Game", version=__version__)
    document["info"]["description"] = "REST API of Check-Game. The WebSocket protocol is described in docs/protocol.md."

    @app.before_request
    async def read_the_body_first() -> None:
        # Answer only after the whole body has arrived (at most MAX_CONTENT_LENGTH, else 413): Hypercorn 0.18
        # stalls a kept-alive HTTP/1.1 connection when the response is complete before the request body (a
        # 401, 404 or 405 sent without reading it), so the client's next request on it never gets an answer.
        await request.get_data()

    @app.get("/openapi.json")
    async def openapi() -> Response:
        return json_response(document)

    @app.get("/health")
    async def health() -> Response:
        checks = await _health_checks(services)
        healthy = all(check["status"] == "ok" for check in checks.values())
        body = {"status": "healthy" if healthy else "unhealthy", "checks": checks, "node": services.settings.node_id}
        return json_response(body, 200 if healthy else 503)

    @app.get("/ready")
    async def ready() -> Response:
        reasons = []
        if services.draining.is_set() or services.node.draining:
            reasons.append("draining")
        try:
            if await services.store.pending_migrations():
                reasons.append("migrations pending")
        except StoreError as exc:
            reasons.append(f"database: {exc}")
        try:
            await services.sessions.live.ping()
        except LiveStateError as exc:
            reasons.append(f"live state: {exc}")
        body = {"ready": not reasons, "reasons": reasons, "node": services.settings.node_id}
        return json_response(body, 503 if reasons else 200)

    @app.websocket(f"{API_PREFIX}/ws")
    async def game_socket() -> None:
        await serve_connection(services)

    if services.settings.bench_echo:  # the load test's transport ceiling, never on by default
        app.websocket(ECHO_PATH)(EchoRooms().serve)

    @app.errorhandler(HTTPException)
    async def http_error(error: HTTPException) -> Response:  # routing errors: same body as every other error
        status = error.code or 400
        message = error.description or error.name
        response = error_response(ClientError(message, code=_HTTP_CODES.get(status, "BAD_REQUEST"), status_hint=status))
        if isinstance(error, MethodNotAllowed) and error.valid_methods:  # RFC 9110 §15.5.6: a 405 lists them
            response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
        if isinstance(error, RequestEntityTooLarge):
            # The rest of the body was never read: the connection cannot carry another request.
            response.headers["Connection"] = "close"
        return response

    return app


async def _health_checks(services: Services) -> dict[str, dict[str, Any]]:
    checks: dict[str, dict[str, Any]] = {}
    try:
        await services.store.ping()
        checks["database"] = {"status": "ok"}
    except StoreError as exc:
        checks["database"] = {"status": "failing", "error": str(exc)}
    if services.settings.redis_url:
        try:
            await services.sessions.live.ping()
            checks["redis"] = {"status": "ok"}
        except LiveStateError as exc:
            checks["redis"] = {"status": "failing", "error": str(exc)}
    rss = _rss_bytes()
    checks["memory"] = {"status": "ok" if rss < MEMORY_LIMIT_BYTES else "failing", "rssBytes": rss}
    checks["uptime"] = {"status": "ok", "seconds": round(services.clock() - services.started_at, 1)}
    return checks


def _rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize()
    except OSError:  # not Linux: the peak is the best we have
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
