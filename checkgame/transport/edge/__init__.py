"""The front door: our own listeners, one task per connection that contains its failures, then a server per path.

``server`` accepts, counts and routes; ``head`` checks a request head (pure);
``tracker`` follows each request's head and body against their deadlines
(sans-I/O); ``stream`` is what a server behind the door reads; ``limits``
counts connections; ``hypercorn_server`` runs Hypercorn on a handed-over
connection.
"""

from __future__ import annotations

from checkgame.transport.edge.server import ConnectionHandler as ConnectionHandler
from checkgame.transport.edge.server import FrontDoor as FrontDoor
from checkgame.transport.edge.server import serve_edge as serve_edge

__all__ = ["ConnectionHandler", "FrontDoor", "serve_edge"]
