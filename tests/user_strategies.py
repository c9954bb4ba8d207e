"""Strategies a user might write, loaded by import path in the tests (``user_strategies:X``)."""

from __future__ import annotations

from cache import Context, Read, Strategy
from cache.events import Source


class WriteThrough(Strategy):
    """Overwrite the related entries with the new version instead of deleting them: still
    two steps, so still racy."""

    name = "write-through"
    description = "Set the primary, then overwrite each related entry with the new value."
    guarantee = "None: between the steps the related entries are old."

    async def update(self, ctx: Context, key: str, version: int) -> None:
        await ctx.store.set(key, version)
        await ctx.store.rebuild(key, ctx.related(key))


class Explodes(Strategy):
    name = "explodes"
    description = "Raises in update."
    guarantee = "Nothing."

    async def update(self, ctx: Context, key: str, version: int) -> None:
        await ctx.store.set(key, version)
        raise RuntimeError("the strategy has a bug")


class ReturnsGarbage(Strategy):
    name = "garbage"
    description = "Reads return the wrong type."
    guarantee = "Nothing."

    async def update(self, ctx: Context, key: str, version: int) -> None:
        await ctx.store.set(key, version)

    async def read(self, ctx: Context, key: str) -> Read:
        return "v1"  # type: ignore[return-value]


class ForgetsToUnlock(Strategy):
    """Takes the lock and never releases it: readers wait until the lock expires."""

    name = "forgets-unlock"
    description = "Locks, updates, never unlocks."
    guarantee = "Readers stall until the lock's time to live runs out."
    readers_respect_lock = True

    async def update(self, ctx: Context, key: str, version: int) -> None:
        await ctx.store.lock(key, ctx.lock_ttl)
        await ctx.store.set(key, version)
        await ctx.store.delete(ctx.related(key))


class NotAStrategy:
    name = "plain"


class Incomplete(Strategy):
    name = "incomplete"
    description = "No update method."
    guarantee = "None."


__all__ = [
    "Explodes",
    "ForgetsToUnlock",
    "Incomplete",
    "NotAStrategy",
    "ReturnsGarbage",
    "Source",
    "WriteThrough",
]


class NeverYields(Strategy):
    """A bug no scheduler can interrupt: an update that spins without ever awaiting."""

    name = "never-yields"
    description = "spins forever inside update"
    guarantee = "none: it never returns"

    async def update(self, ctx: Context, key: str, version: int) -> None:
        while True:
            pass


class SpinsWhenBuilt(NeverYields):
    """Spins as soon as a run builds it, so a test knows the simulation is stuck before it
    sends its next command."""

    name = "spins-when-built"

    def __init__(self) -> None:
        while True:
            pass
