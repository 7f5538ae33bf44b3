"""The WebSocket opening handshake on a raw connection (RFC 6455 §4), without Quart or Hypercorn.

Theory of operation
-------------------
The front door has read the start of a connection (at least the request line).
:func:`receive_upgrade` reads the rest of the head under a deadline and a size
cap and checks that it is a well-formed upgrade; :func:`parse_upgrade` does the
same for a head already read whole. Either returns an :class:`Upgrade` (the
request target, the key, the bytes the client sent after its head) or raises
:class:`UpgradeError`, whose status and message :func:`refuse` turns into a
plain HTTP answer. The caller may refuse a good upgrade too (503 while
draining, 403...); accepting it is :func:`open_websocket`, which serves the
connection (:class:`checkgame.transport.ws.wire.WebSocket`) inside a block.

h11 parses and serialises the HTTP; the checks are ours because wsproto's
server handshake (1.3.2) is laxer than this server must be: it accepts any key
(an empty one included), any HTTP version and a request with a body, and it
drops the bytes a client pipelines after its head. wsproto still provides the
accept token and, after the upgrade, the frame protocol.

Every malformed or unsupported upgrade gets 400 (the answer Hypercorn gives
today, which the attack suite of issue 12 expects); an unsupported version also
carries ``Sec-WebSocket-Version: 13`` as RFC 6455 §4.4 asks.
"""

from __future__ import annotations

import base64
import binascii
import http
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import h11
import trio
from wsproto.utilities import generate_accept_token

from checkgame.errors import ClientError
from checkgame.transport.ws.wire import (
    CLOSE_GOING_AWAY,
    CLOSE_INTERNAL_ERROR,
    CLOSE_NORMAL,
    Limits,
    WebSocket,
)

__all__ = [
    "Upgrade",
    "UpgradeError",
    "is_websocket_key",
    "open_websocket",
    "parse_upgrade",
    "receive_upgrade",
    "refuse",
]

MAX_HEAD_BYTES = 16 * 1024
"""The longest request head accepted (h11's own default), beyond which the answer is 431."""
HEAD_TIMEOUT_S = 10.0
"""How long a client may take to send the rest of its head."""
REFUSAL_TIMEOUT_S = 2.0
"""How long writing a refusal and draining what the client still sends may take."""
_DRAIN_BYTES = 64 * 1024
"""What is read (and dropped) after a refusal, so that closing does not reset the connection under the answer."""
_VERSION = b"13"


class UpgradeError(ClientError):
    """The request is not an upgrade this server accepts; ``status_hint`` and the message make the answer."""

    code = "BAD_UPGRADE"
    status_hint = 400

    def __init__(self, message: str, *, status_hint: int = 400, headers: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(message, status_hint=status_hint)
        self.headers = headers
        """Extra response headers (``Sec-WebSocket-Version`` for an unsupported version)."""


@dataclass(frozen=True, slots=True)
class Upgrade:
    """A checked upgrade request, ready to be accepted or refused."""

    target: str
    """The request target, e.g. ``/api/v1/ws?token=...``."""
    key: bytes
    """``Sec-WebSocket-Key``, which the accept token is derived from."""
    subprotocols: tuple[str, ...]
    """What the client offered in ``Sec-WebSocket-Protocol`` (none is accepted unless the caller names one)."""
    trailing: bytes
    """What the client sent after its head without waiting for the answer: its first frames."""
    _http: h11.Connection = field(repr=False, compare=False)

    @property
    def path(self) -> str:
        """The target without its query string."""
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, str]:
        """The query parameters (the last value of a repeated one wins; ``batch=`` is there, empty)."""
        return dict(parse_qsl(urlsplit(self.target).query, keep_blank_values=True))

    def accept_bytes(self, subprotocol: str | None = None) -> bytes:
        """The ``101 Switching Protocols`` answer, with its ``Sec-WebSocket-Accept``."""
        headers = [
            (b"Upgrade", b"websocket"),
            (b"Connection", b"Upgrade"),
            (b"Sec-WebSocket-Accept", generate_accept_token(self.key)),
        ]
        if subprotocol is not None:
            if subprotocol not in self.subprotocols:
                raise ValueError(f"the client did not offer the subprotocol {subprotocol!r}")
            headers.append((b"Sec-WebSocket-Protocol", subprotocol.encode("ascii")))
        response = h11.InformationalResponse(status_code=101, headers=headers, reason=b"Switching Protocols")
        return self._http.send(response) or b""


