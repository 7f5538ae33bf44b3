"""The :class:`~checkgame.live.LiveStore` contract, run against the memory and the Redis backend.

Every test gets two *nodes* on one shared live state: two Redis stores (two
clients, two pub/sub connections) on the same server and a key prefix of its
own, the same on a real Redis Cluster of three masters (sessions spread over
its hash slots, events on shard channels), or the one memory store twice. Tests written against ``nodes`` thus say
what a cluster guarantees; a single-process store meets them trivially.
Redis-only behaviour (pub/sub reconnection, claim leases, round trips) is at
the end of the module.
"""

from __future__ import annotations

import gc
import itertools
import time
import uuid
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import coredis
import pytest
import trio
import trio.lowlevel
from msgspec.structs import replace

from checkgame import protocol, rules, sessions
from checkgame.errors import ClientError, LiveStateError
from checkgame.live import LiveStore, MemoryLiveStore, Subscription
from checkgame.live.redis import RedisLiveStore, open_redis_live_store
from checkgame.ratelimit_redis import RedisRateLimiter
from checkgame.rooms import SessionService
from checkgame.sessions import Entry, GameAction, Seat, SessionSettings, SessionState, Status
from checkgame.sessions.machine import Effect
from tests.support.services import require

LOG_SIZE = 16
CAPACITY = 32
Nodes = tuple[LiveStore, LiveStore]


async def _delete_prefix(url: str, prefix: str) -> None:
    if url.startswith("redis+cluster"):
        return  # the cluster lives as long as the test run, and every test has a prefix of its own
    async with coredis.Redis.from_url(url) as client:
        keys = [key async for key in client.scan_iter(match=f"*{prefix}*")]  # {prefix:bucket}:…, {prefix}:…
        if keys:
            await client.delete(keys)


@pytest.fixture
def prefix() -> str:
    return f"cgtest:{uuid.uuid4().hex[:12]}"


@asynccontextmanager
async def _redis_pair(url: str, prefix: str) -> AsyncIterator[tuple[RedisLiveStore, RedisLiveStore]]:
    options: dict[str, Any] = {"prefix": prefix, "log_size": LOG_SIZE, "subscriber_capacity": CAPACITY}
    try:
        async with (
            open_redis_live_store(url, client_name=f"{prefix}:a", **options) as a,
            open_redis_live_store(url, client_name=f"{prefix}:b", **options) as b,
        ):
            yield a, b
    finally:
        await _delete_prefix(url, prefix)


REDIS_KINDS = [
    pytest.param("redis", marks=pytest.mark.redis),
    pytest.param("redis-cluster", marks=[pytest.mark.redis, pytest.mark.slow]),
]


def _redis_url(request: pytest.FixtureRequest) -> str:
    """One Redis server, or the URL of the test run's Redis Cluster."""
    if request.param == "redis-cluster":
        return str(request.getfixturevalue("redis_cluster_url"))
    return require("redis")


@pytest.fixture(params=["memory", *REDIS_KINDS])
async def nodes(request: pytest.FixtureRequest, prefix: str) -> AsyncIterator[Nodes]:
    if request.param == "memory":
        store = MemoryLiveStore(log_size=LOG_SIZE, subscriber_capacity=CAPACITY)
        yield store, store
    else:
        async with _redis_pair(_redis_url(request), prefix) as pair:
            yield pair


@pytest.fixture(params=REDIS_KINDS)
async def redis_nodes(
    request: pytest.FixtureRequest, prefix: str
) -> AsyncIterator[tuple[RedisLiveStore, RedisLiveStore]]:
    """Two Redis nodes, for Redis-only behaviour (tests using it are marked ``redis``)."""
    async with _redis_pair(_redis_url(request), prefix) as pair:
        yield pair


@pytest.fixture
def live(nodes: Nodes) -> LiveStore:
    return nodes[0]


# -- helpers


def session(n: int = 1, **changes: Any) -> SessionState:
    state = sessions.new_session(f"s{n}", Seat("ann", "Ann", "u1"), 7, SessionSettings(max_players=8), 1000.0)
    return replace(state, waiting_until=None, **changes)  # wake-ups come from step() only


