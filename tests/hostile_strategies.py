"""Strategies written to break the workbench, loaded by import path
(``tests.hostile_strategies:Name``): the corpus the hardening tests (and the command line's
fuzz test) run through the engine. Each class says in ``where`` which worlds it applies to:
``sim`` (the simulator), ``redis`` (a live server; not those that would hang there until
the run's 30 s limit). ``LOAD_ERRORS`` lists specs that must fail to load, with a phrase
their message contains.

The secret ``SECRET`` appears in some messages on purpose: no output may show it.
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any, ClassVar, NoReturn

from cache import Context, Read, Strategy
from cache.events import Source

SECRET = "hunter2"
LEAKY_URL = f"redis://admin:{SECRET}@127.0.0.1:6379/0?password={SECRET}"


class _Hostile(Strategy):
    description = "A strategy written to break things."
    guarantee = "Nothing."
    where: ClassVar[frozenset[str]] = frozenset({"sim", "redis"})

    async def update(self, ctx: Context, key: str, version: int) -> None:
        await ctx.store.set(key, version)


class BadStr(Exception):
    def __str__(self) -> str:
        raise RuntimeError("__str__ raised")

    def __repr__(self) -> str:
        raise RuntimeError("__repr__ raised")


class RaisesInInit(_Hostile):
    name = "raises-in-init"

    def __init__(self) -> None:
        raise RuntimeError('cannot construct\n  File "x.py", line 1, in <module>')


class ExitsInInit(_Hostile):
    name = "exits-in-init"

    def __init__(self) -> None:
        raise SystemExit(3)


class RaisesInUpdate(_Hostile):
    name = "raises-in-update"

    async def update(self, ctx: Context, key: str, version: int) -> None:
        raise ValueError(f"lost the connection to {LEAKY_URL}")


class RaisesInRead(_Hostile):
    name = "raises-in-read"

    async def read(self, ctx: Context, key: str) -> Read:
        raise LookupError("x" * 100_000 + "\n" * 50)


class BadStrInUpdate(_Hostile):
    name = "bad-str"

    async def update(self, ctx: Context, key: str, version: int) -> None:
        raise BadStr


class ExitsInUpdate(_Hostile):
    name = "exits"

    async def update(self, ctx: Context, key: str, version: int) -> None:
        await ctx.store.set(key, version)
        raise SystemExit(3)


class InterruptsInRead(_Hostile):
    name = "interrupts"

    async def read(self, ctx: Context, key: str) -> Read:
        raise KeyboardInterrupt


class ReturnsAString(_Hostile):
    name = "returns-str"

    async def read(self, ctx: Context, key: str) -> Read:
        return "v1"  # type: ignore[return-value]


class ReturnsStrVersion(_Hostile):
    name = "returns-str-version"

    async def read(self, ctx: Context, key: str) -> Read:
        return Read("v1", Source.PRIMARY)  # type: ignore[arg-type]


class ReturnsBadRepr(_Hostile):
    name = "returns-bad-repr"

    async def read(self, ctx: Context, key: str) -> Read:
        return BadStr()  # type: ignore[return-value]


class LoopsInVirtualTime(_Hostile):
    name = "loops-in-time"
    where = frozenset({"sim"})

    async def update(self, ctx: Context, key: str, version: int) -> None:
        while True:
            await ctx.runtime.sleep(0.001)


class LoopsInTinySteps(_Hostile):
    name = "loops-tiny"
    where = frozenset({"sim"})

    async def update(self, ctx: Context, key: str, version: int) -> None:
        while True:
            await ctx.runtime.sleep(1e-9)


class SleepsForever(_Hostile):
    name = "sleeps-forever"
    where = frozenset({"sim"})

    async def update(self, ctx: Context, key: str, version: int) -> None:
        await ctx.runtime.sleep(math.inf)


class SleepsAges(_Hostile):
    name = "sleeps-ages"
    where = frozenset({"sim"})

    async def update(self, ctx: Context, key: str, version: int) -> None:
        await ctx.runtime.sleep(1e12)


class NeverReleases(_Hostile):
    """Its own flag as a lock, taken by the update and never released: every read after
    it polls forever."""

    name = "never-releases"
    where = frozenset({"sim"})
    held: ClassVar[set[int]] = set()

    async def update(self, ctx: Context, key: str, version: int) -> None:
        self.held.add(id(ctx))
        await ctx.store.set(key, version)

    async def read(self, ctx: Context, key: str) -> Read:
        while id(ctx) in self.held:
            await ctx.runtime.sleep(0.01)
        return await super().read(ctx, key)


class Spins(_Hostile):
    name = "spins"
    where = frozenset({"sim"})

    async def update(self, ctx: Context, key: str, version: int) -> None:
        while True:
            await ctx.runtime.checkpoint()


class Blocks(_Hostile):
    """Blocks the event loop: harmless in virtual time (just slow), caught on Redis."""

    name = "blocks"
    block_s: ClassVar[float] = 0.3

    async def update(self, ctx: Context, key: str, version: int) -> None:
        time.sleep(self.block_s)  # noqa: ASYNC251 - blocking the loop is the point
        await ctx.store.set(key, version)


class AwaitsAsyncioSleep(_Hostile):
    name = "asyncio-sleep"

    async def update(self, ctx: Context, key: str, version: int) -> None:
        await asyncio.sleep(0)
        await ctx.store.set(key, version)


class AwaitsFuture(_Hostile):
    name = "asyncio-future"
    where = frozenset({"sim"})

    async def update(self, ctx: Context, key: str, version: int) -> None:
        loop = asyncio.new_event_loop()
        try:
            await loop.create_future()
        finally:
            loop.close()


class CatchesEverything(_Hostile):
    """Swallows the simulator's complaint and awaits asyncio again, forever."""

    name = "catches-everything"
    where = frozenset({"sim"})

    async def update(self, ctx: Context, key: str, version: int) -> None:
        while True:
            try:
                await asyncio.sleep(0)
            except BaseException:  # swallowing everything is the point
                continue


