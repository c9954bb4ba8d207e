"""The TTL refresh that rewrites: it reads an entry, then writes the same value back with a
new time to live. An update that commits and invalidates in between is undone: the refresh
puts the old value back into the cache."""

from __future__ import annotations

from cache.backends.base import FillIf
from cache.strategies.aside import AsideStrategy, cached_copy
from cache.strategies.base import REFRESH_TTL_SECONDS, Context

__all__ = ["RefreshIfSameStrategy", "RewriteRefreshStrategy", "TouchRefreshStrategy"]


class RewriteRefreshStrategy(AsideStrategy):
    """``GET`` the entry, then ``SET`` it again with a fresh expiry."""

    name = "refresh-rewrite"
    description = "TTL refresh by GET then SET EX of the value read (rewrites the entry)."
    guarantee = "None: a refresh that read before an update writes the old value back."
    race = "ttl-refresh"
    # When the value read may be written back: always (the bug), or only if unchanged.
    write_back = FillIf.ALWAYS

    async def refresh(self, ctx: Context, key: str) -> None:
        entry = cached_copy(ctx, key)
        found = await ctx.store.cached(entry)
        if found.value is None:
            return
        await ctx.compute(key)
        await ctx.store.fill(entry, found.value, self.write_back)


class TouchRefreshStrategy(AsideStrategy):
    """Extend the expiry without touching the value: ``PEXPIRE``."""

    name = "refresh-touch"
    description = "TTL refresh by PEXPIRE: the time to live changes, the value never does."
    guarantee = "A refresh writes no value, so it cannot bring an old one back."
    race = "ttl-refresh"

    async def refresh(self, ctx: Context, key: str) -> None:
        await ctx.store.touch((cached_copy(ctx, key),), REFRESH_TTL_SECONDS)


class RefreshIfSameStrategy(RewriteRefreshStrategy):
    """Rewrite only what is still there: a Lua compare-and-set of the value read."""

    name = "refresh-if-same"
    description = "TTL refresh that rewrites only if the entry still holds the value read (Lua)."
    guarantee = "A refresh after an invalidation or an update of the entry does nothing."
    write_back = FillIf.SAME