def step(state: SessionState, count: int = 1, *, wake: float | None = None) -> tuple[SessionState, tuple[Entry, ...]]:
    """The next version of ``state`` with ``count`` new entries and ``wake`` as its wake-up time."""
    entries = tuple(
        Entry(
            state.seq + i,
            protocol.CardDrawn("ann", state.seq + i, penalty=i % 2 == 0),
            1000.5 + i,
            game_id=f"{state.id}-1" if i % 2 else None,
            private={"ann": protocol.CardDrawn("ann", state.seq + i, False, (protocol.WireCard("7", "hearts"),))}
            if i == 1
            else None,
        )
        for i in range(1, count + 1)
    )
    return replace(state, version=state.version + 1, seq=state.seq + count, turn_deadline=wake), entries


async def advance(
    live: LiveStore, state: SessionState, count: int = 1, *, wake: float | None = None
) -> tuple[SessionState, tuple[Entry, ...]]:
    new, entries = step(state, count, wake=wake)
    assert await live.commit(state.version, new, entries)
    return new, entries


async def receive(subscription: Subscription) -> list[Entry]:
    with trio.fail_after(5):
        return list(await subscription.receive())


async def eventually(condition: Callable[[], bool]) -> None:
    """Wait (a Redis subscriber hears of a commit a moment after it) until ``condition`` holds."""
    with trio.fail_after(5):
        while not condition():  # noqa: ASYNC110 -- polls state that has no event to wait on
            await trio.sleep(0.005)


# -- states


async def test_a_created_session_loads_back_equal(live: LiveStore) -> None:
    state = session(1, game_actions=({"type": "draw", "player": "ann", "at": 1.5},), absent=(("ann", 1060.0),))
    await live.create(state)
    assert await live.load("s1") == state
    assert await live.load("s1", fresh=True) == state
    assert await live.load("nope") is None
    assert await live.load("nope", fresh=True) is None


async def test_a_commit_replaces_the_state_when_the_version_matches(live: LiveStore) -> None:
    state = session()
    await live.create(state)
    new, _ = await advance(live, state)
    assert await live.load("s1") == new
    assert await live.load("s1", fresh=True) == new


async def test_a_stale_commit_is_refused_and_changes_nothing(live: LiveStore) -> None:
    state = session()
    await live.create(state)
    current, first = await advance(live, state)
    async with live.subscribe("s1") as subscription:
        stale, stale_entries = step(state, 3, wake=5.0)
        assert not await live.commit(state.version, stale, stale_entries)
        assert not await live.commit(current.version + 1, stale, stale_entries)  # a version from the future
        assert await live.load("s1", fresh=True) == current
        assert await live.entries_since("s1", 0) == list(first)
        assert await live.claim_due(10.0) == []
        _, marker = await advance(live, current)
        assert await receive(subscription) == list(marker)  # the refused commits published nothing


async def test_committing_to_an_unknown_session_is_refused(live: LiveStore) -> None:
    new, entries = step(session(9))
    assert not await live.commit(0, new, entries)
    assert await live.load("s9") is None


async def test_session_ids_lists_every_session(live: LiveStore) -> None:
    for n in (1, 2, 3):
        await live.create(session(n))
    assert sorted(await live.session_ids()) == ["s1", "s2", "s3"]


# -- the event log


async def test_entries_are_logged_in_order_across_commits(live: LiveStore) -> None:
    state = session()
    await live.create(state)
    logged: list[Entry] = []
    for count in (1, 3, 0, 2):
        state, entries = await advance(live, state, count)
        logged.extend(entries)
    assert [e.seq for e in logged] == [1, 2, 3, 4, 5, 6]
    assert await live.entries_since("s1", 0) == logged


async def test_entries_since_returns_the_exact_tail(live: LiveStore) -> None:
    state = session()
    await live.create(state)
    state, first = await advance(live, state, 2)
    state, second = await advance(live, state, 3)
    assert await live.entries_since("s1", 2) == list(second)
    assert await live.entries_since("s1", 4) == [second[-1]]
    assert await live.entries_since("s1", 1) == [first[1], *second]


async def test_entries_since_is_empty_when_up_to_date(live: LiveStore) -> None:
    state = session()
    await live.create(state)
    assert await live.entries_since("s1", 0) == []
    await advance(live, state, 2)
    assert await live.entries_since("s1", 2) == []
    assert await live.entries_since("s1", 7) == []


