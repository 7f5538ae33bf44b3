"""The Quart-Trio application: REST API, WebSocket route, health, readiness, OpenAPI."""

from __future__ import annotations

import logging
import resource
import time
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from quart import Response, g, request, websocket
from quart_trio import QuartTrio
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge

from checkgame import __version__
from checkgame.config import Role
from checkgame.errors import ClientError, LiveStateError, NotFoundError, StoreError
from checkgame.observability.logs import new_id, request_id, valid_request_id
from checkgame.observability.metrics import Metrics
from checkgame.sessions import Status
from checkgame.transport.admin import install_admin
from checkgame.transport.context import Services
from checkgame.transport.http import api_auth, api_bots, api_history, api_matchmaking, api_ratings, api_sessions, web
from checkgame.transport.http.errors import error_response, json_response
from checkgame.transport.http.routes import Api, Limit
from checkgame.transport.roles import refusal_message, serves

__all__ = ["API_PREFIX", "build_api", "create_app"]

log = logging.getLogger(__name__)
access_log = logging.getLogger("checkgame.access")

API_PREFIX = "/api/v1"
GENERAL_LIMIT = Limit("general", lambda s: s.settings.requests_per_min, 60.0, "user")
_HTTP_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "PAYLOAD_TOO_LARGE"}
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
"""Method labels; any other method a client invents is counted as ``other`` (label values stay bounded)."""
MEMORY_LIMIT_BYTES = 1536 * 1024 * 1024
"""/health reports unhealthy above this resident size (the deployment plan's pod limit is 2 GiB)."""


def build_api() -> Api:
    """Every REST endpoint, declared once (used for routing and for the OpenAPI document)."""
    api = Api(API_PREFIX)
    api_auth.register_routes(api)
    api_sessions.register_routes(api)
    api_bots.register_routes(api)
    api_ratings.register_routes(api)
    api_matchmaking.register_routes(api)
    api_history.register_routes(api)
    return api


def create_app(services: Services) -> QuartTrio:
    """The application, wired to ``services``."""
    app = QuartTrio("checkgame")
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    _observe_requests(app, services.metrics)  # first, so every later hook and handler logs with the request id
    api = build_api()
    api.install(app, services, GENERAL_LIMIT)
    install_admin(app, services, GENERAL_LIMIT)
    web.install(app)
    document = api.openapi(title="Check-Game", version=__version__)
    document["info"]["description"] = "REST API of Check-Game. The WebSocket protocol is described in docs/protocol.md."

    @app.before_request
    async def read_the_body_first() -> None:
        # Answer only after the whole body has arrived (at most MAX_CONTENT_LENGTH, else 413): Hypercorn 0.18
        # stalls a kept-alive HTTP/1.1 connection when the response is complete before the request body (a
        # 401, 404 or 405 sent without reading it), so the client's next request on it never gets an answer.
        await request.get_data()

    _keep_to_the_role(app, services.settings.role)  # after reading the body, for the same reason

    @app.get("/openapi.json")
    async def openapi() -> Response:
        return json_response(document)

    @app.get("/health")
    async def health() -> Response:
        checks = await _health_checks(services)
        healthy = all(check["status"] == "ok" for check in checks.values())
        body = {
            "status": "healthy" if healthy else "unhealthy",
            "checks": checks,
            "node": services.settings.node_id,
            "timestamp": _timestamp(services),
        }
        return json_response(body, 200 if healthy else 503)

    @app.get("/ready")
    async def ready() -> Response:
        reasons = []
        if services.node.draining:
            reasons.append("draining")
        try:
            if await services.store.pending_migrations():
                reasons.append("migrations pending")
        except StoreError as exc:
            reasons.append(f"database: {exc}")
        try:
            await services.sessions.ping()
        except LiveStateError as exc:
            reasons.append(f"live state: {exc}")
        body = {
            "status": "not-ready" if reasons else "ready",
            "ready": not reasons,
            "reasons": reasons,
            "node": services.settings.node_id,
            "role": services.settings.role,
            "timestamp": _timestamp(services),
        }
        return json_response(body, 503 if reasons else 200)

    @app.get("/metrics")
    async def metrics() -> Response:
        await _refresh_gauges(services)
        return Response(generate_latest(services.metrics.registry), content_type=CONTENT_TYPE_LATEST)

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


def _keep_to_the_role(app: QuartTrio, role: Role) -> None:
    """Answer 404 for what this node's role leaves to the other tier (every request of a kept-alive
    connection passes here, not only the first one the front door saw)."""
    if role == "all":
        return

    def refuse(path: str) -> Response | None:
        return None if serves(role, path) else error_response(NotFoundError(refusal_message(role)))

    @app.before_request
    async def refuse_request() -> Response | None:
        return refuse(request.path)

    @app.before_websocket
    async def refuse_websocket() -> Response | None:
        return refuse(websocket.path)


def _observe_requests(app: QuartTrio, metrics: Metrics) -> None:
    """Give each HTTP request an id (a valid incoming X-Request-ID, else a new one, echoed in the response),
    time it by route template (never the raw path, which holds ids), and write one access log line."""

    @app.before_request
    async def start_request() -> None:
        g.started = time.perf_counter()
        request_id.set(valid_request_id(request.headers.get("X-Request-ID")) or new_id())

    @app.after_request
    async def finish_request(response: Response) -> Response:
        elapsed = time.perf_counter() - g.started
        method = request.method if request.method in _METHODS else "other"
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        status = response.status_code
        metrics.http_request_duration.labels(method, route, str(status)).observe(elapsed)
        response.headers["X-Request-ID"] = request_id.get() or ""
        duration_ms = round(elapsed * 1000, 2)
        fields = {"method": method, "route": route, "status": status, "duration_ms": duration_ms}
        access_log.info("%s %s %d %.2fms", method, route, status, duration_ms, extra=fields)
        return response


async def _refresh_gauges(services: Services) -> None:
    """Set the gauges that describe what this node holds now (read when scraped, not kept up to date)."""
    metrics = services.metrics
    metrics.draining.set(services.node.draining)
    viewers = services.hubs.statistics()
    metrics.websocket_connections.set(viewers.viewers)
    metrics.spectators.set(viewers.spectators)
    playing = 0
    try:
        for hub in services.hubs:  # served from the cache of a subscribed session
            state = await services.sessions.find(hub.session_id)
            playing += state is not None and state.status is Status.PLAYING
    except LiveStateError as exc:  # keep the last value rather than report a wrong one
        log.warning("active_games_total not refreshed: %s", exc)
        return
    metrics.active_games.set(playing)


def _timestamp(services: Services) -> str:
    return datetime.fromtimestamp(services.clock(), UTC).isoformat(timespec="seconds")


async def _health_checks(services: Services) -> dict[str, dict[str, Any]]:
    checks: dict[str, dict[str, Any]] = {}
    try:
        await services.store.ping()
        checks["database"] = {"status": "ok"}
    except StoreError as exc:
        checks["database"] = {"status": "failing", "error": str(exc)}
    replica = await services.store.read_replica()
    if replica is not None:  # a replica down or behind is not the node's failure: its reads go to the primary
        checks["databaseReplica"] = {
            "status": "ok",
            "state": replica.state,
            "readsFrom": replica.reads_from,
            "lagSeconds": replica.lag_s,
            "maxLagSeconds": replica.max_lag_s,
            **({"error": replica.error} if replica.error else {}),
        }
    if services.settings.redis_url:
        try:
            await services.sessions.ping()
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
