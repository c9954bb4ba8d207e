"""What the races beyond the story share: a cache-aside cache in front of a source of truth.

The primary entry stands for the database row (the source of truth) and the key's first
related entry for its cached copy. A reader serves the cached copy when there is one and
goes to the source on a miss. The writer commits the new value and invalidates the copy in
one transaction, so that the story's race (a read between the two steps) cannot happen here
and each race shows only its own bug.
"""

from __future__ import annotations

from cache.backends.base import Delete, Set, Write
from cache.events import Source
from cache.strategies.base import Context, Read, Strategy

__all__ = ["AsideStrategy", "cached_copy", "source_value"]


def cached_copy(ctx: Context, key: str) -> str:
    """The cache entry that holds ``key``'s cached copy."""
    return ctx.related(key)[0]


async def source_value(ctx: Context, key: str) -> int | None:
    """Read the source of truth (one ``GET`` of the primary)."""
    return (await ctx.store.read(key, ())).primary


class AsideStrategy(Strategy):
    """Cache-aside with nothing racy left in it: a race's strategies override one part.

    The miss is filled on the server (a script that copies the primary into the entry in
    one step), which is safe; the stale-set strategies replace exactly that step.
    """

    name = "aside-safe"
    description = "Cache-aside: atomic commit-and-invalidate, server-side fill on a miss."
    guarantee = "No stale read."
    race = "aside"

    async def update(self, ctx: Context, key: str, version: int) -> None:
        writes: list[Write] = [Set(key, version), Delete((cached_copy(ctx, key),))]
        await ctx.store.exec(writes)

    async def read(self, ctx: Context, key: str) -> Read:
        found = await ctx.store.cached(cached_copy(ctx, key))
        if found.value is not None:
            return Read(found.value, Source.RELATED)
        return await self.miss(ctx, key, found.tombstone)

    async def miss(self, ctx: Context, key: str, tombstone: int | None) -> Read:
        """Serve a miss (``tombstone``: the version a versioned delete left, if any)."""
        version = await ctx.store.rebuild(key, (cached_copy(ctx, key),))
        return Read(version, Source.PRIMARY if version is not None else Source.NONE)
