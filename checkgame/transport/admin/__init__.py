"""The admin API: ``/admin`` REST endpoints, their OpenAPI document and the ``/admin/ws`` stream (docs/admin-api.md).

The admin endpoints have a document of their own, ``/admin/openapi.json``: the
public ``/openapi.json`` describes what players and clients may call.
"""

from __future__ import annotations

from quart import Quart, Response

from checkgame import __version__
from checkgame.transport.admin import api
from checkgame.transport.admin.stream import serve_admin_socket
from checkgame.transport.context import Services
from checkgame.transport.http.errors import json_response
from checkgame.transport.http.routes import Api, Limit

__all__ = ["ADMIN_PREFIX", "build_admin_api", "install_admin"]

ADMIN_PREFIX = "/admin"


def build_admin_api() -> Api:
    """Every admin endpoint, declared in the same route table as the public API (validation, auth, limits)."""
    admin = Api(ADMIN_PREFIX)
    api.register_routes(admin)
    return admin


def install_admin(app: Quart, services: Services, general_limit: Limit) -> None:
    """Register the admin endpoints and the admin WebSocket on ``app``."""
    admin = build_admin_api()
    admin.install(app, services, general_limit)
    document = admin.openapi(title="Check-Game admin", version=__version__)
    document["info"]["description"] = "The admin API (docs/admin-api.md); the live stream is WS /admin/ws."

    @app.get(f"{ADMIN_PREFIX}/openapi.json")
    async def admin_openapi() -> Response:
        return json_response(document)

    @app.websocket(f"{ADMIN_PREFIX}/ws")
    async def admin_socket() -> None:
        await serve_admin_socket(services)
