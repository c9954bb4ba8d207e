"""The races beyond the story, as scenarios: writers and readers on a cache-aside cache,
with the background work each race needs (``docs/races.md`` tells each one).

Each run: the fixture, then ``updates`` updates of each key (one writer per key) and
``readers`` readers (each reading
``reads`` times, ``gap_ms`` apart) starting at seeded moments within ``spread_ms``, the
race's own background task, and, when all are done, a final read of every key: what the
cache settled on. A stale fill left behind is caught there even if no reader hit it.

Sizes are in milliseconds and the same on both targets: small enough that a batch on a real
server takes seconds, with ``load_ms`` (the time from reading the source to having a value
to cache) wide enough that the race shows on loopback Redis too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from random import Random
from typing import ClassVar

from cache.backends.base import FillIf
from cache.keys import KeySpace
from cache.runtime import Runtime, TaskHandle
from cache.scenarios.background import Stop
from cache.scenarios.changes import Change
from cache.service import CacheService

__all__ = [
    "PrewarmScenario",
    "RaceScenario",
    "ReplicaLagScenario",
    "StaleSetScenario",
    "TtlRefreshScenario",
]

_ASYNC: frozenset[Change] = frozenset({Change.ASYNC})


@dataclass(frozen=True, slots=True)
class RaceScenario:
    """Cache-aside traffic on ``keys``; subclasses add their race's background task."""

    updates: int = 2
    readers: int = 3
    reads: int = 3
    spread_ms: float = 6.0
    gap_ms: float = 1.0
    load_ms: float = 1.0
    keys: KeySpace = field(default_factory=lambda: KeySpace(1, ("cache",)))

    name: ClassVar[str] = "race"
    race: ClassVar[str] = "aside"
    about: ClassVar[str] = "cache-aside traffic"
    changes: ClassVar[frozenset[Change]] = _ASYNC  # the async client: awaits interleave
    warm: ClassVar[bool] = False  # whether the cached copies start filled

    def __post_init__(self) -> None:
        if self.updates < 1 or self.readers < 1 or self.reads < 1:
            raise ValueError(f"{self.name} needs at least one update and one reader")
        if self.spread_ms <= 0 or self.gap_ms < 0 or self.load_ms < 0:
            raise ValueError("spread_ms must be positive, gap_ms and load_ms not negative")

    def fixture(self) -> Mapping[str, int]:
        entries: dict[str, int] = {}
        for key in self.keys.primaries:
            entries[key] = 0
            for related in self.keys.related(key)[0 if self.warm else 1 :]:
                entries[related] = 0
        return entries

    def describe(self) -> str:
        return (
            f"{self.name}: {self.about}; {self.updates} updates per key and {self.readers} "
            f"readers x "
            f"{self.reads} reads over {self.spread_ms:g}ms, load {self.load_ms:g}ms, "
            "then a final read"
        )

    def start(self, runtime: Runtime, cache: CacheService, rng: Random) -> None:
        runtime.spawn(self._test(runtime, cache, rng), "test")

    async def _test(self, runtime: Runtime, cache: CacheService, rng: Random) -> None:
        stop = Stop()
        background = self.background(runtime, cache, rng, stop)
        spread = self.spread_ms / 1000.0
        keys = self.keys.primaries
        workers: list[TaskHandle] = []
        for i, key in enumerate(keys):
            times = sorted(rng.uniform(0.0, spread) for _ in range(self.updates))
            name = "writer" if len(keys) == 1 else f"writer-{i + 1}"
            workers.append(runtime.spawn(self._write(runtime, cache, key, times), name))
        for i in range(self.readers):
            key = keys[i % len(keys)]
            at = rng.uniform(0.0, spread)
            workers.append(runtime.spawn(self._read(runtime, cache, key, at), f"reader-{i + 1}"))
        for worker in workers:
            await runtime.join(worker)
        stop.stopped = True
        for task in background:
            await runtime.join(task)
        for key in keys:
            await cache.get(key)

    async def _write(
        self, runtime: Runtime, cache: CacheService, key: str, times: list[float]
    ) -> None:
        # One writer per key, one update after another: a database serializes the commits
        # of a row, which is what makes its version numbers grow in commit order (the
        # versioned fixes compare them).
        for version, at in enumerate(times, start=1):
            await runtime.sleep(max(0.0, at - runtime.now()))
            if await cache.update(key, version):
                self.written(runtime, cache, key, version)

    async def _read(self, runtime: Runtime, cache: CacheService, key: str, at: float) -> None:
        await runtime.sleep(at)
        for i in range(self.reads):
            if i:
                await runtime.sleep(self.gap_ms / 1000.0)
            await cache.get(key)

    def background(
        self, runtime: Runtime, cache: CacheService, rng: Random, stop: Stop
    ) -> list[TaskHandle]:
        """The race's own tasks, started with the traffic; they end when ``stop`` is set."""
        return []

    def written(self, runtime: Runtime, cache: CacheService, key: str, version: int) -> None:
        """Called when an update of ``key`` to ``version`` was acknowledged."""


