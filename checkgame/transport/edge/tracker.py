"""Where each request of a connection stands, so that a slow head or a slow body can be cut (sans-I/O).

# Theory of operation
#
# Hypercorn bounds the silence *between* requests (keep_alive_timeout) but
# nothing once a request has begun: a client sending one byte of body every
# few seconds holds its connection, its task and its buffers forever. The
# front door therefore follows the client's side of every request with a
# shadow h11 connection of its own: fed the same bytes Hypercorn receives, it
# tells when a head is complete (Request) and when its body is (EndOfMessage),
# and nothing else: the shadow never answers. Each request gets a fresh shadow,
# fed what the previous one left over (pipelining).
#
#   IDLE  --first byte-->  HEAD  --head parsed-->  BODY  --body complete-->  IDLE
#                           deadline: first byte    deadline: head
#                           + head_timeout          + body_timeout
#
# After an upgrade request the shadow stops until the server answers: a 101
# means the bytes are no longer HTTP (no deadlines from then on; the WebSocket
# has limits of its own), anything else starts the next request. A request
# the shadow cannot parse stops it for good: Hypercorn answers that one.
"""

from __future__ import annotations

import enum

import h11
from h11._state import MIGHT_SWITCH_PROTOCOL  # in h11 but missing from its __all__

from checkgame.transport.edge.head import RequestHead

__all__ = ["Phase", "RequestTracker"]

_SWITCHED = b"HTTP/1.1 101 "


class Phase(enum.Enum):
    """What the connection waits for from the client."""

    IDLE = "idle"
    """Nothing: between requests, or a request is being answered."""
    HEAD = "head"
    BODY = "body"
    UPGRADING = "upgrading"
    """An upgrade was asked; the server's answer decides."""
    DONE = "done"
    """Not HTTP any more (switched, closed, or unparseable): no deadline applies."""


class RequestTracker:
    """The phase of the current request and its deadline, from the bytes received and sent."""

    def __init__(self, head_timeout_s: float, body_timeout_s: float, max_head_bytes: int) -> None:
        self.head_timeout_s = head_timeout_s
        self.body_timeout_s = body_timeout_s
        self.max_head_bytes = max_head_bytes
        self.phase = Phase.IDLE
        self.deadline: float | None = None
        """When the current head or body must be complete (trio time); None outside HEAD and BODY."""
        self.error: h11.RemoteProtocolError | None = None
        """Why the shadow stopped, when the client's bytes were not HTTP."""
        self.early_data = False
        """The client sent more after an upgrade request before its answer (RFC 6455 §4.1: it must wait)."""
        self._shadow = self._new_shadow()

    def received(self, data: bytes, now: float) -> list[RequestHead]:
        """Follow ``data`` from the client; the heads of the requests it completed."""
        if self.phase is Phase.UPGRADING and data:
            self.early_data = True
        if self.phase in (Phase.DONE, Phase.UPGRADING):
            return []
        if not data:
            self._stop()
            return []
        if self.phase is Phase.IDLE:
            self._begin(Phase.HEAD, now + self.head_timeout_s)
        self._shadow.receive_data(data)
        heads: list[RequestHead] = []
        try:
            while self.phase in (Phase.HEAD, Phase.BODY):
                event = self._shadow.next_event()
                if event is h11.NEED_DATA:
                    break
                if isinstance(event, h11.Request):
                    heads.append(RequestHead.from_h11(event))
                    self._begin(Phase.BODY, now + self.body_timeout_s)
                elif isinstance(event, h11.EndOfMessage):
                    self._end_of_request(now)
                elif isinstance(event, h11.ConnectionClosed):
                    self._stop()
        except h11.RemoteProtocolError as error:
            self.error = error
            self._stop()
        return heads

    def sent(self, data: bytes | bytearray | memoryview) -> None:
        """Follow ``data`` the server sends: the answer to an upgrade request decides what comes next."""
        if self.phase is not Phase.UPGRADING:
            return
        if bytes(data[: len(_SWITCHED)]) == _SWITCHED:
            self._stop()
        else:
            self._shadow = self._new_shadow()
            self._begin(Phase.IDLE, None)

    def _end_of_request(self, now: float) -> None:
        state = self._shadow.their_state
        if state is MIGHT_SWITCH_PROTOCOL:
            self._begin(Phase.UPGRADING, None)
            self.early_data = bool(self._shadow.trailing_data[0])
        elif state is not h11.DONE:  # MUST_CLOSE: no request follows this one
            self._stop()
        else:
            leftover, _ = self._shadow.trailing_data
            self._shadow = self._new_shadow()
            self._begin(Phase.IDLE, None)
            if leftover:
                self._begin(Phase.HEAD, now + self.head_timeout_s)
                self._shadow.receive_data(leftover)

    def _begin(self, phase: Phase, deadline: float | None) -> None:
        self.phase, self.deadline = phase, deadline

    def _stop(self) -> None:
        self._begin(Phase.DONE, None)

    def _new_shadow(self) -> h11.Connection:
        return h11.Connection(h11.SERVER, max_incomplete_event_size=self.max_head_bytes)
