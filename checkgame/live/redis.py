"""Live state in Redis, shared by every node of a cluster (DESIGN.md §3).

Theory of operation
-------------------
Keys (``p`` is the prefix, ``cg`` by default; ``b`` is the session's *bucket*)::

    {p:b}:s:{id}        hash: v = version, q = seq of the last entry, s = state JSON, c = last commit id
    {p:b}:s:{id}:log    list: the last ``log_size`` entries, JSON, oldest first
    {p:b}:s:{id}:events pub/sub channel: one message per commit, {"v": version, "e": [entries]}
    {p:b}:deadlines     sorted set: the bucket's session ids scored by their next wake-up (epoch seconds)
    {p:b}:sessions      set: the bucket's session ids (expired ones are swept by :meth:`session_ids`)
    {p}:nodes           sorted set: node id scored by its last heartbeat
    {p}:node:{id}       set: the sessions in which that node holds (or held) connections
    {p}:report:{id}     string: that node's latest report (JSON), expiring unless published again
    {p}:reports         set: node ids that published a report (members whose report expired are swept on read)
    {p}:drain           set: node ids asked to drain
    {p:qp}:open:{n}     sorted set: open quick-play tables for n players, scored by the seats reserved there
    {p:qp}:claim:{name} string: a quick-play claim's holder, expiring (:class:`RedisQuickPlayPool`)

The part in braces is the key's hash tag: Redis Cluster puts keys with the
same tag in the same hash slot, and a script may only touch keys of one slot.
So a session's keys, its channel, and the deadline and session sets of its
bucket (``crc32(id) % buckets``) share a slot, and a commit stays one script
on one shard; what concerns nodes rather than sessions shares the ``{p}``
slot. A cluster spreads sessions over ``buckets`` slots (64 by default, each a
few KiB of work per second); standalone Redis and Sentinel use one bucket, so
their claim is one script as before. :meth:`claim_due` and :meth:`session_ids`
run their script once per bucket, in one pipeline (a round trip per shard).

Every operation is one Lua script (:mod:`checkgame.live._lua`), loaded once at
start (coredis reloads it on NOSCRIPT), so each is atomic and costs one round
trip. :meth:`commit` compares the version, writes the state, appends and trims
the log, files or cancels the deadline, refreshes the keys' expiry (24 h once
finished, ``idle_ttl_s`` otherwise) and publishes the batch, all at once. The
version lives in its own hash field so the script never parses the state. A
commit carries a random id: if the reply is lost and the client retries, the
script recognises its own write and answers "applied" instead of "lost race",
which the caller would otherwise answer by applying the command again.

**Fan-out** (:mod:`checkgame.live._fanout`). One pub/sub connection per
node (on a cluster, one per shard, with SSUBSCRIBE: a commit's SPUBLISH reaches
only its shard's subscribers instead of every Redis node), owned by a reader
task that :func:`open_redis_live_store` runs. The node subscribes to a
session's channel when its first local subscriber appears and unsubscribes when the last one
leaves; the SUBSCRIBE is acknowledged before :meth:`subscribe` yields, so no
commit after that can be missed. Messages are decoded once per node and
delivered to the local subscriptions, which are
:class:`~checkgame.live.memory.MemorySubscription` queues (bounded, ``lagged``
on overflow). When the connection drops, every
subscription is marked lagged (its connection resynchronises from the log),
and the reader reconnects and subscribes again.

**Cache.** A node caches the state of the sessions it is subscribed to, so a
move from a local connection is one round trip (the commit). The cache is
updated by this node's successful commits and loads, and by every published
message, which carries the new state (decoded only when a local move needs
it): a move after another node's move is still one round trip. An entry is
dropped when a commit loses its race. It
is only filled while the subscription is confirmed, and only with a state at
least as new as every version announced, so it is never stale for longer
than a message takes to arrive; ``load(fresh=True)`` bypasses it. Sessions
without a local subscriber are always read from Redis.

**Deadlines.** :meth:`claim_due` moves each due session's score to a lease
end (``claim_lease_s`` later) instead of removing it: exactly one node claims
it now, and if that node dies before its Tick commits (which files the next
wake-up), another node claims it when the lease ends.

Driver errors become :class:`~checkgame.errors.LiveStateError`; nothing from
coredis escapes. ``REDIS_URL`` may name one server, a cluster or Sentinels
(:mod:`checkgame.live._connect`).
"""

