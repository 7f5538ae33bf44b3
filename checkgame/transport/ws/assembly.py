"""Client messages joined from their fragments under a size limit (sans-I/O, on wsproto's events).

RFC 6455 lets a message arrive in any number of continuation frames, so a
limit checked on the whole message, once it is whole, comes after the memory
is spent. :class:`MessageBuffer` counts every fragment as it arrives and
refuses the message the moment its total passes the limit, keeping nothing of
it: whatever serves the socket (Hypercorn today, a Trio + wsproto loop
tomorrow) then closes with 1009 at once.
"""

from __future__ import annotations

from typing import cast

from wsproto.events import BytesMessage, TextMessage

__all__ = ["MessageBuffer", "MessageTooBigError"]


class MessageTooBigError(Exception):
    """The message being received passed the limit; its fragments were dropped."""


class MessageBuffer:
    """The fragments of the message being received, at most ``max_bytes`` of them (UTF-8 bytes for text)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.refused = False
        """A message was refused: the connection must end (its next bytes are the rest of that message)."""
        self._parts: list[str | bytes | bytearray] = []
        self._size = 0

    def extend(self, event: TextMessage | BytesMessage) -> str | bytes | None:
        """Take one fragment; the whole message when this fragment ends it, else None.

        Raises:
            MessageTooBigError: the message now holds more than ``max_bytes``.
        """
        data = event.data
        self._size += len(data.encode()) if isinstance(data, str) else len(data)
        if self._size > self.max_bytes:
            self._parts, self._size, self.refused = [], 0, True
            raise MessageTooBigError(f"messages are limited to {self.max_bytes} bytes")
        self._parts.append(data)
        if not event.message_finished:
            return None
        parts, self._parts, self._size = self._parts, [], 0
        if isinstance(data, str):
            return "".join(cast("list[str]", parts))
        return b"".join(cast("list[bytes]", parts))
