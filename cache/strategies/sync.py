"""Before the optimization: the cache client was synchronous."""

from __future__ import annotations

from cache.strategies.base import Context, Read, Strategy, invalidate_related

__all__ = ["SyncStrategy"]


class SyncStrategy(Strategy):
    """Set, then invalidate, with nothing able to run in between.

    A synchronous client blocks the whole program for the duration of each call, so no
    other request can observe the moment between the two steps. It is correct and slow:
    every request waits for every other one.
    """

    name = "sync"
    description = "Before the optimization: set and invalidate block everything until done."
    guarantee = "No scheduling point between set and invalidate: no read sees the gap."

    async def update(self, ctx: Context, key: str, version: int) -> None:
        async with ctx.runtime.blocking():
            await ctx.store.set(key, version)
            await ctx.between_steps(key)
            await invalidate_related(ctx, key)

    async def read(self, ctx: Context, key: str) -> Read:
        async with ctx.runtime.blocking():
            return await super().read(ctx, key)