def parse_upgrade(head: bytes) -> Upgrade:
    """Check a request head read whole (and whatever followed it).

    Raises:
        UpgradeError: the head is incomplete, malformed, or not a WebSocket upgrade.
    """
    parser = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD_BYTES)
    parser.receive_data(head)
    request = _next_request(parser)
    if request is None:
        raise UpgradeError("incomplete request head")
    return _checked(parser, request)


async def receive_upgrade(
    stream: trio.abc.ReceiveStream,
    received: bytes = b"",
    *,
    timeout_s: float = HEAD_TIMEOUT_S,
    max_bytes: int = MAX_HEAD_BYTES,
) -> Upgrade:
    """Read the rest of a request head from ``stream`` (``received`` is what the caller already read), then check it.

    Raises:
        UpgradeError: 408 when the head is not complete within ``timeout_s``, 431 when it is longer than
            ``max_bytes``, 400 when it is malformed, not an upgrade, or the client left before its end.
    """
    parser = h11.Connection(h11.SERVER, max_incomplete_event_size=max_bytes)
    if received:  # to h11, no bytes means the end of the stream
        parser.receive_data(received)
    with trio.move_on_after(timeout_s):
        while (request := _next_request(parser)) is None:
            try:
                data = await stream.receive_some(max_bytes)
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                data = b""
            parser.receive_data(bytes(data))
        return _checked(parser, request)
    raise UpgradeError("the request head was not received in time", status_hint=408)


def _next_request(parser: h11.Connection) -> h11.Request | None:
    """The request once its head is complete; None while more is needed."""
    try:
        event = parser.next_event()
    except h11.RemoteProtocolError as error:
        raise UpgradeError(f"malformed request: {error}", status_hint=error.error_status_hint) from None
    if event is h11.NEED_DATA:
        return None
    if isinstance(event, h11.Request):
        return event
    raise UpgradeError("the connection ended before the end of the request head")


def _checked(parser: h11.Connection, request: h11.Request) -> Upgrade:
    """Apply RFC 6455 §4.2.1 to a parsed request, strictly."""
    if request.method != b"GET" or request.http_version != b"1.1":
        raise UpgradeError("a WebSocket upgrade is a GET over HTTP/1.1")
    headers: dict[bytes, list[bytes]] = {}
    for name, value in request.headers:
        headers.setdefault(name, []).append(value)
    if "websocket" not in _tokens(headers, b"upgrade"):
        raise UpgradeError("missing 'Upgrade: websocket'")
    if "upgrade" not in _tokens(headers, b"connection"):
        raise UpgradeError("missing 'Connection: Upgrade'")
    if headers.get(b"sec-websocket-version") != [_VERSION]:
        raise UpgradeError("only Sec-WebSocket-Version 13 is supported", headers=(("Sec-WebSocket-Version", "13"),))
    keys = headers.get(b"sec-websocket-key", [])
    if len(keys) != 1 or not is_websocket_key(keys[0]):
        raise UpgradeError("Sec-WebSocket-Key must be 16 bytes in base64")
    if headers.get(b"content-length", [b"0"]) != [b"0"] or b"transfer-encoding" in headers:
        raise UpgradeError("an upgrade request has no body")
    # A bodiless request ends at once, and h11 pauses before what follows: the client's first frames.
    if not isinstance(parser.next_event(), h11.EndOfMessage) or parser.next_event() is not h11.PAUSED:
        raise AssertionError("h11 pauses after a bodiless upgrade request")
    return Upgrade(
        target=request.target.decode("ascii"),
        key=keys[0],
        subprotocols=tuple(_tokens(headers, b"sec-websocket-protocol", lower=False)),
        trailing=parser.trailing_data[0],
        _http=parser,
    )


