"""A session's viewers on one node: one subscription, presence, and each entry rendered once per view.

Theory of operation
-------------------
A node keeps one :class:`SessionHub` per session that has viewers (player
sockets) on it, in :class:`Hubs`. The hub owns the session's only
subscription on this node, opened *before* any viewer's first snapshot is
read, so no entry can fall between a snapshot and the feed.

The hub's feed task receives each commit's entries and hands them to every
viewer synchronously: no task or channel stands between the subscription and
the socket. An entry is rendered once for the public view and once more only
for each seat it shows more to (a dealt hand, the cards a player drew:
RULES.md §16); every viewer of the same view gets the same rendered object,
so a table of four costs one encoding for a public move, not four.

Each viewer has a ``last_sent`` seq. An entry at or below it is skipped (the
viewer's own resynchronisation already sent it); an entry past
``last_sent + 1`` is a gap, and that viewer is resynchronised from the log
(or one snapshot) before the feed goes on. Resyncs and deliveries hold the
hub's lock, so a viewer sees each entry once, in order, from any node.

Presence: the first viewer of a player makes the session hear
:class:`~checkgame.sessions.Connect` (naming this node), the last one to go
:class:`~checkgame.sessions.Disconnect`; so a second tab or a reconnect racing
its dead socket never marks the player away. The hub stops with its last viewer.

Spectators are viewers too (``viewer.spectator``): they get the public
render of every entry and a public snapshot, hold no seat (no presence
commands), and the audience rule (:func:`checkgame.sessions.audience`) keeps
each chat to its side: a spectator is never handed the players' chat, a player
never the spectators', nobody a report. An entry a viewer may not see still
advances its ``last_sent``, so it is no gap.

When the subscription overflows, or the live store's connection drops,
entries may have been lost on this node: every viewer is told it fell behind
(the transport closes it with 1013) and resumes from its ``lastSeq`` elsewhere
or later, the same promise a reconnect makes. The hub is protocol-agnostic:
what a frame is, and what closing means, belong to the transport
(:class:`Renderer`, :class:`Viewer`).
"""

from __future__ import annotations

import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

import trio

from checkgame import protocol, sessions
from checkgame.errors import ClientError, LiveStateError
from checkgame.rooms.service import SessionService
from checkgame.sessions import Entry, SessionState

__all__ = ["HubStatistics", "Hubs", "HubsStatistics", "Renderer", "SessionHub", "Viewer"]

log = logging.getLogger(__name__)

F = TypeVar("F")
"""A rendered frame, opaque to the hub (text, or the bytes of a WebSocket frame)."""
F_contra = TypeVar("F_contra", contravariant=True)


class Renderer(Protocol[F]):
    """How the transport turns entries into frames."""

    def entry(self, entry: Entry, viewer: str | None) -> F:
        """``entry`` as ``viewer`` may see it (None: the public view)."""
        ...

    def snapshot(self, state: SessionState, viewer: str | None) -> F:
        """The whole session as ``viewer`` may see it (``session_state``; None: the public view)."""
        ...

    def batches(self, frames: Sequence[F]) -> Sequence[F]:
        """Frames as few messages as the protocol's bounds allow, in order (for viewers that asked for batches)."""
        ...


class Viewer(Protocol[F_contra]):
    """One socket watching a session, as the hub sees it."""

    @property
    def player_id(self) -> str: ...

    @property
    def spectator(self) -> bool:
        """A spectator: the public view only, the spectators' chat, no seat and no presence."""
        ...

    @property
    def batching(self) -> bool:
        """Frames of one commit go out as one batch message."""
        ...

    @property
    def capacity(self) -> int:
        """Frames the viewer can still take now: a replay longer than this is sent as one snapshot."""
        ...

    def write(self, frame: F_contra) -> None:
        """Send ``frame`` now or queue it; never blocks (a viewer that cannot keep up closes itself)."""
        ...

    def kicked(self) -> None:
        """An administrator removed this player: close once what was written has gone out."""
        ...

    def fell_behind(self, reason: str) -> None:
        """Entries were lost on this node: close so that the client resumes from its last seq."""
        ...

    def replaced(self) -> None:
        """Newer sockets of the same player took this one's place (the per-player cap)."""
        ...


@dataclass(frozen=True, slots=True)
class HubStatistics:
    """One hub's counters (trio's ``statistics()`` convention)."""

    session_id: str
    viewers: int
    players: int
    spectators: int
    delivered_seq: int
    """The highest seq handed to the viewers."""
    entries: int
    """Entries received from the subscription."""
    renders: int
    """Frames rendered: with the public view shared, at most entries × (1 + seats that see more)."""
    writes: int
    """Frames handed to viewers."""


