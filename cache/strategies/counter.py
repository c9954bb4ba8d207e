"""The lost update: a counter incremented by read-modify-write from several tasks.

Two tasks read 41, both write 42: one increment vanished. The oracle names the two
increments that read the same value (``docs/oracle.md``, lost updates).
"""

from __future__ import annotations

from cache.backends.base import Set
from cache.strategies.base import Context, Strategy, UpdateAbandoned

__all__ = ["IncrStrategy", "LuaIncrementStrategy", "ReadModifyWriteStrategy", "WatchIncrStrategy"]


class _CounterRace(Strategy):
    race = "lost-update"

    async def update(self, ctx: Context, key: str, version: int) -> None:
        await ctx.store.set(key, version)  # the counter race never overwrites a value


class ReadModifyWriteStrategy(_CounterRace):
    """``GET``, add one, ``SET``: two round trips with the arithmetic between them."""

    name = "counter-rmw"
    description = "Increment by GET, add one, SET (read-modify-write in two round trips)."
    guarantee = "None: two increments that read the same value write the same value."

    async def increment(self, ctx: Context, key: str) -> int:
        value = (await ctx.store.read(key, ())).primary or 0
        await ctx.compute(key)
        await ctx.store.set(key, value + 1)
        return value + 1


class WatchIncrStrategy(_CounterRace):
    """Optimistic: ``WATCH`` the counter, ``MULTI``/``EXEC`` the new value, retry when
    another writer got there first (bounded: the increment is abandoned, and counted)."""

    name = "counter-watch"
    description = "WATCH the counter, MULTI/EXEC value+1; retry on conflict (bounded)."
    guarantee = "An increment lands only on the value it read; conflicts retry or give up."

    async def increment(self, ctx: Context, key: str) -> int:
        for attempt in range(ctx.max_retries + 1):
            seen = await ctx.store.version(key)
            value = (seen or 0) + 1
            await ctx.compute(key)
            if await ctx.store.exec_if(key, seen, (Set(key, value),)):
                return value
            ctx.note(key, f"retry {attempt + 1}: another increment changed {key}")
        raise UpdateAbandoned(f"gave up on {key} after {ctx.max_retries} retries")


class IncrStrategy(_CounterRace):
    """``INCR``: the server reads, adds and writes in one command."""

    name = "counter-incr"
    description = "INCR: the increment is one atomic command on the server."
    guarantee = "Every increment counts; no retries."

    async def increment(self, ctx: Context, key: str) -> int:
        await ctx.compute(key)
        return await ctx.store.incr(key)


class LuaIncrementStrategy(_CounterRace):
    """The same read-modify-write as ``counter-rmw``, moved into a Lua script: the pattern
    for any update one command cannot express."""

    name = "counter-lua"
    description = "GET, add one, SET inside a Lua script: one atomic step on the server."
    guarantee = "Every increment counts; no retries."

    async def increment(self, ctx: Context, key: str) -> int:
        await ctx.compute(key)
        return await ctx.store.incr(key, script=True)
