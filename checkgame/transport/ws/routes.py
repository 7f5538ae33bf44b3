"""The WebSocket paths the lean path serves on this node, as the front door (``transport/edge``) routes them.

The game socket goes to :func:`~checkgame.transport.ws.player.serve_player`
and the spectators' to :func:`~checkgame.transport.ws.spectator.serve_spectator`
when the node's role serves them, and is refused with the role's 404 otherwise;
the load test's echo room exists only when ``CHECKGAME_BENCH_ECHO`` is on. Every
other upgrade (the operators' ``/admin/ws``) stays with Hypercorn and Quart.
"""

from __future__ import annotations

from functools import partial

from checkgame.transport.context import Services
from checkgame.transport.edge import ConnectionHandler
from checkgame.transport.edge.handlers import answer, websocket
from checkgame.transport.roles import GAME_SOCKET_PATH, WATCH_SOCKET_PATH, refusal, serves
from checkgame.transport.ws.echo import ECHO_PATH, EchoRooms
from checkgame.transport.ws.player import serve_player
from checkgame.transport.ws.spectator import serve_spectator

__all__ = ["websocket_routes"]


def websocket_routes(services: Services) -> dict[str, ConnectionHandler]:
    """Path → server for the upgrades this node takes off Hypercorn's hands."""
    role = services.settings.role
    routes: dict[str, ConnectionHandler] = {
        GAME_SOCKET_PATH: websocket(partial(serve_player, services))
        if serves(role, GAME_SOCKET_PATH)
        else answer(refusal(role)),
        WATCH_SOCKET_PATH: websocket(partial(serve_spectator, services))
        if serves(role, WATCH_SOCKET_PATH)
        else answer(refusal(role)),
    }
    if services.settings.bench_echo:  # the load test's transport ceiling, never on by default
        routes[ECHO_PATH] = websocket(EchoRooms().serve)
    return routes
