"""Defence in depth: detect the inconsistency on read and repair it."""

from __future__ import annotations

from cache.events import Source
from cache.strategies.base import Context, Read, Strategy, invalidate_related

__all__ = ["VersionedStrategy"]


class VersionedStrategy(Strategy):
    """Entries carry the update id they come from; a read compares them.

    The update still has the gap (it is the naive one). The read notices a related entry
    derived from another update than the primary's, counts a detected inconsistency, serves
    the primary, and rebuilds the related entries.
    """

    name = "versioned"
    description = "Update ids on every entry; a read that sees a mismatch detects and repairs."
    guarantee = "No stale value is returned; each mismatch is counted as detected and repaired."

    async def update(self, ctx: Context, key: str, version: int) -> None:
        await ctx.store.set(key, version)
        await ctx.between_steps(key)
        await invalidate_related(ctx, key)

    async def read(self, ctx: Context, key: str) -> Read:
        related = ctx.related(key)
        snapshot = await ctx.store.read(key, related)
        primary = snapshot.primary
        mismatched = [v for v in snapshot.related if v is not None and v != primary]
        if mismatched:
            handle = ctx.detected(key, f"related v{mismatched[0]} != primary v{primary}")
            repaired = await ctx.store.rebuild(key, related)
            ctx.repaired(handle, repaired)
            return Read(primary, Source.PRIMARY if primary is not None else Source.NONE)
        return await self._serve(ctx, key, snapshot.primary, snapshot.related)

    async def _serve(
        self, ctx: Context, key: str, primary: int | None, related: tuple[int | None, ...]
    ) -> Read:
        if any(v is not None for v in related):
            return Read(primary, Source.RELATED)
        if primary is None:
            return Read(None, Source.NONE)
        await ctx.store.rebuild(key, ctx.related(key))
        return Read(primary, Source.PRIMARY)