from __future__ import annotations

import secrets
import zlib
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any, cast

import msgspec
import trio
from coredis.exceptions import NoScriptError

from checkgame import sessions
from checkgame.errors import LiveStateError
from checkgame.live import _lua
from checkgame.live._connect import Client, open_client
from checkgame.live._fanout import DRIVER_ERRORS, EVENTS_SUFFIX, Channel, Fanout, translated
from checkgame.live.memory import MemorySubscription
from checkgame.sessions import Entry, SessionState, Status

__all__ = [
    "CLUSTER_BUCKETS",
    "DRIVER_ERRORS",
    "RedisLiveStore",
    "RedisQuickPlayPool",
    "bucket_of",
    "open_redis_live_store",
]

HOUR_S = 3600.0
CLUSTER_BUCKETS = 64
"""Hash slots a cluster spreads sessions over: enough for even shards, few enough to poll every 0.1 s."""

_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder().decode


class RedisLiveStore:
    """A :class:`~checkgame.live.LiveStore` in Redis; build it with :func:`open_redis_live_store`."""

    def __init__(
        self,
        client: Client,
        *,
        sharded: bool = False,
        buckets: int | None = None,
        prefix: str = "cg",
        log_size: int = 512,
        subscriber_capacity: int = 256,
        claim_batch: int = 100,
        claim_lease_s: float = 10.0,
        finished_ttl_s: float = 24 * HOUR_S,
        idle_ttl_s: float = 7 * 24 * HOUR_S,
        subscribe_timeout_s: float = 5.0,
    ) -> None:
        if "{" in prefix or "}" in prefix:
            raise ValueError(f"the key prefix may not contain braces (they make hash tags): {prefix!r}")
        self._client = client
        self._buckets = [f"{{{prefix}:{n}}}" for n in range(buckets or (CLUSTER_BUCKETS if sharded else 1))]
        self._publish = "SPUBLISH" if sharded else "PUBLISH"
        nodes = f"{{{prefix}}}"
        self._nodes = f"{nodes}:nodes"
        self._node_prefix = f"{nodes}:node:"
        self._report_prefix = f"{nodes}:report:"
        self._reports = f"{nodes}:reports"
        self._drain = f"{nodes}:drain"
        self._log_size = log_size
        self._claim_batch = claim_batch
        self._claim_lease_s = claim_lease_s
        self._finished_ttl_ms = round(finished_ttl_s * 1000)
        self._idle_ttl_ms = round(idle_ttl_s * 1000)
        self._scripts = {
            name: client.register_script(getattr(_lua, name))
            for name in ("COMMIT", "CREATE", "CLAIM_DUE", "CLAIM_DEAD_NODES", "ENTRIES_SINCE", "SESSION_IDS")
        }
        self._fanout = Fanout(client, self.channel, sharded, subscriber_capacity, subscribe_timeout_s)

    @property
    def client(self) -> Client:
        """The store's coredis client, to share its connections (e.g. with the Redis rate limiter)."""
        return self._client

    def channel(self, session_id: str) -> str:
        """The pub/sub channel of a session."""
        return f"{self.state_key(session_id)}{EVENTS_SUFFIX}"

    def _bucket(self, session_id: str) -> str:
        return self._buckets[bucket_of(session_id, len(self._buckets))]

    def state_key(self, session_id: str) -> str:
        """The key of the session's state hash (its log and channel add a suffix), for operators and tests."""
        return f"{self._bucket(session_id)}:s:{session_id}"

    def deadlines_key(self, session_id: str) -> str:
        """The key of the deadline set that holds the session's wake-up."""
        return f"{self._bucket(session_id)}:deadlines"

    def _log_key(self, session_id: str) -> str:
        return f"{self.state_key(session_id)}:log"

    async def _run_per_bucket(self, name: str, keys: list[str], args: list[str | bytes | int]) -> list[bytes]:
        """Run a script once per bucket (``{}`` in ``keys`` and ``args`` is the tag); their results, joined."""

        def filled(items: list[Any], tag: str) -> list[Any]:
            return [item.replace("{}", tag) if isinstance(item, str) else item for item in items]

        if len(self._buckets) == 1:
            return cast(
                "list[bytes]", await self._run(name, filled(keys, self._buckets[0]), filled(args, self._buckets[0]))
            )
        script = self._scripts[name]
        with translated(name):
            try:
                return await self._pipelined(
                    script.sha, [(filled(keys, tag), filled(args, tag)) for tag in self._buckets]
                )
            except NoScriptError:  # a master that joined after start-up (SCRIPT LOAD went to every node then)
                await self._client.script_load(script.script)
                return await self._pipelined(
                    script.sha, [(filled(keys, tag), filled(args, tag)) for tag in self._buckets]
                )

    async def _pipelined(self, sha: str | bytes, calls: list[tuple[list[Any], list[Any]]]) -> list[bytes]:
        """EVALSHA each call in one pipeline (a round trip per shard), not through coredis's Script: its
        pipeline checks SCRIPT EXISTS on every node first, and fails with a TypeError while one is down."""
        async with self._client.pipeline(transaction=False) as pipe:
            requests: list[Any] = [pipe.evalsha(sha, keys=keys, args=args) for keys, args in calls]
        return [item for request in requests for item in cast("list[bytes]", await request)]

    async def _run(self, name: str, keys: list[str], args: list[str | bytes | int]) -> Any:
        with translated(name):
            return await self._scripts[name](keys=keys, args=args)

    async def prepare(self) -> None:
        """Check that Redis answers and load the scripts, so the first moves need no reload."""
        with translated("start-up"):
            await self._client.ping()
            for script in self._scripts.values():
                await self._client.script_load(script.script)

    async def ping(self) -> None:
        """One round trip to Redis, for health checks.

        Raises:
            LiveStateError: Redis does not answer.
        """
        with translated("ping"):
            await self._client.ping()

    # -- the LiveStore interface
    async def create(self, state: SessionState) -> None:
        await self._run(
            "CREATE",
            [
                self.state_key(state.id),
                self._log_key(state.id),
                self.deadlines_key(state.id),
                f"{self._bucket(state.id)}:sessions",
            ],
            [state.version, state.seq, _encode_state(state), _score(state.wake_at()), self._ttl_ms(state), state.id],
        )
        channel = self._fanout.channels.get(state.id)
        if channel is not None:
            channel.state, channel.published = None, None

    async def load(self, session_id: str, *, fresh: bool = False) -> SessionState | None:
        channel = self._fanout.live_channel(session_id)
        cached = channel.cached() if channel is not None and not fresh else None
        if cached is not None:
            return cached
        generation = self._fanout.generation
        with translated("load"):
            raw = await self._client.hget(self.state_key(session_id), "s")
        if raw is None:
            return None
        state = sessions.from_dict(_decode(raw))
        self._remember(channel, generation, state)
        return state

    async def commit(self, expected_version: int, state: SessionState, entries: Sequence[Entry]) -> bool:
        channel = self._fanout.live_channel(state.id)
        generation = self._fanout.generation
        applied = await self._run(
            "COMMIT",
            [self.state_key(state.id), self._log_key(state.id), self.deadlines_key(state.id)],
            [
                expected_version,
                state.version,
                state.seq,
                _encode_state(state),
                _score(state.wake_at()),
                self._ttl_ms(state),
                self._log_size,
                self.channel(state.id),
                state.id,
                secrets.token_hex(8),
                self._publish,
                *(entry.encode() for entry in entries),
            ],
        )
        if applied == 1:
            self._remember(channel, generation, state)
            return True
        stale = self._fanout.channels.get(state.id)
        if stale is not None:
            stale.state, stale.published = None, None
        return False

    async def entries_since(self, session_id: str, seq: int) -> list[Entry] | None:
        raw = await self._run("ENTRIES_SINCE", [self.state_key(session_id), self._log_key(session_id)], [seq])
        if raw is None:
            return None
        entries = [Entry.decode(item) for item in cast("list[bytes]", raw)]
        if entries and entries[0].seq != seq + 1:  # only if a writer broke the contiguous numbering
            return None
        return entries

    def subscribe(self, session_id: str) -> AbstractAsyncContextManager[MemorySubscription]:
        return self._fanout.subscribe(session_id)

    async def claim_due(self, now: float) -> list[str]:
        claimed = await self._run_per_bucket(
            "CLAIM_DUE", ["{}:deadlines"], [repr(now), self._claim_batch, repr(now + self._claim_lease_s), "{}:s:"]
        )
        return [item.decode() for item in claimed]

    async def track(self, node: str, session_id: str) -> None:
        key = f"{self._node_prefix}{node}"
        with translated("track"):
            await self._client.sadd(key, [session_id])
            await self._client.expire(key, self._idle_ttl_ms // 1000 or 7 * 24 * 3600)

    async def heartbeat(self, node: str, now: float) -> None:
        with translated("heartbeat"):
            await self._client.zadd(self._nodes, {node: now})

    async def claim_dead_nodes(self, now: float, silence_s: float) -> list[tuple[str, list[str]]]:
        claimed = await self._run("CLAIM_DEAD_NODES", [self._nodes], [repr(now - silence_s), self._node_prefix])
        return [
            (node.decode(), sorted(s.decode() for s in members))
            for node, members in cast("list[tuple[bytes, list[bytes]]]", claimed)
        ]

    async def session_ids(self) -> list[str]:
        ids = await self._run_per_bucket("SESSION_IDS", ["{}:sessions"], ["{}:s:"])
        return [item.decode() for item in ids]

    async def publish_node_report(self, node: str, report: dict[str, Any], now: float, ttl_s: float) -> None:
        with translated("publish node report"):
            await self._client.set(f"{self._report_prefix}{node}", _encode(report), px=max(1, round(ttl_s * 1000)))
            await self._client.sadd(self._reports, [node])

    async def node_reports(self, now: float) -> dict[str, dict[str, Any]]:
        with translated("node reports"):
            nodes = sorted(member.decode() for member in await self._client.smembers(self._reports))
            if not nodes:
                return {}
            raw = await self._client.mget([f"{self._report_prefix}{node}" for node in nodes])
            expired = [node for node, value in zip(nodes, raw, strict=True) if value is None]
            if expired:
                await self._client.srem(self._reports, expired)
        return {node: _decode(value) for node, value in zip(nodes, raw, strict=True) if value is not None}

    async def request_drain(self, node: str, draining: bool) -> None:
        with translated("request drain"):
            if draining:
                await self._client.sadd(self._drain, [node])
            else:
                await self._client.srem(self._drain, [node])

    async def drain_requested(self, node: str) -> bool:
        with translated("drain requested"):
            return bool(await self._client.sismember(self._drain, node))

    def subscriber_count(self) -> int:
        """Open local subscriptions, for statistics."""
        return self._fanout.subscriber_count()

    async def serve_pubsub(self) -> None:
        """The reader task of the node's pub/sub connection (run by :func:`open_redis_live_store`)."""
        await self._fanout.serve()

    async def wait_connected(self, timeout_s: float) -> bool:
        """Wait until the pub/sub connection is up; False after ``timeout_s``."""
        return await self._fanout.wait_connected(timeout_s)

    def _ttl_ms(self, state: SessionState) -> int:
        return self._finished_ttl_ms if state.status is Status.FINISHED else self._idle_ttl_ms

    def _remember(self, channel: Channel | None, generation: int, state: SessionState) -> None:
        """Cache ``state`` if its read began on a confirmed subscription and nothing newer was announced since."""
        if channel is None or generation != self._fanout.generation or not channel.live:
            return
        if self._fanout.channels.get(state.id) is channel and state.version >= channel.seen:
            channel.state, channel.published = state, None
            channel.seen = state.version


class RedisQuickPlayPool:
    """The :class:`~checkgame.live.base.QuickPlayPool` every node shares: a sorted set per table size (seats
    reserved per table) and claims as expiring strings, each changed by one command or one script (atomic, one
    round trip)."""

    def __init__(self, client: Client, *, prefix: str = "cg") -> None:
        if "{" in prefix or "}" in prefix:
            raise ValueError(f"the key prefix may not contain braces (they make hash tags): {prefix!r}")
        self._client = client
        self._keys = f"{{{prefix}:qp}}"
        self._scripts = {
            name: client.register_script(getattr(_lua, name))
            for name in ("POOL_CLAIM", "POOL_HANDOVER", "POOL_RELEASE", "POOL_RESERVE", "POOL_UNRESERVE")
        }

    def _open_key(self, size: int) -> str:
        return f"{self._keys}:open:{size}"

    def _claim_key(self, name: str) -> str:
        return f"{self._keys}:claim:{name}"

    async def reserve(self, size: int, new_table: str) -> tuple[str, bool]:
        with translated("quick-play reserve"):
            reply: Any = await self._scripts["POOL_RESERVE"](keys=[self._open_key(size)], args=[size, new_table])
        table, opened = reply
        return (table.decode() if isinstance(table, bytes) else str(table)), opened == 1

    async def unreserve(self, size: int, session_id: str) -> None:
        with translated("quick-play unreserve"):
            await self._scripts["POOL_UNRESERVE"](keys=[self._open_key(size)], args=[session_id])

    async def withdraw(self, size: int, session_id: str) -> None:
        with translated("quick-play withdraw"):
            await self._client.zrem(self._open_key(size), [session_id])

    async def claim(self, name: str, holder: str, ttl_s: float) -> str | None:
        with translated("quick-play claim"):
            current: Any = await self._scripts["POOL_CLAIM"](keys=[self._claim_key(name)], args=[holder, _ms(ttl_s)])
        return None if current is None else current.decode() if isinstance(current, bytes) else str(current)

    async def handover(self, name: str, holder: str, successor: str, ttl_s: float) -> bool:
        with translated("quick-play handover"):
            done: Any = await self._scripts["POOL_HANDOVER"](
                keys=[self._claim_key(name)], args=[holder, successor, _ms(ttl_s)]
            )
        return bool(done == 1)

    async def release(self, name: str, holder: str) -> None:
        with translated("quick-play release"):
            await self._scripts["POOL_RELEASE"](keys=[self._claim_key(name)], args=[holder])


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


def bucket_of(session_id: str, buckets: int) -> int:
    """The bucket of a session: its keys carry the hash tag ``{prefix:bucket}``."""
    return zlib.crc32(session_id.encode()) % buckets


def _encode_state(state: SessionState) -> bytes:
    return _encode(sessions.to_dict(state))


def _score(at: float | None) -> str:
    return "" if at is None else repr(at)


@asynccontextmanager
async def open_redis_live_store(
    url: str,
    *,
    client_name: str | None = None,
    connect_timeout_s: float = 5.0,
    stream_timeout_s: float = 10.0,
    **options: Any,
) -> AsyncIterator[RedisLiveStore]:
    """Connect to Redis at ``url`` (one server, a cluster or Sentinels: :mod:`checkgame.live._connect`)
    and run the store's pub/sub reader until the context exits.

    Open it in the task that also closes it, around everything that uses it
    (coredis requires both, DESIGN.md §6). ``options`` go to :class:`RedisLiveStore`.

    Raises:
        LiveStateError: Redis does not answer at start-up.
    """
    body_error: BaseException | None = None
    error: BaseException
    try:
        async with AsyncExitStack() as stack:
            with translated("start-up"):
                connection = await stack.enter_async_context(
                    open_client(
                        url, client_name=client_name, connect_timeout=connect_timeout_s, stream_timeout=stream_timeout_s
                    )
                )
            store = RedisLiveStore(connection.client, sharded=connection.sharded, **options)
            await store.prepare()
            async with trio.open_nursery() as nursery:
                nursery.start_soon(store.serve_pubsub)
                if not await store.wait_connected(connect_timeout_s):
                    raise LiveStateError(f"redis pub/sub did not connect within {connect_timeout_s} s")
                try:
                    yield store
                except BaseException as exc:
                    body_error = exc
                    raise
                finally:
                    nursery.cancel_scope.cancel()
        return
    except BaseExceptionGroup as group:
        # The nursery and coredis's task groups wrap what the body or the start-up raised:
        # give it back as it was (outside this handler, so it is not chained to the wrappers).
        error = _unwrapped(group, body_error)
        if error is not body_error and not isinstance(error, LiveStateError):
            raise
    raise error


def _unwrapped(group: BaseExceptionGroup[BaseException], stop: BaseException | None) -> BaseException:
    """The exception inside ``group`` and its groups of one; ``stop`` itself once reached.

    Trio re-derives a group it passes through (to filter out Cancelled), so a
    group the body raised comes back as an equal copy holding the same leaves.
    """
    inner: BaseException = group
    while not _same(inner, stop) and isinstance(inner, BaseExceptionGroup) and len(inner.exceptions) == 1:
        inner = inner.exceptions[0]
    return stop if stop is not None and _same(inner, stop) else inner


def _same(one: BaseException, other: BaseException | None) -> bool:
    if one is other:
        return True
    if not isinstance(one, BaseExceptionGroup) or not isinstance(other, BaseExceptionGroup):
        return False
    return (
        one.message == other.message
        and len(one.exceptions) == len(other.exceptions)
        and all(_same(a, b) for a, b in zip(one.exceptions, other.exceptions, strict=True))
    )
