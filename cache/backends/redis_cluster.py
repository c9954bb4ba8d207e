"""Redis Cluster: which node holds a run's keys, and a plain client to that node.

A run's keys share one hash tag (``rwb:<session>:{<run>}:``), so they live in one slot and
one node serves all of them. MULTI/EXEC, WATCH and Lua refuse keys of different slots on a
cluster (``CROSSSLOT``), and the strategies that use them need a primary and its related
entries (and its lock) together: the tag is what makes them work there. redis-py's cluster
client finds the slot's node (``CLUSTER SLOTS``, as any cluster client does); the run then
talks to that node over an ordinary client, so WATCH keeps its connection and a pipeline is
one round trip, exactly as on a single server.

A slot that moves while a run is in flight (resharding) makes the node answer ``MOVED``:
the run fails with that reason in one line, and the next run asks the cluster again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from redis.crc import key_slot
from redis.exceptions import RedisError

from cache.redis_url import is_loopback_host

__all__ = ["ClusterRouter", "is_cluster", "slot_of"]

NodeClient = Callable[[str, int], Redis]


def slot_of(key: str) -> int:
    """The cluster slot of ``key`` (its hash tag's, when it has one)."""
    return int(key_slot(key.encode()))


async def is_cluster(client: Redis) -> bool:
    """Whether the server behind ``client`` is a node of a cluster."""
    info: dict[str, Any] = await client.info("cluster")
    return bool(int(info.get("cluster_enabled", 0)))


class ClusterRouter:
    """The cluster's slot map (from redis-py's cluster client) and one pooled client per
    node, made by ``node_client`` with the same timeouts as the first connection."""

    def __init__(self, cluster: RedisCluster, node_client: NodeClient, *, loopback: bool) -> None:
        self.cluster = cluster
        self._node_client = node_client
        self._loopback = loopback
        self._clients: dict[tuple[str, int], Redis] = {}

    @classmethod
    async def open(
        cls, cluster: RedisCluster, node_client: NodeClient, *, loopback: bool
    ) -> ClusterRouter:
        """Learn the slot map; ``ValueError`` if a node is not on this machine while the
        URL was (a cluster must not lead the workbench to another host unasked)."""
        await cluster.initialize()
        router = cls(cluster, node_client, loopback=loopback)
        for node in cluster.get_nodes():
            router._check(node.host)
        return router

    def _check(self, host: str) -> None:
        if self._loopback and not is_loopback_host(host):
            raise ValueError(
                f"the cluster names a node at {host}, not on this machine "
                "(--allow-remote allows it)"
            )

    def client_for(self, key: str) -> Redis:
        """The client of the node that serves ``key``'s slot."""
        node = self.cluster.get_node_from_key(key)
        if node is None:
            raise RedisError(f"no cluster node serves slot {slot_of(key)}")
        return self._client(node.host, int(node.port))

    def _client(self, host: str, port: int) -> Redis:
        where = (host, port)
        client = self._clients.get(where)
        if client is None:
            self._check(host)
            client = self._clients[where] = self._node_client(host, port)
        return client

    def primaries(self) -> list[Redis]:
        """A client for every primary node (where the keys are)."""
        return [self._client(node.host, int(node.port)) for node in self.cluster.get_primaries()]

    async def close(self) -> None:
        for client in self._clients.values():
            with contextlib.suppress(RedisError, OSError):
                await client.connection_pool.disconnect()
        self._clients.clear()
        with contextlib.suppress(RedisError, OSError):
            await self.cluster.aclose()