async def test_entries_since_is_none_once_the_log_was_trimmed(live: LiveStore) -> None:
    state = session()
    await live.create(state)
    state, _ = await advance(live, state, LOG_SIZE - 2)
    state, _ = await advance(live, state, 5)  # seqs 1..3 fell out of the ring
    assert await live.entries_since("s1", 0) is None
    assert await live.entries_since("s1", 2) is None
    kept = await live.entries_since("s1", 3)
    assert kept is not None
    assert [e.seq for e in kept] == list(range(4, LOG_SIZE + 4))


async def test_entries_since_is_none_for_an_unknown_session(live: LiveStore) -> None:
    assert await live.entries_since("nope", 0) is None


async def test_a_session_created_after_some_history_has_no_log_to_replay(live: LiveStore) -> None:
    await live.create(session(seq=5, version=3))
    assert await live.entries_since("s1", 2) is None
    assert await live.entries_since("s1", 5) == []


# -- subscriptions


async def test_a_subscriber_receives_each_batch_once_in_order_and_only_its_session(live: LiveStore) -> None:
    one, two = session(1), session(2)
    await live.create(one)
    await live.create(two)
    async with live.subscribe("s1") as subscription:
        batches = []
        for count in (2, 1, 3):
            two, _ = await advance(live, two)  # another session's commit: not for this subscriber
            one, entries = await advance(live, one, count)
            batches.append(list(entries))
        assert [await receive(subscription) for _ in batches] == batches
        assert not subscription.lagged


async def test_several_subscribers_of_a_session_each_receive_every_batch(live: LiveStore) -> None:
    state = session()
    await live.create(state)
    async with live.subscribe("s1") as first, live.subscribe("s1") as second:
        state, entries = await advance(live, state, 2)
        assert await receive(first) == list(entries)
        assert await receive(second) == list(entries)
    async with live.subscribe("s1") as third:
        _, entries = await advance(live, state)
        assert await receive(third) == list(entries)


async def test_leaving_the_subscription_context_unsubscribes(live: LiveStore) -> None:
    state = session()
    await live.create(state)
    async with live.subscribe("s1") as subscription:
        assert live.subscriber_count() == 1  # type: ignore[attr-defined]
    assert live.subscriber_count() == 0  # type: ignore[attr-defined]
    await advance(live, state)
    with pytest.raises((trio.EndOfChannel, trio.ClosedResourceError)):
        await subscription.receive()


async def test_a_subscriber_that_does_not_read_becomes_lagged(live: LiveStore) -> None:
    state = session()
    await live.create(state)
    async with live.subscribe("s1") as subscription:
        batches = []
        for _ in range(CAPACITY + 2):
            state, entries = await advance(live, state)
            batches.append(list(entries))
        await eventually(lambda: subscription.lagged)
        kept = [list(await subscription.receive()) for _ in range(CAPACITY)]
        assert kept == batches[:CAPACITY]
        with pytest.raises(trio.EndOfChannel):
            await subscription.receive()


async def test_a_commit_on_one_node_reaches_a_subscriber_on_the_other(nodes: Nodes) -> None:
    a, b = nodes
    state = session()
    await a.create(state)
    async with b.subscribe("s1") as subscription:
        state, entries = await advance(a, state, 2)
        assert await receive(subscription) == list(entries)
        _, entries = await advance(b, state)
        assert await receive(subscription) == list(entries)


async def test_a_node_behind_another_is_refused_then_succeeds_on_a_fresh_load(nodes: Nodes) -> None:
    a, b = nodes
    await a.create(session())
    async with b.subscribe("s1") as subscription:
        seen_by_b = await b.load("s1")  # cached by a subscribed Redis node
        assert seen_by_b is not None
        newer, entries = await advance(a, seen_by_b)
        assert await receive(subscription) == list(entries)  # b has heard of the newer version
        assert await b.load("s1") == newer
        late, late_entries = step(seen_by_b, wake=1.0)
        assert not await b.commit(seen_by_b.version, late, late_entries)
        fresh = await b.load("s1", fresh=True)
        assert fresh == newer
        done, entries = step(fresh)
        assert await b.commit(fresh.version, done, entries)
        assert await receive(subscription) == list(entries)
        assert await a.load("s1") == done
        assert await b.load("s1") == done


# -- deadlines


