"""Reads from a lagging replica: a reader that misses fills the cache from a replica of the
source, which may not have the latest write yet, so the fill puts an old value back into
the cache right after the writer invalidated it (and serves it, too).

The key's second related entry stands for the replica; the scenario copies each committed
write into it after the replication lag.
"""

from __future__ import annotations

from cache.backends.base import FillIf, Set, Tombstone, Write
from cache.events import Source
from cache.strategies.aside import AsideStrategy, cached_copy
from cache.strategies.base import Context, Read

__all__ = ["PrimaryFillStrategy", "RemoteMarkerStrategy", "ReplicaFillStrategy"]


def replica_of(ctx: Context, key: str) -> str:
    """The entry that stands for ``key``'s row on the replica."""
    return ctx.related(key)[1]


async def from_replica(ctx: Context, key: str, when: FillIf) -> Read:
    version = (await ctx.store.read(replica_of(ctx, key), ())).primary
    if version is None:
        return Read(None, Source.NONE)
    await ctx.compute(key)
    await ctx.store.fill(cached_copy(ctx, key), version, when)
    return Read(version, Source.RELATED)


class ReplicaFillStrategy(AsideStrategy):
    """On a miss, read the replica (it takes load off the primary) and fill from it."""

    name = "replica-fill"
    description = "On a miss, read the (lagging) replica and SET the copy from it."
    guarantee = "None: until the replica catches up, a miss serves and caches the old value."
    race = "replica-lag"

    async def miss(self, ctx: Context, key: str, tombstone: int | None) -> Read:
        return await from_replica(ctx, key, FillIf.ALWAYS)


class PrimaryFillStrategy(AsideStrategy):
    """On a miss, read the primary: the fill is derived on the server from the source."""

    name = "primary-fill"
    description = "On a miss, fill from the primary (server-side), never from the replica."
    guarantee = "No stale read; every miss costs the primary a read."
    race = "replica-lag"


class RemoteMarkerStrategy(AsideStrategy):
    """memcache's remote markers: the writer's invalidation leaves a marker (a versioned
    tombstone); a miss that finds one reads the primary, other misses read the replica,
    and a replica fill never writes under a newer marker (set-if-not-newer)."""

    name = "remote-marker"
    description = "The delete leaves a marker; a miss on a marker reads the primary."
    guarantee = "No stale read; only misses after a recent write go to the primary."
    race = "replica-lag"

    async def update(self, ctx: Context, key: str, version: int) -> None:
        writes: list[Write] = [Set(key, version), Tombstone(cached_copy(ctx, key), version)]
        await ctx.store.exec(writes)

    async def miss(self, ctx: Context, key: str, tombstone: int | None) -> Read:
        if tombstone is not None:
            return await super().miss(ctx, key, tombstone)
        return await from_replica(ctx, key, FillIf.NEWER)
