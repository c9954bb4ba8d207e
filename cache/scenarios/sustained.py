"""A sustained workload: writers and readers hammering a few keys, for the live view."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from random import Random

from cache.keys import KeySpace
from cache.runtime import Runtime
from cache.scenarios.background import Stop, prewarm, ttl_refresh
from cache.scenarios.base import Versions
from cache.scenarios.changes import ALL_CHANGES, Change, format_changes
from cache.service import CacheService

__all__ = ["SustainedWorkload"]


@dataclass(frozen=True, slots=True)
class SustainedWorkload:
    """``writers`` tasks update random keys and ``readers`` tasks read them, each pausing a
    random (exponential) think time between calls, for ``duration`` virtual seconds
    (``None``: until stopped). Reads that miss rebuild the related entries, so the race
    keeps recurring instead of happening once."""

    writers: int = 4
    readers: int = 16
    keys: KeySpace = field(default_factory=lambda: KeySpace(8))
    duration: float | None = 10.0
    write_think_ms: float = 20.0
    read_think_ms: float = 4.0
    refresh_every_ms: float = 100.0
    changes: frozenset[Change] = ALL_CHANGES
    name: str = "sustained"

    def __post_init__(self) -> None:
        if self.writers < 0 or self.readers < 0 or self.writers + self.readers == 0:
            raise ValueError("need at least one writer or reader, and no negative counts")
        if self.duration is not None and self.duration <= 0:
            raise ValueError(f"duration must be positive, not {self.duration}")
        if self.write_think_ms < 0 or self.read_think_ms < 0:
            raise ValueError("think times cannot be negative")

    def fixture(self) -> Mapping[str, int]:
        entries: dict[str, int] = {}
        for key in self.keys.primaries:
            entries[key] = 0
            entries.update(dict.fromkeys(self.keys.related(key), 0))
        return entries

    def describe(self) -> str:
        length = "until stopped" if self.duration is None else f"{self.duration:g}s"
        return (
            f"sustained: {self.writers} writers, {self.readers} readers, {self.keys.count} keys, "
            f"{length}; changes: {format_changes(self.changes)}"
        )

    def start(self, runtime: Runtime, cache: CacheService, rng: Random) -> None:
        versions = Versions({key: 0 for key in self.keys.primaries})
        stop = Stop()
        if Change.PREWARM in self.changes:
            runtime.spawn(prewarm(runtime, cache, self.keys), "prewarm")
        if Change.TTL_REFRESH in self.changes:
            every = self.refresh_every_ms / 1000.0
            runtime.spawn(ttl_refresh(runtime, cache, self.keys, every, stop), "ttl-refresh")
        for i in range(self.writers):
            runtime.spawn(self._writer(runtime, cache, rng, versions, stop), f"writer-{i + 1}")
        for i in range(self.readers):
            runtime.spawn(self._reader(runtime, cache, rng), f"reader-{i + 1}")
        if self.duration is not None:
            runtime.spawn(self._stop_after(runtime, stop), "clock")

    def _running(self, runtime: Runtime) -> bool:
        return self.duration is None or runtime.now() < self.duration

    async def _stop_after(self, runtime: Runtime, stop: Stop) -> None:
        assert self.duration is not None
        await runtime.sleep(self.duration)
        stop.stopped = True

    async def _writer(
        self, runtime: Runtime, cache: CacheService, rng: Random, versions: Versions, stop: Stop
    ) -> None:
        keys = self.keys.primaries
        think = self.write_think_ms / 1000.0
        while self._running(runtime):
            await runtime.sleep(rng.expovariate(1.0 / think) if think > 0 else 0.0)
            if not self._running(runtime):
                return
            key = keys[int(rng.random() * len(keys))]
            await cache.update(key, versions.next(key))

    async def _reader(self, runtime: Runtime, cache: CacheService, rng: Random) -> None:
        keys = self.keys.primaries
        think = self.read_think_ms / 1000.0
        while self._running(runtime):
            await runtime.sleep(rng.expovariate(1.0 / think) if think > 0 else 0.0)
            if not self._running(runtime):
                return
            await cache.get(keys[int(rng.random() * len(keys))])