async def test_a_commit_files_the_wake_up_and_claim_due_hands_it_out_once(live: LiveStore) -> None:
    state = session()
    await live.create(state)
    await advance(live, state, wake=2000.0)
    assert await live.claim_due(1999.5) == []
    assert await live.claim_due(2000.0) == ["s1"]
    assert await live.claim_due(2000.0) == []
    assert await live.claim_due(2001.0) == []


async def test_a_later_commit_moves_or_cancels_the_wake_up(live: LiveStore) -> None:
    one, two = session(1), session(2)
    await live.create(one)
    await live.create(two)
    one, _ = await advance(live, one, wake=2000.0)
    await advance(live, one, wake=3000.0)
    two, _ = await advance(live, two, wake=2000.0)
    await advance(live, two, wake=None)
    assert await live.claim_due(2500.0) == []
    assert await live.claim_due(3000.0) == ["s1"]


async def test_a_deadline_is_claimed_by_one_of_two_concurrent_claimers(nodes: Nodes) -> None:
    ids = [f"s{n}" for n in range(30)]
    for n in range(30):
        await nodes[0].create(session(n))
        await advance(nodes[0], session(n), wake=2000.0 + n)
    claims: list[list[str]] = [[], []]

    async def claim(index: int) -> None:
        for now in (2030.0, 2030.5, 2031.0):  # all due; within one claim lease of the first claim
            claims[index].extend(await nodes[index].claim_due(now))
            await trio.lowlevel.checkpoint()

    async with trio.open_nursery() as nursery:
        nursery.start_soon(claim, 0)
        nursery.start_soon(claim, 1)
    assert sorted(claims[0] + claims[1]) == sorted(ids)
    assert not set(claims[0]) & set(claims[1])


async def test_a_silent_node_is_claimed_once_with_the_sessions_it_held(nodes: Nodes) -> None:
    await nodes[0].heartbeat("node-a", 1000.0)
    await nodes[1].heartbeat("node-b", 1000.0)
    await nodes[0].track("node-a", "s1")
    await nodes[0].track("node-a", "s2")
    await nodes[1].track("node-b", "s1")
    await nodes[1].heartbeat("node-b", 1008.0)  # node-b keeps beating, node-a fell silent at 1000
    assert await nodes[0].claim_dead_nodes(1005.0, 10.0) == []
    claims = [await nodes[1].claim_dead_nodes(1012.0, 10.0), await nodes[0].claim_dead_nodes(1012.0, 10.0)]
    assert claims == [[("node-a", ["s1", "s2"])], []]  # exactly one claimer gets it
    assert await nodes[0].claim_dead_nodes(1030.0, 10.0) == [("node-b", ["s1"])]


# -- node reports and drain requests (the admin API)


async def test_every_node_reads_every_nodes_latest_report(nodes: Nodes) -> None:
    now = time.time()
    await nodes[0].publish_node_report("node-a", {"connections": [{"playerId": "ann"}], "draining": False}, now, 30)
    await nodes[1].publish_node_report("node-b", {"connections": [], "draining": True}, now, 30)
    await nodes[0].publish_node_report("node-a", {"connections": [], "draining": False}, now, 30)  # replaces
    expected = {"node-a": {"connections": [], "draining": False}, "node-b": {"connections": [], "draining": True}}
    assert await nodes[1].node_reports(now) == expected
    assert await nodes[0].node_reports(now) == expected


async def test_a_report_not_published_again_is_forgotten_after_its_ttl(nodes: Nodes) -> None:
    now = time.time()
    await nodes[0].publish_node_report("node-a", {"n": 1}, now, 0.05)
    await nodes[0].publish_node_report("node-b", {"n": 2}, now, 30)
    await trio.sleep(0.2)  # Redis expires keys on its own clock; memory compares with the ``now`` given
    assert await nodes[1].node_reports(now + 0.2) == {"node-b": {"n": 2}}
    assert await nodes[1].node_reports(now + 0.2) == {"node-b": {"n": 2}}  # and stays forgotten


async def test_a_drain_request_reaches_the_node_from_any_node_until_withdrawn(nodes: Nodes) -> None:
    assert not await nodes[0].drain_requested("node-b")
    await nodes[0].request_drain("node-b", True)
    await nodes[0].request_drain("node-b", True)  # idempotent
    assert await nodes[1].drain_requested("node-b")
    assert not await nodes[1].drain_requested("node-a")
    await nodes[1].request_drain("node-b", False)
    assert not await nodes[0].drain_requested("node-b")


