"""The live-state interface (DESIGN.md §3).

Applying a command is: :meth:`LiveStore.load` → pure
:func:`checkgame.sessions.apply` → :meth:`LiveStore.commit`, a compare-and-set
on the version that also appends the entries to the session's bounded event
log and publishes them to the session's subscribers, all at once, so every
subscriber sees every entry once and in ``seq`` order. A lost race is retried
on the new state by the caller, never applied twice. The same commit files the
session's next deadline, which any node's timer may then claim.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from checkgame.sessions import Entry, SessionState

__all__ = ["LiveStore", "QuickPlayPool", "Subscription"]


class Subscription(Protocol):
    """The entries published to one session, from subscription time on."""

    @property
    def lagged(self) -> bool:
        """True when the subscriber fell too far behind and entries were dropped: it must resynchronise."""
        ...

    async def receive(self) -> Sequence[Entry]:
        """The next batch of entries (one committed command's). Raises trio.EndOfChannel once lagged or closed."""
        ...


class LiveStore(Protocol):
    """Versioned session states, event logs, subscriptions and deadlines."""

    async def create(self, state: SessionState) -> None:
        """Store a new session's first state."""
        ...

    async def load(self, session_id: str, *, fresh: bool = False) -> SessionState | None:
        """The state, or None for an unknown (or expired) session.

        A backend may answer from a local cache (possibly behind other nodes);
        ``fresh=True`` asks for the authoritative value. Stale reads are safe
        for writers because :meth:`commit` compares versions.
        """
        ...

    async def commit(self, expected_version: int, state: SessionState, entries: Sequence[Entry]) -> bool:
        """Replace the state if its version is still ``expected_version``; log and publish ``entries``;
        schedule the session's next wake-up (``state.wake_at()``). All of it at once, or nothing.

        Returns:
            False when another writer won the race (nothing was changed).
        """
        ...

    async def entries_since(self, session_id: str, seq: int) -> list[Entry] | None:
        """Entries numbered above ``seq``, or None when some of them are no longer kept (send a snapshot)."""
        ...

    def subscribe(self, session_id: str) -> AbstractAsyncContextManager[Subscription]:
        """Receive the session's entries while the context is open."""
        ...

    async def claim_due(self, now: float) -> list[str]:
        """Sessions whose wake-up time has come, each claimed by exactly one caller."""
        ...

    async def track(self, node: str, session_id: str) -> None:
        """Remember that ``node`` holds connections in ``session_id`` (so they can be let go if it dies)."""
        ...

    async def heartbeat(self, node: str, now: float) -> None:
        """``node`` is alive at ``now``."""
        ...

    async def claim_dead_nodes(self, now: float, silence_s: float) -> list[tuple[str, list[str]]]:
        """Nodes without a heartbeat for ``silence_s``, each with the sessions it held, claimed by one caller.

        The caller tells each session (:class:`~checkgame.sessions.NodeLost`) so that the players whose
        connections died with the node start their grace period.
        """
        ...

    async def ping(self) -> None:
        """Answer when the backend answers; raise LiveStateError otherwise."""
        ...

    async def session_ids(self) -> list[str]:
        """Every live session (for operators)."""
        ...

    async def publish_node_report(self, node: str, report: dict[str, Any], now: float, ttl_s: float) -> None:
        """Publish ``node``'s JSON-compatible summary (its connections, rates, drain state) for the admin API of
        every node; it is forgotten ``ttl_s`` after ``now`` unless published again."""
        ...

    async def node_reports(self, now: float) -> dict[str, dict[str, Any]]:
        """The latest unexpired report of every node, by node id."""
        ...

    async def request_drain(self, node: str, draining: bool) -> None:
        """Ask ``node`` to stop taking connections (``draining``) or to take them again."""
        ...

    async def drain_requested(self, node: str) -> bool:
        """Whether ``node`` has been asked to drain (its own loop polls this)."""
        ...


class QuickPlayPool(Protocol):
    """What matchmaking shares between nodes: the open quick-play tables of each size, and short claims.

    A reservation hands out each seat of a table once, so concurrent requests spread over the free seats instead
    of racing for the same one; whether the seat is really free is still decided by the Join applied to the
    table's live state (a player may have left, a stray Join taken it), and a refused Join withdraws the
    table. A claim is a named value that only one caller can set until it is released or expires: it holds a
    player's pending or current quick-play table (so a player is never seated twice).
    """

    async def reserve(self, size: int, new_table: str) -> tuple[str, bool]:
        """Reserve a seat at the open table of ``size`` players with the most seats reserved but one free, and
        say so with ``(table, False)``; when none has one, file ``new_table`` with its first seat reserved and
        answer ``(new_table, True)``: the caller must open it."""
        ...

    async def unreserve(self, size: int, session_id: str) -> None:
        """Give back a seat reserved at ``session_id`` that the caller did not take."""
        ...

    async def withdraw(self, size: int, session_id: str) -> None:
        """``session_id`` takes nobody else (full, started, finished, gone, or never opened)."""
        ...

    async def claim(self, name: str, holder: str, ttl_s: float) -> str | None:
        """Set ``name`` to ``holder`` for ``ttl_s`` if nobody holds it: None then, else the current holder."""
        ...

    async def handover(self, name: str, holder: str, successor: str, ttl_s: float) -> bool:
        """Replace ``holder`` by ``successor`` for ``ttl_s``; False (nothing changed) if it no longer holds it."""
        ...

    async def release(self, name: str, holder: str) -> None:
        """Let go of ``name`` if ``holder`` still holds it."""
        ...
