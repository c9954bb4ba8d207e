"""The stale set: a reader's fill of an old value lands after a writer's invalidation.

The reader misses, reads v42 from the source, and while it builds the value to cache a
writer commits v43 and deletes the cached copy. The reader's fill then writes v42 into the
cache, where it stays until the next update: every read until then is stale.
"""

from __future__ import annotations

from cache.backends.base import FillIf, Set, Tombstone, Write
from cache.events import Source
from cache.strategies.aside import AsideStrategy, cached_copy, source_value
from cache.strategies.base import Context, Read

__all__ = ["LeaseFillStrategy", "NaiveFillStrategy", "VersionedFillStrategy"]

LEASE_TTL_SECONDS = 10.0


class NaiveFillStrategy(AsideStrategy):
    """On a miss: read the source, build the value, ``SET`` it. The fill does not know that
    the value it carries may have been superseded and invalidated while it was built."""

    name = "fill"
    description = "Cache-aside: on a miss read the source, then SET the copy (stale set)."
    guarantee = "None: a fill that read before an update can land after its invalidation."
    race = "stale-set"

    async def miss(self, ctx: Context, key: str, tombstone: int | None) -> Read:
        version = await source_value(ctx, key)
        if version is None:
            return Read(None, Source.NONE)
        await ctx.compute(key)
        await ctx.store.fill(cached_copy(ctx, key), version)
        return Read(version, Source.PRIMARY)


class LeaseFillStrategy(AsideStrategy):
    """memcache's leases: a miss takes a lease (a token in the empty entry) before reading
    the source; the writer's delete removes it; the fill lands only while the lease holds.
    A reader that finds a lease already taken serves the source without filling."""

    name = "fill-lease"
    description = "Lease on a miss (SET NX PX token); the delete voids it; fill only with it."
    guarantee = "A fill lands only if no write invalidated the entry since the miss."
    race = "stale-set"

    async def miss(self, ctx: Context, key: str, tombstone: int | None) -> Read:
        entry = cached_copy(ctx, key)
        token = await ctx.store.lease(entry, LEASE_TTL_SECONDS)
        version = await source_value(ctx, key)
        if version is None:
            return Read(None, Source.NONE)
        await ctx.compute(key)
        if token is not None:
            await ctx.store.fill(entry, version, FillIf.LEASE, token)
        return Read(version, Source.PRIMARY)


class VersionedFillStrategy(AsideStrategy):
    """Delete with a version, set if not newer: the writer leaves a tombstone naming the
    version that superseded the entry, and a fill (a server-side compare) never writes a
    value older than the tombstone or the value already there."""

    name = "fill-versioned"
    description = "The delete leaves a versioned tombstone; fills are set-if-not-newer (Lua)."
    guarantee = "The cache never goes back to a version older than one it was told about."
    race = "stale-set"

    async def update(self, ctx: Context, key: str, version: int) -> None:
        writes: list[Write] = [Set(key, version), Tombstone(cached_copy(ctx, key), version)]
        await ctx.store.exec(writes)

    async def miss(self, ctx: Context, key: str, tombstone: int | None) -> Read:
        version = await source_value(ctx, key)
        if version is None:
            return Read(None, Source.NONE)
        await ctx.compute(key)
        await ctx.store.fill(cached_copy(ctx, key), version, FillIf.NEWER)
        return Read(version, Source.PRIMARY)