# -- the session service on top: two nodes applying commands to one game


async def _started_game(service: SessionService) -> SessionState:
    state = sessions.new_session("g1", Seat("ann", "Ann"), 11, SessionSettings(max_players=4, hand_size=5), 1000.0)
    await service.create(state)
    for player in ("bob", "cid"):
        await service.execute("g1", sessions.Join(player, player.title()))
    for player in ("ann", "bob", "cid"):
        await service.execute("g1", sessions.Connect(player))
    return (await service.execute("g1", sessions.Start("ann"))).state


def _services(nodes: Nodes) -> tuple[SessionService, SessionService, list[Effect]]:
    effects: list[Effect] = []
    clock = itertools.count(2000).__next__
    return (
        SessionService(nodes[0], effects.append, lambda: float(clock())),
        SessionService(nodes[1], effects.append, lambda: float(clock())),
        effects,
    )


async def _collect(subscription: Subscription, into: list[Entry]) -> None:
    while True:
        into.extend(await subscription.receive())


def _next_move(state: SessionState) -> rules.Play | rules.Draw | rules.ChooseSuit:
    game = state.game
    assert game is not None
    assert game.current is not None
    action = rules.legal_actions(game, game.players[game.current])[0]
    assert isinstance(action, rules.Play | rules.Draw | rules.ChooseSuit)
    return action


async def test_two_nodes_sending_the_same_action_apply_it_once(nodes: Nodes) -> None:
    service_a, service_b, _ = _services(nodes)
    state = await _started_game(service_a)
    for round_ in range(30):
        if state.status is not Status.PLAYING:
            break
        command = GameAction(_next_move(state), action_id=f"act-{round_}")
        outcomes: list[sessions.Outcome] = []

        async def run(service: SessionService, command: GameAction = command, into: list[Any] = outcomes) -> None:
            into.append(await service.execute("g1", command))

        async with trio.open_nursery() as nursery:
            nursery.start_soon(run, service_a)
            nursery.start_soon(run, service_b)
        applied = [o for o in outcomes if not o.duplicate]
        assert len(applied) == 1
        assert applied[0].state.version == state.version + 1
        state = applied[0].state
        assert await service_b.load("g1", fresh=True) == state


async def test_two_nodes_racing_on_one_game_never_both_apply(nodes: Nodes) -> None:
    service_a, service_b, _ = _services(nodes)
    start = await _started_game(service_a)
    applied: list[sessions.Outcome] = []
    published: list[Entry] = []

    async def play(service: SessionService) -> None:
        for _ in range(25):
            state = await service.load("g1", fresh=True)
            if state.status is not Status.PLAYING:
                return
            try:
                outcome = await service.execute("g1", GameAction(_next_move(state)))
            except ClientError:
                continue  # the other node moved first: no longer legal
            applied.append(outcome)
            await trio.lowlevel.checkpoint()

    async with nodes[1].subscribe("g1") as subscription, trio.open_nursery() as outer:
        outer.start_soon(_collect, subscription, published)
        async with trio.open_nursery() as nursery:
            nursery.start_soon(play, service_a)
            nursery.start_soon(play, service_b)
        final = await service_a.load("g1", fresh=True)
        await eventually(lambda: not published or published[-1].seq == final.seq)
        outer.cancel_scope.cancel()

    versions = sorted(o.state.version for o in applied)
    assert versions == list(range(start.version + 1, final.version + 1))  # each applied once, none lost
    by_version = sorted(applied, key=lambda o: o.state.version)
    expected = [entry for outcome in by_version for entry in outcome.entries]
    assert [e.seq for e in expected] == list(range(start.seq + 1, final.seq + 1))  # contiguous
    assert published == expected
    assert service_a.commands_applied + service_b.commands_applied >= len(applied)


# -- Redis only


RedisNodes = tuple[RedisLiveStore, RedisLiveStore]


@pytest.mark.redis
async def test_redis_subscribes_once_per_node_until_the_last_subscriber_leaves(
    redis_nodes: RedisNodes,
) -> None:
    a, _ = redis_nodes
    channel = a.channel("s1")

    async def subscribers() -> int:
        if isinstance(a.client, coredis.RedisCluster):
            return (await a.client.pubsub_shardnumsub(channel))[channel.encode()]
        return (await a.client.pubsub_numsub(channel))[channel.encode()]

    async with a.subscribe("s1"):
        async with a.subscribe("s1"):
            assert await subscribers() == 1
        assert await subscribers() == 1
    assert await subscribers() == 0


