"""Fix three: optimistic concurrency with WATCH and bounded retries."""

from __future__ import annotations

from cache.backends.base import Delete, Set
from cache.strategies.base import Context, Strategy, UpdateAbandoned

__all__ = ["WatchStrategy"]


class WatchStrategy(Strategy):
    """Watch the key, then commit set and invalidate only if nobody wrote it meanwhile.

    Like the transaction it applies both steps atomically; unlike it, a concurrent writer
    makes the commit fail, and the update retries (counted) up to ``max_retries`` times.
    """

    name = "watch"
    description = "WATCH the key, then MULTI/EXEC set and invalidate; retry on conflict."
    guarantee = "Atomic like the transaction; conflicting writers retry, bounded and counted."

    async def update(self, ctx: Context, key: str, version: int) -> None:
        writes = (Set(key, version), Delete(ctx.related(key)))
        for attempt in range(ctx.max_retries + 1):
            seen = await ctx.store.version(key)
            await ctx.between_steps(key)
            if await ctx.store.exec_if(key, seen, writes):
                return
            ctx.note(key, f"retry {attempt + 1}: another writer changed {key}")
        raise UpdateAbandoned(f"gave up on {key} after {ctx.max_retries} retries")
