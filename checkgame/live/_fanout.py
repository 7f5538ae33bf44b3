"""One node's pub/sub connection to Redis and its local subscriptions (see :mod:`checkgame.live.redis`).

The node listens only to sessions it has local subscribers in: SUBSCRIBE on
the first, UNSUBSCRIBE on the last, both acknowledged before returning, and
serialised by one lock since they share one connection. On a Redis Cluster
the node uses sharded pub/sub instead (SSUBSCRIBE, one connection per shard,
opened and closed together): a message then crosses only its own shard,
where classic PUBLISH would be copied to every node of the cluster. If the
cluster moves a slot (resharding), its shard ends the subscription
(SUNSUBSCRIBE); the reader treats that as a dropped connection. Each published
message (``{"v": version, "e": [entries]}``, one per commit) is decoded once
and delivered to every local :class:`~checkgame.live.memory.MemorySubscription`.

A :class:`Channel` also holds the store's cached state of its session, because
only a confirmed subscription can tell when that cache goes stale: ``seen`` is
the highest version announced, and an older cached state is dropped at once.
When the connection drops, every channel loses its cache and every
subscription is marked lagged (what was published meanwhile is lost to this
node); :attr:`Fanout.generation` moves on so that reads begun before the drop
do not refill a cache; then the reader reconnects and subscribes again.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from typing import Any, cast

import coredis
import msgspec
import trio
from coredis.exceptions import RedisError
from coredis.patterns.pubsub import BasePubSub

from checkgame import sessions
from checkgame.errors import LiveStateError
from checkgame.live.memory import MemorySubscription
from checkgame.sessions import Entry, SessionState

__all__ = ["DRIVER_ERRORS", "Channel", "Fanout", "translated"]

log = logging.getLogger("checkgame.live.redis")

DRIVER_ERRORS = (RedisError, OSError)
"""What coredis raises when Redis misbehaves or is unreachable (TimeoutError is an OSError)."""

RECONNECT_MIN_S = 0.1
RECONNECT_MAX_S = 5.0
EVENTS_SUFFIX = ":events"

_decode = msgspec.json.Decoder().decode


@contextmanager
def translated(what: str) -> Iterator[None]:
    """Turn driver errors into :class:`LiveStateError`, so nothing from coredis escapes."""
    try:
        yield
    except DRIVER_ERRORS as exc:
        raise LiveStateError(f"redis {what} failed: {exc!r}") from exc


class SubscriptionEndedError(Exception):
    """Redis ended a subscription the node still wants: reconnect as if the connection had dropped."""


class Channel:
    """One session's channel on this node: its local subscriptions and the store's cached state."""

    __slots__ = ("live", "published", "seen", "state", "subs")

    def __init__(self, subscription: MemorySubscription) -> None:
        self.subs = {subscription}
        self.live = False
        """SUBSCRIBE was acknowledged and the connection has not dropped since."""
        self.seen = 0
        """The highest version announced or read since the channel went live."""
        self.state: SessionState | None = None
        self.published: dict[str, Any] | None = None
        """The state announced with version ``seen``, not decoded yet (most are never needed here)."""

    def cached(self) -> SessionState | None:
        """The cached state, decoding the last published one on first use."""
        if self.state is None and self.published is not None and self.live:
            self.state = sessions.from_dict(self.published)
            self.published = None
        return self.state


class Fanout:
    """The pub/sub half of a :class:`~checkgame.live.redis.RedisLiveStore`; :meth:`serve` is its reader task."""

    def __init__(
        self,
        client: coredis.Redis[bytes] | coredis.RedisCluster[bytes],
        channel_name: Callable[[str], str],
        sharded: bool,
        capacity: int,
        subscribe_timeout_s: float,
    ) -> None:
        self._client = client
        self.channel_name = channel_name
        """The pub/sub channel of a session."""
        self._sharded = sharded
        self._sessions: dict[bytes, str] = {}
        """The session of each channel subscribed to."""
        self._capacity = capacity
        self._subscribe_timeout_s = subscribe_timeout_s
        self.channels: dict[str, Channel] = {}
        self.generation = 0
        """Incremented whenever the connection drops."""
        self._pubsub: BasePubSub[bytes, Any] | None = None
        self._up = trio.Event()
        self._lock = trio.Lock()

    def live_channel(self, session_id: str) -> Channel | None:
        """The session's channel if this node is (confirmed) subscribed to it."""
        channel = self.channels.get(session_id)
        return channel if channel is not None and channel.live else None

    def subscriber_count(self) -> int:
        """Open local subscriptions."""
        return sum(len(channel.subs) for channel in self.channels.values())

    @asynccontextmanager
    async def subscribe(self, session_id: str) -> AsyncIterator[MemorySubscription]:
        """A local subscription to the session, the channel subscribed in Redis while any is open."""
        subscription = MemorySubscription(self._capacity)
        await self._join(session_id, subscription)
        try:
            yield subscription
        finally:
            subscription.close()
            with trio.CancelScope(shield=True):
                await self._leave(session_id, subscription)

    async def wait_connected(self, timeout_s: float) -> bool:
        """Wait until the reader's connection is up; False after ``timeout_s``."""
        with trio.move_on_after(timeout_s):
            while self._pubsub is None:
                await self._up.wait()
        return self._pubsub is not None

    async def _join(self, session_id: str, subscription: MemorySubscription) -> None:
        await self.wait_connected(self._subscribe_timeout_s)
        async with self._lock:
            pubsub = self._pubsub
            if pubsub is None:
                raise LiveStateError("redis pub/sub is reconnecting")
            channel = self.channels.get(session_id)
            if channel is not None:
                channel.subs.add(subscription)
                return
            channel = self.channels[session_id] = Channel(subscription)  # before SUBSCRIBE: no message is missed
            name = self.channel_name(session_id)
            self._sessions[name.encode()] = session_id
            generation = self.generation
            try:
                with trio.CancelScope(shield=True), translated("SUBSCRIBE"):  # bounded by coredis's ack timeout
                    await pubsub.subscribe(name)
            except BaseException:
                if self.channels.get(session_id) is channel:
                    del self.channels[session_id]
                    del self._sessions[name.encode()]
                raise
            if generation != self.generation:
                raise LiveStateError("redis pub/sub connection lost while subscribing")
            channel.live = True

    async def _leave(self, session_id: str, subscription: MemorySubscription) -> None:
        async with self._lock:
            channel = self.channels.get(session_id)
            if channel is None or subscription not in channel.subs:
                return
            channel.subs.discard(subscription)
            if channel.subs:
                return
            del self.channels[session_id]
            name = self.channel_name(session_id)
            self._sessions.pop(name.encode(), None)
            pubsub = self._pubsub
            if pubsub is None:
                return  # the reader subscribes again only to the channels still wanted
            try:
                with trio.move_on_after(self._subscribe_timeout_s):
                    await pubsub.unsubscribe(name)
            except DRIVER_ERRORS:
                pass  # the connection is going down; the reader reconnects without this channel

    async def serve(self) -> None:
        """The reader task: keep one pub/sub connection, deliver its messages, reconnect when it drops."""
        delay = RECONNECT_MIN_S
        while True:
            try:
                async with self._open() as pubsub:
                    await self._attach(pubsub)
                    delay = RECONNECT_MIN_S
                    while True:
                        message = await pubsub.get_message()
                        if message is None:
                            continue
                        name = cast("bytes", message["channel"])
                        if message["type"] == "message":
                            self._dispatch(name, cast("bytes", message["data"]))
                        elif message["type"] == "sunsubscribe" and name in self._sessions:
                            raise SubscriptionEndedError(f"the shard of {name!r} ended its subscription (slot moved)")
            except* (*DRIVER_ERRORS, SubscriptionEndedError) as group:
                log.warning("redis pub/sub connection lost (%r); reconnecting in %.1f s", group.exceptions[0], delay)
            finally:
                self._detach()
            await trio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX_S)

    def _open(self) -> AbstractAsyncContextManager[BasePubSub[bytes, Any]]:
        """A new pub/sub connection: classic on one server, sharded on a cluster (acks are read by the reader)."""
        if self._sharded:
            assert isinstance(self._client, coredis.RedisCluster)
            sharded: BasePubSub[bytes, Any] = self._client.sharded_pubsub(retry_policy=None)
            return sharded
        classic: BasePubSub[bytes, Any] = self._client.pubsub(retry_policy=None)
        return classic

    async def _attach(self, pubsub: BasePubSub[bytes, Any]) -> None:
        async with self._lock:
            if self.channels:
                await pubsub.subscribe(*(self.channel_name(session_id) for session_id in self.channels))
            for channel in self.channels.values():
                channel.live = True
            self._pubsub = pubsub
            self._up.set()

    def _detach(self) -> None:
        self._pubsub = None
        if self._up.is_set():
            self._up = trio.Event()
        self.generation += 1
        for channel in self.channels.values():
            channel.live = False
            channel.state, channel.published = None, None
            channel.seen = 0
            for subscription in channel.subs:
                subscription.mark_lagged()

    def _dispatch(self, name: bytes, data: bytes) -> None:
        session_id = self._sessions.get(name)
        channel = None if session_id is None else self.channels.get(session_id)
        if channel is None:
            return  # unsubscribed meanwhile
        try:
            message = _decode(data)
            version: int = message["v"]
            published: dict[str, Any] | None = message.get("s")
            entries = tuple(Entry.from_dict(raw) for raw in message["e"])
        except (msgspec.DecodeError, KeyError, TypeError) as exc:
            log.error("undecodable message on %r: %r", name, exc)
            for subscription in channel.subs:
                subscription.mark_lagged()
            return
        if version >= channel.seen:  # messages arrive in commit order: this is the newest state
            channel.seen = version
            channel.state, channel.published = None, published
        if entries:
            for subscription in channel.subs:
                subscription.deliver(entries)
