"""The story's test: one update racing a few reads, then a final read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from random import Random

from cache.keys import STORY_KEY, KeySpace
from cache.runtime import Runtime
from cache.scenarios.background import Stop, prewarm, ttl_refresh
from cache.scenarios.changes import ALL_CHANGES, Change, format_changes
from cache.service import CacheService

__all__ = ["StoryScenario"]


@dataclass(frozen=True, slots=True)
class StoryScenario:
    """``user:123`` holds v0 and so do its related entries. One task updates it to v1 at a
    seeded moment; ``readers`` tasks each start at a seeded moment spread over ``spread_ms``
    and read ``reads`` times back to back; when all are done, a final read checks what the
    cache settled on.

    A run *fails* when the oracle finds any stale read in it, as the story's test failed
    when it saw old data. The defaults are calibrated so that ``naive-async`` fails in about
    8% of runs and, with the window widened by 100 ms, in about two thirds of them
    (measured over 10,000 runs: 7.7% and 67%).
    """

    readers: int = 2
    reads: int = 1
    spread_ms: float = 200.0
    update_from_ms: float = 20.0
    update_to_ms: float = 160.0
    refresh_every_ms: float = 50.0
    changes: frozenset[Change] = ALL_CHANGES
    keys: KeySpace = field(default_factory=KeySpace)
    name: str = "story"
    # The test's closing read; the schedule explorer's shrinker drops it when a stale read
    # does not need it.
    final_read: bool = True

    def __post_init__(self) -> None:
        if self.readers < 1 or self.reads < 1:
            raise ValueError("the story needs at least one reader reading at least once")
        if not 0.0 <= self.update_from_ms <= self.update_to_ms:
            raise ValueError("update_from_ms must be between 0 and update_to_ms")
        if self.spread_ms <= 0 or self.refresh_every_ms <= 0:
            raise ValueError("spread_ms and refresh_every_ms must be positive")

    def fixture(self) -> Mapping[str, int]:
        entries = {STORY_KEY: 0}
        entries.update(dict.fromkeys(self.keys.related(STORY_KEY), 0))
        return entries

    def describe(self) -> str:
        reads = (
            f"{self.readers} readers x {self.reads} reads"
            if self.reads > 1
            else f"{self.readers} reads"
        )
        return (
            f"{self.name}: 1 update of {STORY_KEY} racing {reads} over "
            f"{self.spread_ms:g}ms{', then a final read' if self.final_read else ''}; "
            f"changes: {format_changes(self.changes)}"
        )

    def start(self, runtime: Runtime, cache: CacheService, rng: Random) -> None:
        runtime.spawn(self._test(runtime, cache, rng), "test")

    async def _test(self, runtime: Runtime, cache: CacheService, rng: Random) -> None:
        stop = Stop()
        if Change.PREWARM in self.changes:
            runtime.spawn(prewarm(runtime, cache, self.keys), "prewarm")
        refresher = None
        if Change.TTL_REFRESH in self.changes:
            every = self.refresh_every_ms / 1000.0
            refresher = runtime.spawn(
                ttl_refresh(runtime, cache, self.keys, every, stop), "ttl-refresh"
            )
        update_at = rng.uniform(self.update_from_ms, self.update_to_ms) / 1000.0
        workers = [runtime.spawn(self._update(runtime, cache, update_at), "updater")]
        for i in range(self.readers):
            read_at = rng.uniform(0.0, self.spread_ms) / 1000.0
            reader = self._read(runtime, cache, read_at, self.reads)
            workers.append(runtime.spawn(reader, f"reader-{i + 1}"))
        for worker in workers:
            await runtime.join(worker)
        if self.final_read:
            await cache.get(STORY_KEY)
        stop.stopped = True
        if refresher is not None:
            await runtime.join(refresher)

    @staticmethod
    async def _update(runtime: Runtime, cache: CacheService, at: float) -> None:
        await runtime.sleep(at)
        await cache.update(STORY_KEY, 1)

    @staticmethod
    async def _read(runtime: Runtime, cache: CacheService, at: float, reads: int) -> None:
        await runtime.sleep(at)
        for _ in range(reads):
            await cache.get(STORY_KEY)