@dataclass(frozen=True, slots=True)
class StaleSetScenario(RaceScenario):
    """A cold cache: readers miss and fill while writers commit and invalidate."""

    name: ClassVar[str] = "stale-set"
    race: ClassVar[str] = "stale-set"
    about: ClassVar[str] = "readers fill a cold cache while writers invalidate it"


@dataclass(frozen=True, slots=True)
class TtlRefreshScenario(RaceScenario):
    """A warm cache and a refresher that renews each entry every ``refresh_every_ms``."""

    refresh_every_ms: float = 1.0

    name: ClassVar[str] = "ttl-refresh"
    race: ClassVar[str] = "ttl-refresh"
    about: ClassVar[str] = "a refresher renews entries while writers invalidate them"
    warm: ClassVar[bool] = True

    def background(
        self, runtime: Runtime, cache: CacheService, rng: Random, stop: Stop
    ) -> list[TaskHandle]:
        return [runtime.spawn(self._refresher(runtime, cache, stop), "ttl-refresh")]

    async def _refresher(self, runtime: Runtime, cache: CacheService, stop: Stop) -> None:
        while not stop.stopped:
            for key in self.keys.primaries:
                await cache.refresh(key)
            await runtime.sleep(self.refresh_every_ms / 1000.0)


@dataclass(frozen=True, slots=True)
class PrewarmScenario(RaceScenario):
    """A cold cache prewarmed at startup while writers write through to it."""

    keys: KeySpace = field(default_factory=lambda: KeySpace(2, ("cache",)))
    load_ms: float = 2.0

    name: ClassVar[str] = "prewarm"
    race: ClassVar[str] = "prewarm"
    about: ClassVar[str] = "a startup prewarm loads every key while writers write through"

    def background(
        self, runtime: Runtime, cache: CacheService, rng: Random, stop: Stop
    ) -> list[TaskHandle]:
        return [runtime.spawn(cache.prewarm(self.keys.primaries), "prewarm")]


@dataclass(frozen=True, slots=True)
class ReplicaLagScenario(RaceScenario):
    """A warm cache over a primary and a replica that applies each write ``lag_ms`` after
    it was acknowledged."""

    lag_ms: float = 3.0
    keys: KeySpace = field(default_factory=lambda: KeySpace(1, ("cache", "replica")))

    name: ClassVar[str] = "replica-lag"
    race: ClassVar[str] = "replica-lag"
    about: ClassVar[str] = "misses may read a replica that lags the primary"

    def fixture(self) -> Mapping[str, int]:
        entries: dict[str, int] = {}
        for key in self.keys.primaries:
            entries[key] = 0
            entries[self.keys.related(key)[1]] = 0  # the replica is in sync; the cache cold
        return entries

    def written(self, runtime: Runtime, cache: CacheService, key: str, version: int) -> None:
        runtime.spawn(self._replicate(runtime, cache, key, version), "replication")

    async def _replicate(
        self, runtime: Runtime, cache: CacheService, key: str, version: int
    ) -> None:
        await runtime.sleep(self.lag_ms / 1000.0)
        # Applied in version order, as a replica replays the primary's log.
        await cache.ctx.store.fill(self.keys.related(key)[1], version, FillIf.NEWER)