@dataclass(frozen=True, slots=True)
class HubsStatistics:
    """This node's hubs: what ``active_games_total`` and ``websocket_connections_total`` report."""

    sessions: int
    viewers: int
    spectators: int
    """Of the viewers, those watching without a seat."""


@dataclass(slots=True)
class _Move:
    seq: int
    arrived: float


class SessionHub(Generic[F]):
    """The viewers of one session on this node; :meth:`run` is its feed task."""

    def __init__(
        self,
        session_id: str,
        service: SessionService,
        node_id: str,
        renderer: Renderer[F],
        observe_broadcast: Callable[[float], None],
        max_viewers_per_player: int = 4,
    ) -> None:
        self.session_id = session_id
        self._max_viewers_per_player = max_viewers_per_player
        self._service = service
        self._node_id = node_id
        self._renderer = renderer
        self._observe_broadcast = observe_broadcast
        self._sent: dict[Viewer[F], int] = {}
        """Each viewer and the seq of the last entry it was handed."""
        self._players: Counter[str] = Counter()
        self._spectators = 0
        self._lock = trio.Lock()
        self._moves: list[_Move] = []
        self._delivered = -1
        self._entries = self._renders = self._writes = 0
        self.members = 0
        """Viewers attached or attaching: the hub stops when it drops to zero."""
        self.ready = trio.Event()
        """Set once the feed runs, or has failed to start: a viewer waiting for the hub may go on."""
        self.started = False
        """The subscription is open and the feed runs (a failure before that is the opener's to report)."""
        self.stopped = False
        self._scope = trio.CancelScope()

    # -- the feed
    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Subscribe, report started, then feed every commit to the viewers until stopped or lost."""
        with self._scope:
            try:
                async with self._service.subscribe(self.session_id) as subscription:
                    task_status.started()
                    self.started = True
                    self.ready.set()
                    while True:
                        try:
                            entries = await subscription.receive()
                        except (trio.EndOfChannel, trio.ClosedResourceError):
                            self._lost("fell behind the session: reconnect and resume")
                            return
                        async with self._lock:
                            await self._deliver(entries)
            except LiveStateError as error:
                if not self.started:
                    raise  # reported to the viewer that tried to open the hub
                log.warning("live state failed while feeding a session: %s", error)
                self._lost("live state unavailable: reconnect and resume")
            finally:
                self.stopped = True
                self.ready.set()

    def running(self) -> bool:
        """The feed goes on (or is about to start)."""
        return not self.stopped

    def stop(self) -> None:
        """End the feed (its last viewer is gone)."""
        self.stopped = True
        self._scope.cancel()

    def _lost(self, reason: str) -> None:
        self.stopped = True
        for viewer in list(self._sent):
            viewer.fell_behind(reason)

    async def _deliver(self, entries: Sequence[Entry]) -> None:
        self._entries += len(entries)
        public: dict[int, F] = {}
        private: dict[tuple[int, str], F] = {}
        batches: dict[tuple[int, ...], Sequence[F]] = {}

        def render(index: int, entry: Entry, player: str | None) -> F:
            if entry.private is not None and player is not None and player in entry.private:
                key = (index, player)
                if key not in private:
                    private[key] = self._renderer.entry(entry, player)
                    self._renders += 1
                return private[key]
            if index not in public:
                public[index] = self._renderer.entry(entry, None)
                self._renders += 1
            return public[index]

        for viewer in list(self._sent):
            if viewer not in self._sent:  # closed by an earlier viewer's resync meanwhile
                continue
            frames: list[F] = []
            for index, entry in enumerate(entries):
                last = self._sent[viewer]
                if entry.seq <= last:
                    continue
                if entry.seq != last + 1:  # lost entries: catch up from the log, then go on
                    self._write(viewer, frames, batches)
                    frames = []
                    await self._resync(viewer, last)
                    continue
                if _shown(entry, viewer):
                    frames.append(render(index, entry, None if viewer.spectator else viewer.player_id))
                self._sent[viewer] = entry.seq
            self._write(viewer, frames, batches)
            if any(_kicks(entry, viewer) for entry in entries):
                viewer.kicked()
        if entries:
            self._delivered = max(self._delivered, entries[-1].seq)
        self._finish_moves()

    def _write(self, viewer: Viewer[F], frames: list[F], batches: dict[tuple[int, ...], Sequence[F]]) -> None:
        if not frames:
            return
        self._writes += len(frames)
        messages: Sequence[F] = frames
        if viewer.batching and len(frames) > 1:
            key = tuple(map(id, frames))  # viewers of the same view share the same batches
            if key not in batches:
                batches[key] = self._renderer.batches(frames)
            messages = batches[key]
        for message in messages:
            viewer.write(message)

    # -- viewers
    async def attach(self, viewer: Viewer[F], last_seq: int | None) -> str:
        """Bring ``viewer`` up to date (replay after ``last_seq``, or a snapshot), then feed it.

        Returns:
            ``replay`` or ``snapshot``.
        """
        async with self._lock:
            mode = await self._resync(viewer, last_seq)
        if viewer.spectator:
            self._spectators += 1
            return mode
        player = viewer.player_id
        self._replace_oldest(viewer)
        self._players[player] += 1
        if self._players[player] == 1:
            await self._service.track(self._node_id, self.session_id)
            await self._service.execute(self.session_id, sessions.Connect(player, self._node_id))
        return mode

    def _replace_oldest(self, newest: Viewer[F]) -> None:
        """Keep at most the cap of ``newest``'s player's viewers: the oldest go, so dead sockets never lock out."""
        mine = [
            viewer
            for viewer in self._sent
            if viewer.player_id == newest.player_id and viewer is not newest and not viewer.spectator
        ]
        for viewer in mine[: max(0, len(mine) + 1 - self._max_viewers_per_player)]:
            viewer.replaced()

    async def resume(self, viewer: Viewer[F], last_seq: int) -> str:
        """The viewer asks again for what it missed after ``last_seq``."""
        async with self._lock:
            return await self._resync(viewer, last_seq)

    async def detach(self, viewer: Viewer[F]) -> None:
        """``viewer`` is gone; the last one of its player makes the session hear Disconnect."""
        if self._sent.pop(viewer, None) is None:
            return
        if viewer.spectator:
            self._spectators -= 1
            return
        player = viewer.player_id
        self._players[player] -= 1
        if self._players[player] > 0:
            return
        del self._players[player]
        with contextlib.suppress(ClientError):  # the session ended or vanished meanwhile: no seat to hold
            await self._service.execute(self.session_id, sessions.Disconnect(player, self._node_id))

    async def _resync(self, viewer: Viewer[F], after_seq: int | None) -> str:
        """Hand ``viewer`` every entry after ``after_seq`` again, or one snapshot when they are gone."""
        entries = None
        if after_seq is not None and after_seq >= 0:
            entries = await self._service.entries_since(self.session_id, after_seq)
        if entries is not None and not entries and after_seq is not None and after_seq > max(self._delivered, 0):
            state = await self._service.load(self.session_id)
            if after_seq > state.seq:  # a seq from the future (another server's log, a bad client): start afresh
                entries = None
        if entries is None or len(entries) > viewer.capacity:
            state = await self._service.load(self.session_id)
            viewer.write(self._renderer.snapshot(state, None if viewer.spectator else viewer.player_id))
            self._sent[viewer] = state.seq
            self._writes += 1
            return "snapshot"
        assert after_seq is not None
        self._sent[viewer] = max(self._sent.get(viewer, -1), after_seq)
        for entry in entries:  # all of them, even those already sent: the client asked for them again
            self._sent[viewer] = max(self._sent[viewer], entry.seq)
            if not _shown(entry, viewer):
                continue
            viewer.write(self._renderer.entry(entry, None if viewer.spectator else viewer.player_id))
            self._renders += 1
            self._writes += 1
            if _kicks(entry, viewer):
                viewer.kicked()
        return "replay"

    # -- timing
    def committed(self, seq: int, arrived: float) -> None:
        """A move that arrived at ``arrived`` (trio time) committed entries up to ``seq``: time its broadcast."""
        self._moves.append(_Move(seq, arrived))
        self._finish_moves()

    def _finish_moves(self) -> None:
        if not self._moves:
            return
        now = trio.current_time()
        waiting = []
        for move in self._moves:
            if move.seq <= self._delivered or not self._sent:
                self._observe_broadcast(now - move.arrived)
            else:
                waiting.append(move)
        self._moves = waiting

    def viewers(self) -> list[Viewer[F]]:
        """The viewers attached now."""
        return list(self._sent)

    def statistics(self) -> HubStatistics:
        """What this hub holds and has done."""
        return HubStatistics(
            self.session_id,
            len(self._sent),
            len(self._players),
            self._spectators,
            self._delivered,
            self._entries,
            self._renders,
            self._writes,
        )


class Hubs(Generic[F]):
    """This node's hubs, one per session with viewers here; :meth:`run` owns their feed tasks.

    ``renderer`` makes the renderer of a session, given its id.
    """

    def __init__(
        self,
        service: SessionService,
        node_id: str,
        renderer: Callable[[str], Renderer[F]],
        *,
        observe_broadcast: Callable[[float], None] = lambda _seconds: None,
        on_crash: Callable[[], None] = lambda: None,
        max_viewers_per_player: int = 4,
    ) -> None:
        self._service = service
        self._max_viewers_per_player = max_viewers_per_player
        self._node_id = node_id
        self._renderer = renderer
        self._observe_broadcast = observe_broadcast
        self._on_crash = on_crash
        self._hubs: dict[str, SessionHub[F]] = {}
        self._nursery: trio.Nursery | None = None
        self._stopped = trio.Event()

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Hold the nursery of every hub's feed until :meth:`stop` (or cancelled)."""
        async with trio.open_nursery() as nursery:
            self._nursery = nursery
            task_status.started()
            await self._stopped.wait()
            nursery.cancel_scope.cancel()

    def stop(self) -> None:
        """End every feed (the server has stopped serving: no viewer is left)."""
        self._stopped.set()

    @asynccontextmanager
    async def join(
        self, session_id: str, viewer: Viewer[F], last_seq: int | None
    ) -> AsyncIterator[tuple[SessionHub[F], str]]:
        """Attach ``viewer`` to its session's hub (opening it) for the block; detach (and maybe close) after.

        Yields:
            The hub, and how the viewer was brought up to date (``replay`` or ``snapshot``).

        Raises:
            LiveStateError: the live store could not subscribe.
            ClientError: the session is gone.
        """
        hub = await self._open(session_id)
        try:
            mode = await hub.attach(viewer, last_seq)
            yield hub, mode
        finally:
            with trio.CancelScope(shield=True):
                await hub.detach(viewer)
                hub.members -= 1
                if hub.members == 0:
                    hub.stop()
                    if self._hubs.get(session_id) is hub:
                        del self._hubs[session_id]

    async def _open(self, session_id: str) -> SessionHub[F]:
        hub = self._hubs.get(session_id)
        if hub is not None and hub.running():
            hub.members += 1
            await hub.ready.wait()
            if hub.running():
                return hub
            hub.members -= 1
        assert self._nursery is not None, "Hubs.run is not running"
        renderer = self._renderer(session_id)
        hub = SessionHub(
            session_id, self._service, self._node_id, renderer, self._observe_broadcast, self._max_viewers_per_player
        )
        hub.members = 1
        self._hubs[session_id] = hub
        try:
            await self._nursery.start(self._supervise, hub)
        except BaseException:
            if self._hubs.get(session_id) is hub:
                del self._hubs[session_id]
            raise
        return hub

    async def _supervise(self, hub: SessionHub[F], *, task_status: trio.TaskStatus[None]) -> None:
        """The one place a hub's crash is caught: its viewers are told, the node goes on."""
        try:
            await hub.run(task_status=task_status)
        except Exception:
            if not hub.started:
                raise  # nursery.start hands it to the viewer that was opening the hub
            log.exception("the hub of a session crashed; its viewers reconnect")
            self._on_crash()
            for viewer in hub.viewers():
                viewer.fell_behind("server error: reconnect and resume")

    def get(self, session_id: str) -> SessionHub[F] | None:
        """The session's hub on this node, if it has viewers here."""
        return self._hubs.get(session_id)

    def __iter__(self) -> Iterator[SessionHub[F]]:
        return iter(list(self._hubs.values()))

    def statistics(self) -> HubsStatistics:
        """Sessions with viewers here, and the viewers."""
        hubs = [hub.statistics() for hub in self._hubs.values()]
        return HubsStatistics(len(hubs), sum(h.viewers for h in hubs), sum(h.spectators for h in hubs))


def _kicks(entry: Entry, viewer: Viewer[F]) -> bool:
    """``entry`` removes ``viewer``'s player from the session by an administrator's order."""
    data = entry.data
    return not viewer.spectator and isinstance(data, protocol.PlayerKicked) and data.player == viewer.player_id


def _shown(entry: Entry, viewer: Viewer[F]) -> bool:
    """``viewer`` may be sent ``entry`` (the audience rule: each chat to its side, reports to nobody)."""
    seen_by = sessions.audience(entry)
    if seen_by is sessions.Audience.EVERYONE:
        return True
    if viewer.spectator:
        return seen_by is sessions.Audience.SPECTATORS
    return seen_by is sessions.Audience.PLAYERS
