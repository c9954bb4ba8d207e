"""Fix two: set and invalidate in one transaction."""

from __future__ import annotations

from cache.backends.base import Delete, Set, Write
from cache.strategies.base import Context, Strategy

__all__ = ["TransactionStrategy"]


class TransactionStrategy(Strategy):
    """Queue the set and the invalidation and apply them together (MULTI/EXEC).

    The server applies both in one step, so there is no moment in which the primary is new
    and the derived entries are old. Nothing waits for a lock, and an update costs one round
    trip instead of two.
    """

    name = "transaction"
    description = "Set and invalidate queued in one MULTI/EXEC, applied atomically."
    guarantee = "Set and invalidate become visible together; readers never wait."

    async def update(self, ctx: Context, key: str, version: int) -> None:
        writes: list[Write] = [Set(key, version)]
        # Widening here delays the commit, but queued commands are invisible until EXEC.
        await ctx.between_steps(key)
        writes.append(Delete(ctx.related(key)))
        await ctx.store.exec(writes)
