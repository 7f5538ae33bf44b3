"""The live feed, ``/admin/ws``: kept open across network trouble, token expiry and server restarts.

The server pushes an ``overview`` frame about every second and, while the
console watches a session, a ``session`` frame on each change. When the
connection drops, :class:`LiveStream` reconnects with exponential back-off and
sends its ``watch`` again; when the server closes it for an expired token
(1008), it renews the token through the client first. Only a login that
cannot be renewed ends it, with :class:`~admin_tui.client.ApiError`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from admin_tui.client import EXPIRED_CODES, LOGIN_EXPIRED, AdminClient, ApiError, Json

__all__ = ["LinkState", "LiveStream", "backoff_s"]

CLOSE_POLICY = 1008
BACKOFF_FIRST_S = 0.5
BACKOFF_MAX_S = 10.0


def _decode(message: str | bytes) -> Json | None:
    """A frame as a JSON object; anything else is skipped rather than ending the feed."""
    try:
        frame = json.loads(message)
    except ValueError:
        return None
    return frame if isinstance(frame, dict) else None


def backoff_s(attempt: int, first: float = BACKOFF_FIRST_S, ceiling: float = BACKOFF_MAX_S) -> float:
    """The pause before reconnect attempt ``attempt`` (1, 2, ...): doubling from ``first``, at most ``ceiling``."""
    return float(min(ceiling, first * 2 ** max(0, attempt - 1)))


@dataclass(frozen=True, slots=True)
class LinkState:
    """How the live feed is doing, for the status line."""

    status: Literal["connecting", "live", "retrying", "closed"]
    detail: str = ""
    attempt: int = 0
    retry_in_s: float = 0.0


Connector = Callable[[str], Any]
"""Opens a WebSocket: ``websockets.asyncio.client.connect`` or a stand-in with the same shape."""


class LiveStream:
    """One console's live feed.

    Args:
        client: whose tokens open the socket (and are renewed through it).
        on_frame: called with each decoded frame from the server.
        on_state: called on every change of :class:`LinkState`.
        connector: how to open the socket (a test double for snapshot tests).
    """

    def __init__(
        self,
        client: AdminClient,
        on_frame: Callable[[Json], None],
        on_state: Callable[[LinkState], None],
        *,
        connector: Connector = connect,
    ) -> None:
        self._client = client
        self._on_frame = on_frame
        self._on_state = on_state
        self._connector = connector
        self._socket: ClientConnection | None = None
        self._renewed = False
        """A token was renewed since the feed was last live: a second refusal means the login is gone."""
        self._went_live = False
        """The current connection got as far as live: its end starts the back-off afresh."""
        self.watching: str | None = None

    @property
    def url(self) -> str:
        base = self._client.base_url.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
        token = self._client.tokens.access if self._client.tokens else ""
        return f"{base}/admin/ws?token={quote(token, safe='')}"

    async def watch(self, session_id: str | None) -> None:
        """Follow ``session_id`` (``None``: stop following); remembered across reconnects."""
        self.watching = session_id
        await self._send_watch()

    async def _send_watch(self) -> None:
        if self._socket is None:
            return
        frame = {"type": "watch", "sessionId": self.watching} if self.watching else {"type": "unwatch"}
        with contextlib.suppress(ConnectionClosed):  # the run loop reconnects, then sends the watch again
            await self._socket.send(json.dumps(frame))

    async def run(self) -> None:
        """Keep the feed open until cancelled.

        Raises:
            ApiError: the login is gone (``needs_login``) or the account may not use the admin API.
        """
        attempt = 0
        while True:
            self._on_state(LinkState("connecting", attempt=attempt))
            sent_with = self._client.tokens.access if self._client.tokens else None
            self._went_live = False
            problem: str | None
            try:
                problem = await self._session()
            except InvalidStatus as exc:
                problem = await self._refused(exc.response.status_code, sent_with)
            except (TimeoutError, OSError, InvalidHandshake) as exc:
                problem = f"cannot open the live feed: {exc or type(exc).__name__}"
            except ConnectionClosed as exc:
                problem = await self._closed(exc, sent_with)
            except ApiError as exc:  # renewing the token failed
                if not exc.transient:
                    raise
                problem = exc.message
            if problem is None:
                attempt = 0
                continue
            attempt = 1 if self._went_live else attempt + 1
            delay = backoff_s(attempt)
            self._on_state(LinkState("retrying", problem, attempt, delay))
            await asyncio.sleep(delay)

    async def _session(self) -> str:
        """One connection, from handshake to close; returns why it ended."""
        async with self._connector(self.url) as socket:
            self._socket = socket
            try:
                self._renewed = False
                self._went_live = True
                self._on_state(LinkState("live"))
                if self.watching:
                    await self._send_watch()
                async for message in socket:
                    frame = _decode(message)
                    if frame is not None:
                        self._on_frame(frame)
            except asyncio.CancelledError:
                # Torn down (the console quits): no time for a closing handshake, but no socket left open either.
                transport = getattr(socket, "transport", None)
                if transport is not None:
                    transport.abort()
                raise
            finally:
                self._socket = None
        return "the server closed the live feed"

    async def _closed(self, exc: ConnectionClosed, sent_with: str | None) -> str | None:
        """A close frame: renew an expired token (then reconnect at once), give up on a refused one."""
        close = exc.rcvd
        if close is None or close.code != CLOSE_POLICY:
            return f"the live feed dropped ({close.code if close else 'no close frame'})"
        if close.reason in EXPIRED_CODES:
            await self._renew(sent_with)
            return None
        raise ApiError(close.reason or LOGIN_EXPIRED, "the server refused the live feed's token", 401)

    async def _refused(self, status: int, sent_with: str | None) -> str | None:
        """The handshake itself was answered with an HTTP error."""
        if status == 401:
            await self._renew(sent_with)
            return None
        if status == 403:
            raise ApiError("FORBIDDEN", "this account may not use the admin API", 403)
        return f"the live feed was refused with HTTP {status}"

    async def _renew(self, sent_with: str | None) -> None:
        if self._renewed:
            raise ApiError(LOGIN_EXPIRED, "the live feed refused the renewed token too", 401)
        self._renewed = True
        await self._client.refresh(stale_access=sent_with)
