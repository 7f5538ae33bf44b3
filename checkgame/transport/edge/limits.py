"""How many connections the node holds, in total and per client address, and whether one more may come in.

Per address means per *client*. Without a proxy that is the TCP peer, known
at accept. Behind our nginx (``trust_forwarded_for``) the peer is nginx for
every player, so the front door counts the proxy's connections in the total
only, and each under the address its first request names in X-Forwarded-For
once that head has arrived; nginx receives heads and bodies whole before it
opens a connection to us, so slow clients there are nginx's to cut.
"""

from __future__ import annotations

from collections import Counter

__all__ = ["Admission", "ConnectionCounts", "LimitReachedError"]


class LimitReachedError(Exception):
    """One more connection would exceed a cap; ``reason`` names which (a metric label)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class ConnectionCounts:
    """Open connections, in total and per address; a cap of 0 means none."""

    def __init__(self, max_total: int, max_per_address: int) -> None:
        self.max_total = max_total
        self.max_per_address = max_per_address
        self.total = 0
        self._by_address: Counter[str] = Counter()

    def by_address(self, address: str) -> int:
        """Connections open from ``address``."""
        return self._by_address[address]

    def admit(self, address: str | None = None) -> Admission:
        """Count one more connection in the total, and under ``address`` if it is known already.

        Raises:
            LimitReachedError: the node holds ``max_total`` already, or ``address`` holds ``max_per_address``.
        """
        if self.max_total and self.total >= self.max_total:
            raise LimitReachedError("max_connections", "this node holds as many connections as it may")
        self.total += 1
        admission = Admission(self)
        if address is not None:
            try:
                admission.count_address(address)
            except LimitReachedError:
                admission.release()
                raise
        return admission

    def _take_address(self, address: str) -> None:
        if self.max_per_address and self._by_address[address] >= self.max_per_address:
            raise LimitReachedError("max_connections_per_ip", "too many connections from your address")
        self._by_address[address] += 1

    def _free(self, address: str | None) -> None:
        self.total -= 1
        if address is not None:
            self._by_address[address] -= 1
            if not self._by_address[address]:
                del self._by_address[address]


class Admission:
    """One connection's place in :class:`ConnectionCounts`, given back by :meth:`release` or at the end of a
    ``with`` block.

    A small object rather than a context manager per count on an ExitStack: it is held for the connection's
    life, and those cost about 1 KB per connection.
    """

    __slots__ = ("_address", "_counts")

    def __init__(self, counts: ConnectionCounts) -> None:
        self._counts: ConnectionCounts | None = counts
        self._address: str | None = None

    def count_address(self, address: str) -> None:
        """Count the connection under ``address`` too, once it is known (behind a proxy: X-Forwarded-For).

        Raises:
            LimitReachedError: ``address`` holds ``max_per_address`` already.
        """
        if self._counts is None or self._address is not None:
            raise RuntimeError("an admission counts under one address, while it is held")
        self._counts._take_address(address)
        self._address = address

    def release(self) -> None:
        """Give the place back (once; again does nothing)."""
        if self._counts is not None:
            self._counts._free(self._address)
            self._counts = None

    def __enter__(self) -> Admission:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
