"""The prewarm that overwrites: it loads every key from the source, builds the entries, and
writes them; an update that wrote through to the cache meanwhile is overwritten with the
value loaded before it."""

from __future__ import annotations

from cache.backends.base import FillIf, Set, Write
from cache.strategies.aside import AsideStrategy, cached_copy, source_value
from cache.strategies.base import Context

__all__ = ["AddPrewarmStrategy", "OverwritePrewarmStrategy", "VersionedPrewarmStrategy"]


class _PrewarmRace(AsideStrategy):
    race = "prewarm"
    fill_if = FillIf.ALWAYS

    async def update(self, ctx: Context, key: str, version: int) -> None:
        # Write-through: the source and the cached copy in one transaction.
        writes: list[Write] = [Set(key, version), Set(cached_copy(ctx, key), version)]
        await ctx.store.exec(writes)

    async def prewarm(self, ctx: Context, keys: tuple[str, ...]) -> None:
        loaded = [(key, await source_value(ctx, key)) for key in keys]
        for key, _ in loaded:
            await ctx.compute(key)
        for key, version in loaded:
            if version is not None:
                await ctx.store.fill(cached_copy(ctx, key), version, self.fill_if)


class OverwritePrewarmStrategy(_PrewarmRace):
    """Load everything, then ``SET`` every entry."""

    name = "prewarm-overwrite"
    description = "Prewarm: load all keys, then SET each entry (overwrites newer values)."
    guarantee = "None: an update written through during the load is overwritten."


class AddPrewarmStrategy(_PrewarmRace):
    """``SET NX``: prewarming fills only empty entries, as memcache's ``add`` does."""

    name = "prewarm-add"
    description = "Prewarm with SET NX (add): only entries still empty are filled."
    guarantee = "A prewarm never replaces an entry that traffic has already written."
    fill_if = FillIf.ABSENT


class VersionedPrewarmStrategy(_PrewarmRace):
    """Set-if-not-newer: a server-side compare of versions."""

    name = "prewarm-versioned"
    description = "Prewarm with set-if-not-newer (Lua): older values never replace newer."
    guarantee = "A prewarm never writes a version older than the entry's."
    fill_if = FillIf.NEWER
