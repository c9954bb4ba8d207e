"""What an update strategy is, and what it may use.

A strategy is the body of the story's ``updateCache`` (and, where a fix needs it, of
``getCache``): a small class with a name, a one-line description and the guarantee it claims.
It talks to the store only through ``Context.store`` and to time only through
``Context.runtime``, so the same class runs in the simulator and against Redis, and a user's
own strategy is traced and judged exactly like the built-in ones.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar, NamedTuple

from cache.backends.base import Backend, Snapshot
from cache.events import Op, Source
from cache.history import Recorder
from cache.keys import KeySpace
from cache.runtime import Runtime

__all__ = [
    "REFRESH_TTL_SECONDS",
    "Context",
    "Read",
    "Strategy",
    "UpdateAbandoned",
    "invalidate_related",
    "resolve",
]

REFRESH_TTL_SECONDS = 300.0


class UpdateAbandoned(Exception):
    """An update gave up on purpose (an optimistic one that lost too many races). It is an
    outcome to count, not a crash."""


class Read(NamedTuple):
    """What a read returns: a version (``None`` if absent) and where it came from."""

    version: int | None
    source: Source


def resolve(snapshot: Snapshot) -> Read:
    """The application's read rule: a related entry, where present, overrides the primary.

    This is the rule that turns a race into a stale read: the related entries are derived
    views, preferred because they are ready to serve, so an old one hides a new primary.
    """
    for version in snapshot.related:
        if version is not None:
            return Read(version, Source.RELATED)
    if snapshot.primary is None:
        return Read(None, Source.NONE)
    return Read(snapshot.primary, Source.PRIMARY)


async def invalidate_related(ctx: Context, key: str) -> None:
    """The story's ``invalidateRelated``: delete each related entry, one round trip each.

    Until the last one is gone, a read can still be served an old derived entry.
    """
    for related in ctx.related(key):
        await ctx.store.delete((related,))


@dataclass(slots=True)
class Context:
    """Everything a strategy can reach during one run."""

    store: Backend
    runtime: Runtime
    keys: KeySpace
    recorder: Recorder
    widen: float = 0.0  # seconds of extra delay between the steps of an update
    lock_ttl: float = 1.0  # seconds before an abandoned lock expires
    max_retries: int = 8  # optimistic strategies give up after this many conflicts
    # Seconds from reading the source of truth to having a value to cache (the query and
    # the computation); the races' fills and read-modify-writes wait this long.
    load: float = 0.0

    def related(self, key: str) -> tuple[str, ...]:
        """The related (derived) entries of ``key``."""
        return self.keys.related(key)

    async def between_steps(self, key: str) -> None:
        """The widen-the-window knob: sleep ``widen`` between two steps of an update."""
        if self.widen > 0.0:
            span = self.recorder.start(Op.DELAY, key, note=f"{self.widen * 1000:g}ms")
            await self.runtime.sleep(self.widen)
            self.recorder.complete(span)

    async def compute(self, key: str) -> None:
        """The work between reading a value and writing what it became: ``load``, plus the
        widen-the-window knob. A scheduling point either way: others may run meanwhile."""
        if self.load > 0.0:
            await self.runtime.sleep(self.load)
        else:
            await self.runtime.checkpoint()
        await self.between_steps(key)

    def detected(self, key: str, note: str) -> int:
        """Record that a read found ``key``'s entries inconsistent; returns a handle for
        ``repaired``."""
        return self.recorder.start(Op.INCONSISTENT, key, note=note)

    def repaired(self, handle: int, version: int | None) -> None:
        """Record that the inconsistency ``handle`` was repaired."""
        self.recorder.complete(handle, version=version, note="repaired")

    def note(self, key: str, note: str) -> None:
        """Record an instant on the timeline (a retry, a give-up)."""
        self.recorder.note(Op.DELAY, key, note)


class Strategy(ABC):
    """An update strategy. Subclass it, set the three class attributes, write ``update``.

    ``read`` has a default that suits strategies which fix the update path alone.
    """

    name: ClassVar[str]
    description: ClassVar[str]
    guarantee: ClassVar[str]
    #: Which race (scenario family) the strategy is written for: a scenario only runs the
    #: strategies of its race (``cache.scenarios.registry``).
    race: ClassVar[str] = "story"
    #: Whether reads wait while a key is locked. Only the lock strategy needs it.
    readers_respect_lock: ClassVar[bool] = False

    @abstractmethod
    async def update(self, ctx: Context, key: str, version: int) -> None:
        """Store ``version`` as ``key``'s new value and deal with its related entries."""

    async def read(self, ctx: Context, key: str) -> Read:
        """Read ``key`` the way the application does; on a miss of every related entry,
        rebuild them from the primary (a read-through fill, atomic on the server)."""
        related = ctx.related(key)
        snapshot = await ctx.store.read(key, related, respect_lock=self.readers_respect_lock)
        result = resolve(snapshot)
        if result.source is Source.PRIMARY and related:
            await ctx.store.rebuild(key, related)
        return result

    async def refresh(self, ctx: Context, key: str) -> None:
        """Extend the life of ``key``'s entries: ``PEXPIRE``, which rewrites nothing."""
        await ctx.store.touch((key, *ctx.related(key)), REFRESH_TTL_SECONDS)

    async def prewarm(self, ctx: Context, keys: tuple[str, ...]) -> None:
        """Fill the cache before traffic arrives: each key's entries derived on the server."""
        for key in keys:
            await ctx.store.rebuild(key, ctx.related(key))

    async def increment(self, ctx: Context, key: str) -> int:
        """Add one to the counter ``key``; returns the value it wrote."""
        return await ctx.store.incr(key)

    @classmethod
    def source(cls) -> str:
        """The strategy's own code, for showing beside another's."""
        import inspect  # only for showing code: the command line starts without it

        try:
            return inspect.getsource(cls)
        except (OSError, TypeError):
            return f"# the source of {cls.__qualname__} is not available"

    @classmethod
    def update_source(cls) -> str:
        """Just the code that differs between strategies: ``update``, and ``read`` where the
        strategy overrides it."""
        import inspect
        import textwrap

        parts = []
        for name in ("update", "read", "refresh", "prewarm", "increment"):
            method = cls.__dict__.get(name)
            if method is None:
                continue
            try:
                parts.append(textwrap.dedent(inspect.getsource(method)))
            except (OSError, TypeError):
                parts.append(f"# the source of {cls.__qualname__}.{name} is not available\n")
        return "\n".join(parts) if parts else cls.source()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"
