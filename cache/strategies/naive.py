"""The optimization that introduced the race."""

from __future__ import annotations

from cache.strategies.base import Context, Strategy, invalidate_related

__all__ = ["NaiveAsyncStrategy"]


class NaiveAsyncStrategy(Strategy):
    """Await the set, then await the invalidation: two round trips with a gap between.

    In the gap the primary already holds the new value while the derived entries still hold
    the old one, and a read that prefers the derived entries returns old data.
    """

    name = "naive-async"
    description = "The async optimization: await set, then await invalidate (has the race)."
    guarantee = "None: a read between the two awaits can return the old related entry."

    async def update(self, ctx: Context, key: str, version: int) -> None:
        await ctx.store.set(key, version)
        await ctx.between_steps(key)
        await invalidate_related(ctx, key)
