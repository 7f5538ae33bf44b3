"""The admin API: ``/admin`` REST endpoints and the ``/admin/ws`` stream (docs/admin-api.md)."""

from __future__ import annotations

from quart import Quart

from checkgame.transport.admin import api
from checkgame.transport.admin.stream import serve_admin_socket
from checkgame.transport.context import Services
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
    build_admin_api().install(app, services, general_limit)

    @app.websocket(f"{ADMIN_PREFIX}/ws")
    async def admin_socket() -> None:
        await serve_admin_socket(services)
