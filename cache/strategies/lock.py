"""Fix one: a per-key lock that readers respect."""

from __future__ import annotations

from cache.strategies.base import Context, Strategy, invalidate_related

__all__ = ["LockStrategy"]


class LockStrategy(Strategy):
    """Hold the key's lock across set and invalidate; readers wait while it is held.

    Correct, at a price: every read of a key being updated waits for the whole update, and
    every update pays two extra round trips (lock and unlock).
    """

    name = "lock"
    description = "Per-key lock around set and invalidate; reads wait while it is held."
    guarantee = "No read runs while an update is between its steps."
    readers_respect_lock = True

    async def update(self, ctx: Context, key: str, version: int) -> None:
        token, _ = await ctx.store.lock(key, ctx.lock_ttl)
        try:
            await ctx.store.set(key, version)
            await ctx.between_steps(key)
            await invalidate_related(ctx, key)
        finally:
            await ctx.store.unlock(key, token)
