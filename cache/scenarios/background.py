"""The traffic of the two innocent suspects: prewarming and TTL refresh."""

from __future__ import annotations

from cache.events import Op
from cache.keys import KeySpace
from cache.runtime import Runtime
from cache.service import CacheService

__all__ = ["Stop", "prewarm", "ttl_refresh"]

TTL_SECONDS = 300.0


class Stop:
    """A flag a background loop checks after each sleep."""

    __slots__ = ("stopped",)

    def __init__(self) -> None:
        self.stopped = False


async def prewarm(runtime: Runtime, cache: CacheService, keys: KeySpace) -> None:
    """Rebuild every key's related entries at startup (commit 9a2b741)."""
    store = cache.ctx.store
    rec = cache.ctx.recorder
    span = rec.start(Op.PREWARM, f"{keys.count} keys")
    for key in keys.primaries:
        await store.rebuild(key, keys.related(key))
    rec.complete(span)


async def ttl_refresh(
    runtime: Runtime, cache: CacheService, keys: KeySpace, every: float, stop: Stop
) -> None:
    """Every ``every`` seconds, extend the time to live of all entries (commit c4e5d67)."""
    store = cache.ctx.store
    rec = cache.ctx.recorder
    while True:
        await runtime.sleep(every)
        if stop.stopped:
            return
        span = rec.start(Op.REFRESH, f"{keys.count} keys")
        for key in keys.primaries:
            await store.touch((key, *keys.related(key)), TTL_SECONDS)
        rec.complete(span)
