"""``/admin/ws``: live changes pushed to admin consoles.

The server sends ``{"type": "overview", ...}`` (the body of ``GET /admin/overview``)
about every second. A console may send ``{"type": "watch", "sessionId": ...}``:
it then gets ``{"type": "session", ...}`` (the body of ``GET /admin/sessions/{id}``)
at once and after every change of that session, from the session's own
subscription, so a move on any node shows within one fan-out; ``{"type": "unwatch"}``
stops it. Read-only administrators may use it. The socket closes with 1008 and
the error code as reason when the token is refused, when it expires, and when
the account stops being an administrator's (demoted or deleted: the database
is asked again with every overview); a binary frame closes it with 1003.
"""

from __future__ import annotations

import logging
from typing import Any

import msgspec
import trio
from quart import websocket

from checkgame.auth import Claims
from checkgame.errors import ClientError, LiveStateError, StoreError
from checkgame.transport.admin.api import check_reader, is_reader, overview, session_detail
from checkgame.transport.context import Services

__all__ = ["OVERVIEW_INTERVAL_S", "serve_admin_socket"]

log = logging.getLogger(__name__)

OVERVIEW_INTERVAL_S = 1.0
CLOSE_UNSUPPORTED = 1003
CLOSE_POLICY = 1008


class _Watch(msgspec.Struct, forbid_unknown_fields=True, rename="camel"):
    type: str
    session_id: str | None = None


_decode = msgspec.json.Decoder(_Watch).decode
_encode = msgspec.json.Encoder().encode


class _AdminSocket:
    """One console's connection: an overview ticker, a reader, and at most one watched session."""

    def __init__(self, services: Services, claims: Claims) -> None:
        self.services = services
        self.claims = claims
        self._send_lock = trio.Lock()
        self._watch_scope: trio.CancelScope | None = None
        self._end: tuple[int, str] | None = None

    async def send(self, type_: str, body: dict[str, Any]) -> None:
        async with self._send_lock:
            await websocket.send(_encode({"type": type_, **body}).decode())

    async def run(self) -> tuple[int, str] | None:
        """Serve until the client leaves (None) or the server must close: ``(code, reason)``."""
        async with trio.open_nursery() as nursery:
            nursery.start_soon(self._overviews, nursery)
            nursery.start_soon(self._expire, nursery)
            await self._read(nursery)
            nursery.cancel_scope.cancel()
        return self._end

    def _close(self, nursery: trio.Nursery, code: int, reason: str) -> None:
        self._end = self._end or (code, reason)
        nursery.cancel_scope.cancel()

    async def _expire(self, nursery: trio.Nursery) -> None:
        await trio.sleep(max(0.0, self.claims.exp - self.services.clock()))
        self._close(nursery, CLOSE_POLICY, "EXPIRED_TOKEN")

    async def _overviews(self, nursery: trio.Nursery) -> None:
        while True:
            try:
                user = await self.services.store.get_user(self.claims.sub)
                if user is None or not is_reader(user.role):  # demoted or deleted since the token was issued
                    self._close(nursery, CLOSE_POLICY, "FORBIDDEN")
                    return
                await self.send("overview", await overview(self.services))
            except (StoreError, LiveStateError):
                log.warning("admin overview failed", exc_info=True)
            await trio.sleep(OVERVIEW_INTERVAL_S)

    async def _read(self, nursery: trio.Nursery) -> None:
        while True:
            raw = await websocket.receive()
            if not isinstance(raw, str):  # bytes, or None for an empty binary frame (Quart)
                self._close(nursery, CLOSE_UNSUPPORTED, "binary frames are not accepted: send JSON text")
                return
            try:
                message = _decode(raw)
            except msgspec.DecodeError as exc:
                await self.send("error", {"code": "MALFORMED_MESSAGE", "message": str(exc)})
                continue
            if message.type == "watch" and message.session_id:
                self._unwatch()
                nursery.start_soon(self._watch, message.session_id)
            elif message.type == "unwatch":
                self._unwatch()
            else:
                text = "send {type: watch, sessionId} or {type: unwatch}"
                await self.send("error", {"code": "UNKNOWN_MESSAGE_TYPE", "message": text})

    def _unwatch(self) -> None:
        if self._watch_scope is not None:
            self._watch_scope.cancel()
            self._watch_scope = None

    async def _watch(self, session_id: str) -> None:
        with trio.CancelScope() as scope:
            self._watch_scope = scope
            service = self.services.sessions
            while True:  # a lagging subscription or a failing backend: subscribe and send the state again
                try:
                    async with service.subscribe(session_id) as subscription:
                        await self.send("session", await session_detail(self.services, session_id))
                        while True:
                            await subscription.receive()
                            await self.send("session", await session_detail(self.services, session_id))
                except ClientError as error:
                    await self.send("error", {"code": error.code, "message": error.message})
                    return
                except (trio.EndOfChannel, trio.ClosedResourceError):
                    continue
                except (StoreError, LiveStateError):
                    log.warning("admin watch of %s failed; retrying", session_id, exc_info=True)
                    await trio.sleep(OVERVIEW_INTERVAL_S)


async def serve_admin_socket(services: Services) -> None:
    """The Quart handler body: check the administrator's access token, then stream."""
    try:
        claims = check_reader(services.tokens.verify(websocket.args.get("token", ""), "access", services.clock()))
    except ClientError as error:
        await websocket.accept()  # a close before accepting would reach the client as an HTTP 403
        await websocket.close(CLOSE_POLICY, error.code)
        return
    await websocket.accept()
    end = await _AdminSocket(services, claims).run()
    if end is not None:
        with trio.CancelScope(shield=True), trio.move_on_after(1):
            await websocket.close(*end)
