"""``REDIS_URL`` to a coredis client: one server, a Redis Cluster, or a primary found through Sentinel.

* ``redis://[user:password@]host:port/db`` (also ``rediss://``, ``unix://``): one server, read by coredis.
* ``redis+cluster://[user:password@]host:port,host:port,...``: a Redis Cluster; the listed nodes are only
  seeds, :class:`coredis.RedisCluster` learns the slot map from them and routes each command to its shard.
* ``redis+sentinel://[user:password@]host:port,host:port,.../service_name[/db]``: the Sentinels to ask
  for the primary of ``service_name``; after a failover the client asks them again.

The store runs the same code on all three; only a cluster publishes to shard
channels (:attr:`Connection.sharded`) and spreads sessions over many hash slots.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import coredis
from coredis import Sentinel
from coredis.connection import TCPLocation

from checkgame.errors import LiveStateError

__all__ = ["Client", "Connection", "open_client"]

Client = coredis.Redis[bytes] | coredis.RedisCluster[bytes]

CLUSTER_SCHEME = "redis+cluster"
SENTINEL_SCHEME = "redis+sentinel"


@dataclass(frozen=True)
class Connection:
    """An open client and what kind of deployment it talks to."""

    client: Client
    sharded: bool
    """A Redis Cluster: sessions spread over hash slots, events on shard channels (SPUBLISH/SSUBSCRIBE)."""


@dataclass(frozen=True)
class _Parsed:
    scheme: str
    username: str | None
    password: str | None
    hosts: list[tuple[str, int]]
    path: list[str]


def _parse(url: str) -> _Parsed:
    """Split a cluster or Sentinel URL (its host list has commas, which :func:`urllib.parse.urlsplit` refuses)."""
    scheme, _, rest = url.partition("://")
    netloc, _, path = rest.partition("/")
    netloc = netloc.split("?", 1)[0]
    username = password = None
    if "@" in netloc:
        userinfo, _, netloc = netloc.rpartition("@")
        user, has_password, secret = userinfo.partition(":")
        username = unquote(user) or None
        password = unquote(secret) if has_password else None
    hosts: list[tuple[str, int]] = []
    for item in filter(None, netloc.split(",")):
        host, _, port = item.rpartition(":")
        if not host or not port.isdigit():
            raise LiveStateError(f"{scheme} URL: {item!r} is not host:port")
        hosts.append((host.strip("[]"), int(port)))
    if not hosts:
        raise LiveStateError(f"{scheme} URL names no host")
    return _Parsed(scheme, username, password, hosts, [part for part in path.split("?", 1)[0].split("/") if part])


@asynccontextmanager
async def open_client(url: str, **options: Any) -> AsyncIterator[Connection]:
    """The client for ``url``, open while the context is; ``options`` are coredis connection settings."""
    scheme = url.partition("://")[0]
    async with AsyncExitStack() as stack:
        if scheme == CLUSTER_SCHEME:
            parsed = _parse(url)
            options.pop("client_name", None)  # RedisCluster takes no connection name
            cluster: coredis.RedisCluster[bytes] = coredis.RedisCluster(
                startup_nodes=[TCPLocation(host, port) for host, port in parsed.hosts],
                username=parsed.username,
                password=parsed.password,
                decode_responses=False,
                **options,
            )
            stack.callback(_close_layout_streams, cluster)
            yield Connection(await stack.enter_async_context(cluster), sharded=True)
            return
        if scheme == SENTINEL_SCHEME:
            parsed = _parse(url)
            if not parsed.path:
                raise LiveStateError("redis+sentinel URL: the service name is missing (…/service_name)")
            sentinel: Sentinel[bytes] = Sentinel(
                parsed.hosts, sentinel_kwargs={"connect_timeout": options.get("connect_timeout")}
            )
            await stack.enter_async_context(sentinel)
            db = int(parsed.path[1]) if len(parsed.path) > 1 else 0
            primary = sentinel.primary_for(
                parsed.path[0], db=db, username=parsed.username, password=parsed.password, **options
            )
            yield Connection(await stack.enter_async_context(primary), sharded=False)
            return
        client: coredis.Redis[bytes] = coredis.Redis.from_url(url, decode_responses=False, **options)
        yield Connection(await stack.enter_async_context(client), sharded=False)


def _close_layout_streams(cluster: coredis.RedisCluster[bytes]) -> None:
    """Close the error stream of the cluster's slot map, which coredis 6.9 never closes (a ResourceWarning)."""
    for stream in cluster.connection_pool.cluster_layout._error_stream:  # private, like the leak
        stream.close()