class _RaisingMeta(type(Strategy)):  # type: ignore[misc]
    def __getattr__(cls, name: str) -> NoReturn:
        raise RuntimeError(f"metaclass refuses {name!r}")


class MetaGetattr(Strategy, metaclass=_RaisingMeta):
    """No ``name``: looking it up goes to the metaclass, which raises."""

    description = "A metaclass that raises on lookup."
    guarantee = "Nothing."

    async def update(self, ctx: Context, key: str, version: int) -> None:
        await ctx.store.set(key, version)


NotAClass = 42


def __getattr__(name: str) -> Any:
    # A module-level __getattr__ that raises something other than AttributeError.
    raise ValueError(f"module __getattr__ refuses {name!r}")


RUNNABLE: tuple[type[_Hostile], ...] = (
    RaisesInInit,
    ExitsInInit,
    RaisesInUpdate,
    RaisesInRead,
    BadStrInUpdate,
    ExitsInUpdate,
    InterruptsInRead,
    ReturnsAString,
    ReturnsStrVersion,
    ReturnsBadRepr,
    LoopsInVirtualTime,
    LoopsInTinySteps,
    SleepsForever,
    SleepsAges,
    NeverReleases,
    Spins,
    Blocks,
    AwaitsAsyncioSleep,
    AwaitsFuture,
    CatchesEverything,
)

# Specs that must fail to load (bad input), and a phrase each message contains.
LOAD_ERRORS: dict[str, str] = {
    "tests.hostile_strategies:MetaGetattr": "metaclass refuses",
    "tests.hostile_strategies:NotAClass": "not a strategy",
    "tests.hostile_strategies:Missing": "module __getattr__ refuses",
    "tests.hostile_strategies:BadStr": "not a strategy",
    "tests.hostile_import_raises:Anything": "ZeroDivisionError",
    "tests.hostile_import_exit:Anything": "SystemExit",
    "tests.hostile_import_interrupt:Anything": "KeyboardInterrupt",
    "tests.no_such_module_here:X": "no module named",
    "tests.hostile_strategies:": "module:Class",
}
# Loaded only with a timeout: a plain import blocks for a minute.
SLOW_IMPORT = "tests.hostile_import_sleep:Slow"