def _tokens(headers: dict[bytes, list[bytes]], name: bytes, *, lower: bool = True) -> list[str]:
    """The comma-separated tokens of every ``name`` header."""
    text = b",".join(headers.get(name, [])).decode("latin-1")
    return [token.strip().lower() if lower else token.strip() for token in text.split(",") if token.strip()]


def is_websocket_key(key: str | bytes) -> bool:
    """A ``Sec-WebSocket-Key``: 16 bytes in strict base64 (RFC 6455 §4.1); the front door checks it too."""
    try:
        return len(base64.b64decode(key.strip(), validate=True)) == 16
    except (binascii.Error, ValueError):  # ValueError: a str that is not ASCII
        return False


async def refuse(
    stream: trio.abc.Stream, status: int, message: str, *, headers: tuple[tuple[str, str], ...] = ()
) -> None:
    """Answer a plain HTTP ``status`` with ``message`` as its text body, then close the connection.

    Never raises for a peer that went away; bounded by :data:`REFUSAL_TIMEOUT_S`. What the client still
    sends (a body, say) is read and dropped for a moment, so that closing does not reset the connection
    before the client has read the answer.
    """
    body = message.encode() + b"\n"
    head = [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", str(len(body))),
        ("Connection", "close"),
        *headers,
    ]
    writer = h11.Connection(h11.SERVER)
    answer = writer.send(h11.Response(status_code=status, headers=head, reason=_reason(status))) or b""
    try:
        with trio.move_on_after(REFUSAL_TIMEOUT_S):
            await stream.send_all(answer + body)
            if isinstance(stream, trio.abc.HalfCloseableStream):
                await stream.send_eof()
            drained = 0
            while drained < _DRAIN_BYTES and (data := await stream.receive_some(_DRAIN_BYTES)):
                drained += len(data)
    except (trio.BrokenResourceError, trio.ClosedResourceError):
        pass
    finally:
        await trio.aclose_forcefully(stream)


def _reason(status: int) -> bytes:
    try:
        return http.HTTPStatus(status).phrase.encode()
    except ValueError:
        return b""


@asynccontextmanager
async def open_websocket(
    stream: trio.abc.Stream,
    upgrade: Upgrade,
    nursery: trio.Nursery,
    limits: Limits | None = None,
    *,
    subprotocol: str | None = None,
) -> AsyncIterator[WebSocket]:
    """Accept ``upgrade`` (101) and serve the connection inside the block; leaving it closes the connection.

    Args:
        stream: the connection, its request head already read.
        upgrade: that head, checked (:func:`receive_upgrade`).
        nursery: where a writer task runs while the socket pushes back; the caller's, so that an error in
            the block reaches the caller as it was raised, not wrapped in an exception group.
        limits: the connection's bounds.
        subprotocol: one the client offered, to confirm.

    The block ends the connection with 1000 when it returns, 1011 when it raises (the error propagates),
    1001 when it is cancelled. A client gone before the 101 gives a connection already closed (1006),
    never an exception.
    """
    limits = limits or Limits()
    websocket = WebSocket(stream, nursery, limits, upgrade.trailing)
    accepted = False
    with trio.move_on_after(limits.send_timeout_s):
        try:
            await stream.send_all(upgrade.accept_bytes(subprotocol))
            accepted = True
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            pass
    if not accepted:
        websocket.abort("the client left before the 101")
    code, reason = CLOSE_NORMAL, ""
    try:
        yield websocket
    except trio.Cancelled:
        code, reason = CLOSE_GOING_AWAY, "server shutting down"
        raise
    except BaseException:
        code, reason = CLOSE_INTERNAL_ERROR, "internal error"
        raise
    finally:
        await websocket.aclose(code, reason)