@pytest.mark.redis
async def test_redis_invalidates_a_cached_state_even_for_a_commit_without_entries(redis_nodes: RedisNodes) -> None:
    a, b = redis_nodes
    state = session()
    await a.create(state)
    async with b.subscribe("s1"):
        assert await b.load("s1") == state
        newer, _ = await advance(a, state, 0)
        with trio.fail_after(5):
            while await b.load("s1") != newer:  # noqa: ASYNC110 -- not fresh: the cached state is dropped
                await trio.sleep(0.005)


@pytest.mark.redis
async def test_redis_move_from_a_subscribed_node_is_one_round_trip(
    redis_nodes: RedisNodes, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, _ = redis_nodes
    state = session()
    await a.create(state)
    calls: list[bytes] = []
    execute = a.client.execute_command

    async def counting(command: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(command.name)
        return await execute(command, *args, **kwargs)

    monkeypatch.setattr(a.client, "execute_command", counting)
    async with a.subscribe("s1"):
        current = await a.load("s1")
        assert current is not None
        for _ in range(5):
            calls.clear()
            current = await a.load("s1")  # answered from the node's cache
            assert current is not None
            current, _ = await advance(a, current)
            assert calls == [b"EVALSHA"]


@pytest.mark.redis
async def test_redis_moves_alternating_between_nodes_are_one_round_trip_each(
    redis_nodes: RedisNodes, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[bytes] = []
    for node in redis_nodes:
        execute = node.client.execute_command

        async def counting(command: Any, *args: Any, _execute: Any = execute, **kwargs: Any) -> Any:
            calls.append(command.name)
            return await _execute(command, *args, **kwargs)

        monkeypatch.setattr(node.client, "execute_command", counting)
    a, b = redis_nodes
    state = session()
    await a.create(state)
    async with a.subscribe("s1") as on_a, b.subscribe("s1") as on_b:
        first = await a.load("s1")  # the first read after creating is from Redis
        assert first is not None
        _, entries = await advance(a, first)
        assert await receive(on_a) == await receive(on_b) == list(entries)
        for mover, watcher, own in [(b, on_a, on_b), (a, on_b, on_a)] * 3:
            calls.clear()
            current = await mover.load("s1")  # the other node's last commit arrived with its state
            assert current is not None
            current, entries = await advance(mover, current)
            assert calls == [b"EVALSHA"]
            assert await receive(watcher) == await receive(own) == list(entries)  # the other node has it now


@pytest.mark.redis
async def test_redis_pubsub_drop_lags_subscribers_then_reconnects(redis_nodes: RedisNodes, prefix: str) -> None:
    a, b = redis_nodes
    state = session()
    await a.create(state)
    async with a.subscribe("s1") as old:
        if isinstance(b.client, coredis.RedisCluster):  # connections have no names there: a's is the one subscribed
            killed = 0
            for shard in b.client.primaries:
                async with shard:
                    for client in await shard.client_list():
                        if int(str(client.get("ssub", 0))) > 0:
                            killed += await shard.client_kill(identifier=int(client["id"]))
        else:
            killed = 0
            for client in await b.client.client_list():
                if client.get("name") == f"{prefix}:a" and int(client.get("sub", 0)) > 0:
                    killed += await b.client.client_kill(identifier=int(client["id"]))
        assert killed == 1
        await eventually(lambda: old.lagged)
        async with a.subscribe("s1") as new:  # waits for the reader to reconnect
            state, entries = await advance(b, state)
            assert await receive(new) == list(entries)
        with pytest.raises(trio.EndOfChannel):
            await old.receive()
        state, entries = await advance(b, state)
        with trio.fail_after(5):  # the cache follows the published states again (eventually: one is in flight)
            while await a.load("s1") != state:  # noqa: ASYNC110 -- polling the store is what is tested
                await trio.sleep(0.01)


@pytest.mark.redis
async def test_redis_claim_is_a_lease_that_another_node_takes_over_if_nobody_commits(redis_nodes: RedisNodes) -> None:
    a, b = redis_nodes
    state = session()
    await a.create(state)
    state, _ = await advance(a, state, wake=2000.0)
    assert await a.claim_due(2000.0) == ["s1"]  # ... and node a dies before its Tick commits
    assert await b.claim_due(2009.0) == []
    assert await b.claim_due(2010.0) == ["s1"]
    await advance(b, state, wake=3000.0)  # the Tick's commit files the next wake-up
    assert await b.claim_due(2500.0) == []


@pytest.mark.redis
async def test_redis_forgets_expired_sessions_in_deadlines_and_listings(redis_nodes: RedisNodes, prefix: str) -> None:
    a, _ = redis_nodes
    for n in (1, 2):
        await a.create(session(n))
        await advance(a, session(n), wake=2000.0)
    await a.client.delete([a.state_key("s1")])  # as if expired
    assert await a.claim_due(2000.0) == ["s2"]
    assert await a.session_ids() == ["s2"]
    assert await a.client.zscore(a.deadlines_key("s1"), "s1") is None


@pytest.mark.redis
async def test_redis_finished_sessions_expire(redis_nodes: RedisNodes, prefix: str) -> None:
    a, _ = redis_nodes
    state = session()
    await a.create(state)
    running, _ = await advance(a, state)
    assert await a.client.ttl(a.state_key("s1")) > 24 * 3600
    finished, _ = step(running)
    assert await a.commit(running.version, replace(finished, status=Status.FINISHED), ())
    assert 0 < await a.client.ttl(a.state_key("s1")) <= 24 * 3600
    assert 0 < await a.client.ttl(f"{a.state_key('s1')}:log") <= 24 * 3600


@pytest.mark.redis
async def test_redis_commit_retried_after_a_lost_reply_reports_success_once(prefix: str) -> None:
    url = require("redis")
    try:
        async with open_redis_live_store(url, prefix=prefix) as live:
            state = session()
            await live.create(state)
            args: list[str | bytes | int] = [0, 1, 1, "{}", "", 0, 8, live.channel("s1"), "s1", "commit-id", "PUBLISH"]
            keys = [live.state_key("s1"), f"{live.state_key('s1')}:log", live.deadlines_key("s1")]
            assert await live._run("COMMIT", keys, args) == 1
            assert await live._run("COMMIT", keys, args) == 1  # the same commit id: already applied
            other = [*args[:-2], "other", "PUBLISH"]
            assert await live._run("COMMIT", keys, other) == 0  # another writer: lost
    finally:
        await _delete_prefix(url, prefix)


async def test_an_unreachable_redis_is_a_live_state_error() -> None:
    # coredis 6.9 leaves a failed connection's memory streams unclosed (ResourceWarning when collected):
    # collect them here, where that known leak is ignored, rather than in whichever test runs next.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        with pytest.raises(LiveStateError, match="start-up") as info:
            async with open_redis_live_store("redis://127.0.0.1:1/0", connect_timeout_s=1):
                pass  # pragma: no cover
        del info
        gc.collect()


async def test_driver_errors_become_live_state_errors_at_the_edge() -> None:
    with warnings.catch_warnings():  # the same known coredis leak as above
        warnings.simplefilter("ignore", ResourceWarning)
        async with coredis.Redis.from_url("redis://127.0.0.1:1/0", connect_timeout=1) as client:
            live = RedisLiveStore(client)
            limiter = RedisRateLimiter(client, lambda: 1000.0)
            state, entries = step(session())
            calls: list[Callable[[], Awaitable[object]]] = [
                live.ping,
                lambda: live.create(state),
                lambda: live.load("s1"),
                lambda: live.commit(0, state, entries),
                lambda: live.entries_since("s1", 0),
                lambda: live.claim_due(1.0),
                live.session_ids,
                lambda: limiter.hit("k", 1, 1),
                lambda: limiter.reset("k"),
            ]
            for call in calls:
                with pytest.raises(LiveStateError):
                    await call()
        gc.collect()


@pytest.mark.redis
async def test_redis_store_context_gives_back_what_its_body_raised(prefix: str) -> None:
    url = require("redis")
    with pytest.raises(KeyError, match="mine"):
        async with open_redis_live_store(url, prefix=prefix):
            raise KeyError("mine")
    group = ExceptionGroup("body", [KeyError("inner")])
    with pytest.raises(ExceptionGroup) as info:
        async with open_redis_live_store(url, prefix=prefix):
            raise group
    assert info.value is group
