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
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["ConnectionCounts", "LimitReachedError"]


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

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Count one connection in the total while the block runs.

        Raises:
            LimitReachedError: the node holds ``max_total`` already.
        """
        if self.max_total and self.total >= self.max_total:
            raise LimitReachedError("max_connections", "this node holds as many connections as it may")
        self.total += 1
        try:
            yield
        finally:
            self.total -= 1

    @contextmanager
    def hold_address(self, address: str) -> Iterator[None]:
        """Count one connection from ``address`` while the block runs.

        Raises:
            LimitReachedError: ``address`` holds ``max_per_address`` already.
        """
        if self.max_per_address and self._by_address[address] >= self.max_per_address:
            raise LimitReachedError("max_connections_per_ip", "too many connections from your address")
        self._by_address[address] += 1
        try:
            yield
        finally:
            self._by_address[address] -= 1
            if not self._by_address[address]:
                del self._by_address[address]
