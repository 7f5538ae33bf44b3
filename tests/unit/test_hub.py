"""The session hub: one subscription per session, each entry rendered once per view, presence, resync."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest
import trio

from checkgame import sessions
from checkgame.live.memory import MemoryLiveStore
from checkgame.rooms.hub import Hubs
from checkgame.rooms.service import SessionService
from checkgame.sessions import Entry, Join, Seat, SessionSettings, SessionState, Start

SETTINGS = SessionSettings(max_players=4, turn_timeout_s=30, next_game_delay_s=5, grace_s=60)


@dataclass
class Rendered:
    """A frame as the fake renderer makes it: which entry (or snapshot), for which view."""

    kind: str
    seq: int
    view: str | None
    parts: tuple[Rendered, ...] = ()


@dataclass
class CountingRenderer:
    renders: list[Rendered] = field(default_factory=list)

    def entry(self, entry: Entry, viewer: str | None) -> Rendered:
        frame = Rendered(entry.type, entry.seq, viewer)
        self.renders.append(frame)
        return frame

    def snapshot(self, state: SessionState, viewer: str | None) -> Rendered:
        return Rendered("session_state", state.seq, viewer)

    def batches(self, frames: Sequence[Rendered]) -> list[Rendered]:
        return [Rendered("batch", frames[-1].seq, None, tuple(frames))]


@dataclass(eq=False)
class FakeViewer:
    player_id: str
    spectator: bool = False
    batching: bool = False
    capacity: int = 256
    frames: list[Rendered] = field(default_factory=list)
    closed: str | None = None

    def write(self, frame: Rendered) -> None:
        self.frames.append(frame)

    def kicked(self) -> None:
        self.closed = "kicked"

    def fell_behind(self, reason: str) -> None:
        self.closed = reason

    def replaced(self) -> None:
        self.closed = "replaced"

    def seqs(self) -> list[int]:
        return [frame.seq for frame in self.frames]


@dataclass
class Table:
    live: MemoryLiveStore
    service: SessionService
    renderer: CountingRenderer
    hubs: Hubs[Rendered]


@pytest.fixture
async def table(nursery: trio.Nursery) -> Table:
    live = MemoryLiveStore()
    service = SessionService(live, lambda _effect: None, lambda: 1.0)
    state = sessions.new_session("S", Seat("ann", "Ann"), 7, SETTINGS, 0.0)
    await service.create(state)
    for player in ("bob", "cid"):
        await service.execute("S", Join(player, player.title()))
    renderer = CountingRenderer()
    hubs = Hubs[Rendered](service, "node-1", lambda _session: renderer)
    await nursery.start(hubs.run)
    return Table(live, service, renderer, hubs)


async def test_a_public_entry_is_rendered_once_for_the_whole_table(table: Table) -> None:
    viewers = [FakeViewer(p) for p in ("ann", "bob", "cid")]
    async with (
        table.hubs.join("S", viewers[0], None),
        table.hubs.join("S", viewers[1], None),
        table.hubs.join("S", viewers[2], None),
    ):
        assert table.hubs.statistics().sessions == 1
        await trio.testing.wait_all_tasks_blocked()
        table.renderer.renders.clear()
        await table.service.execute("S", sessions.Start("ann"))
        await trio.testing.wait_all_tasks_blocked()
    started = [frame for frame in table.renderer.renders if frame.kind == "tournament_started"]
    assert len(started) == 1  # public: one render, three viewers
    dealt = [frame for frame in table.renderer.renders if frame.kind == "game_started"]
    assert sorted(str(frame.view) for frame in dealt) == ["ann", "bob", "cid"]  # a hand each: one per seat
    for viewer in viewers:
        kinds = [frame.kind for frame in viewer.frames]
        assert "tournament_started" in kinds
        assert [frame.view for frame in viewer.frames if frame.kind == "game_started"] == [viewer.player_id]
        assert viewer.seqs()[1:] == sorted(set(viewer.seqs()[1:]))  # in order, each once


async def test_presence_counts_players_not_sockets(table: Table) -> None:
    first, second = FakeViewer("ann"), FakeViewer("ann")
    async with table.hubs.join("S", first, None):
        async with table.hubs.join("S", second, None):
            assert (await table.service.load("S")).is_present("ann")
            stats = table.hubs.get("S")
            assert stats is not None
            assert (stats.statistics().viewers, stats.statistics().players) == (2, 1)
        assert (await table.service.load("S")).is_present("ann")  # one tab closed, the other holds the seat
    state = await table.service.load("S")
    assert not state.is_present("ann")
    assert table.hubs.get("S") is None  # the last viewer took the hub with it


async def test_a_viewer_resumes_with_a_replay_or_a_snapshot(table: Table) -> None:
    seq = (await table.service.load("S")).seq
    replayed = FakeViewer("bob")
    async with table.hubs.join("S", replayed, seq - 1):
        assert replayed.seqs()[0] == seq  # the one entry it missed, not a snapshot
        assert replayed.frames[0].kind != "session_state"
    fresh = FakeViewer("cid")
    async with table.hubs.join("S", fresh, None):
        assert fresh.frames[0].kind == "session_state"


async def test_a_seq_from_the_future_gets_a_snapshot_not_silence(table: Table) -> None:
    viewer = FakeViewer("bob")
    async with table.hubs.join("S", viewer, 10_000):
        assert [frame.kind for frame in viewer.frames] == ["session_state"]
        await table.service.execute("S", Start("ann"))
        await trio.testing.wait_all_tasks_blocked()
        assert "tournament_started" in [frame.kind for frame in viewer.frames]


async def test_a_replay_longer_than_the_viewer_can_take_becomes_a_snapshot(table: Table) -> None:
    viewer = FakeViewer("bob", capacity=1)
    async with table.hubs.join("S", viewer, 0):
        assert [frame.kind for frame in viewer.frames] == ["session_state"]


async def test_batching_viewers_share_one_batch_per_commit(table: Table) -> None:
    ann, bob = FakeViewer("ann", batching=True), FakeViewer("bob", batching=True)
    async with table.hubs.join("S", ann, None), table.hubs.join("S", bob, None):
        ann.frames.clear()
        bob.frames.clear()
        await table.service.execute("S", sessions.LeaveSession("ann"))  # two entries: left, creator changed
        await trio.testing.wait_all_tasks_blocked()
    assert len(bob.frames) == 1
    assert [part.kind for part in bob.frames[0].parts] == ["player_left_session", "creator_changed"]
    assert ann.frames[0] is bob.frames[0]  # one batch rendered for both


async def test_a_lagging_subscription_tells_every_viewer_to_resume(table: Table) -> None:
    viewer = FakeViewer("ann")
    async with table.hubs.join("S", viewer, None):
        for subscriptions in table.live._subscribers.values():
            for subscription in subscriptions:
                subscription.mark_lagged()
        await trio.testing.wait_all_tasks_blocked()
        assert viewer.closed is not None
        assert "resume" in viewer.closed
    assert table.hubs.get("S") is None


async def test_a_kick_closes_the_kicked_players_viewer_only(table: Table) -> None:
    ann, bob = FakeViewer("ann"), FakeViewer("bob")
    async with table.hubs.join("S", ann, None), table.hubs.join("S", bob, None):
        await table.service.execute("S", sessions.Kick("bob", "admin"))
        await trio.testing.wait_all_tasks_blocked()
    assert bob.closed == "kicked"
    assert ann.closed is None


async def test_a_broadcast_is_timed_from_arrival_to_delivery(table: Table) -> None:
    observed: list[float] = []
    hubs = Hubs[Rendered](table.service, "node-2", lambda _session: table.renderer, observe_broadcast=observed.append)
    async with trio.open_nursery() as nursery:
        await nursery.start(hubs.run)
        async with hubs.join("S", FakeViewer("ann"), None) as (hub, _mode):
            arrived = trio.current_time()
            outcome = await table.service.execute("S", Start("ann"))
            hub.committed(outcome.state.seq, arrived)
            await trio.testing.wait_all_tasks_blocked()
            assert len(observed) == 1
            assert observed[0] >= 0
        nursery.cancel_scope.cancel()


async def test_a_player_keeps_only_their_newest_viewers(table: Table) -> None:
    hubs = Hubs[Rendered](table.service, "node-3", lambda _session: table.renderer, max_viewers_per_player=2)
    sockets = [FakeViewer("ann") for _ in range(3)]
    async with trio.open_nursery() as nursery:
        await nursery.start(hubs.run)
        async with hubs.join("S", sockets[0], None), hubs.join("S", sockets[1], None):
            assert [viewer.closed for viewer in sockets[:2]] == [None, None]
            async with hubs.join("S", sockets[2], None):
                assert [viewer.closed for viewer in sockets] == ["replaced", None, None]
        nursery.cancel_scope.cancel()


async def test_a_spectator_sees_the_public_view_and_holds_no_seat(table: Table) -> None:
    player, spectator = FakeViewer("ann"), FakeViewer("spectator-1", spectator=True)
    async with table.hubs.join("S", player, None), table.hubs.join("S", spectator, None):
        hub = table.hubs.get("S")
        assert hub is not None
        assert (hub.statistics().players, hub.statistics().spectators) == (1, 1)
        assert table.hubs.statistics().spectators == 1
        state = await table.service.load("S")
        assert [p for p, _ in state.present] == ["ann"]  # the spectator marked nobody present
        await table.service.execute("S", sessions.Start("ann"))
        await trio.testing.wait_all_tasks_blocked()
    assert spectator.frames[0] == Rendered("session_state", spectator.frames[0].seq, None)
    assert {frame.view for frame in spectator.frames} == {None}  # never a seat's private render
    assert "game_started" in [frame.kind for frame in spectator.frames]
    assert [frame.view for frame in player.frames if frame.kind == "game_started"] == ["ann"]


async def test_each_chat_goes_to_its_side_only_and_reports_to_nobody(table: Table) -> None:
    player, spectator = FakeViewer("ann"), FakeViewer("spectator-1", spectator=True)
    async with table.hubs.join("S", player, None), table.hubs.join("S", spectator, None):
        await trio.testing.wait_all_tasks_blocked()
        said = await table.service.execute("S", sessions.Chat("ann", "Ann", "players", "good luck"))
        await table.service.execute("S", sessions.Chat("watcher", "W", "spectators", "go bob"))
        await table.service.execute("S", sessions.ReportChat("watcher", said.state.seq, "rude"))
        await table.service.execute("S", sessions.Notice("hello all"))
        await trio.testing.wait_all_tasks_blocked()
    for viewer in (player, spectator):
        kinds = [frame.kind for frame in viewer.frames]
        assert kinds.count("chat_message") == 1
        assert "chat_reported" not in kinds
        assert kinds[-1] == "notice"  # the hidden entries are no gap: no snapshot was needed to go on
        assert kinds.count("session_state") == 1
    assert [f.seq for f in player.frames if f.kind == "chat_message"] == [said.state.seq]
    assert [f.seq for f in spectator.frames if f.kind == "chat_message"] == [said.state.seq + 1]


async def test_a_resuming_viewer_replays_only_what_its_side_may_see(table: Table) -> None:
    seq = (await table.service.load("S")).seq
    await table.service.execute("S", sessions.Chat("ann", "Ann", "players", "hi"))
    await table.service.execute("S", sessions.Chat("watcher", "W", "spectators", "hey"))
    spectator, player = FakeViewer("spectator-1", spectator=True), FakeViewer("bob")
    async with table.hubs.join("S", spectator, seq), table.hubs.join("S", player, seq):
        assert [(f.kind, f.seq) for f in spectator.frames] == [("chat_message", seq + 2)]
        assert [(f.kind, f.seq) for f in player.frames] == [("chat_message", seq + 1)]
