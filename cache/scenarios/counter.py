"""A shared counter: tasks incrementing it by read-modify-write (the lost update)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from random import Random
from typing import ClassVar

from cache.keys import KeySpace
from cache.runtime import Runtime
from cache.scenarios.changes import Change
from cache.service import CacheService

__all__ = ["CounterScenario"]


@dataclass(frozen=True, slots=True)
class CounterScenario:
    """``counter`` starts at 0; ``tasks`` tasks each increment it ``increments`` times,
    starting at seeded moments within ``spread_ms`` and pausing ``gap_ms`` between
    increments. With no lost update it ends at ``tasks * increments``."""

    tasks: int = 3
    increments: int = 3
    spread_ms: float = 4.0
    gap_ms: float = 0.5
    load_ms: float = 0.5
    keys: KeySpace = field(default_factory=lambda: KeySpace(1, ()))

    name: ClassVar[str] = "lost-update"
    race: ClassVar[str] = "lost-update"
    changes: ClassVar[frozenset[Change]] = frozenset({Change.ASYNC})

    def __post_init__(self) -> None:
        if self.tasks < 1 or self.increments < 1:
            raise ValueError("the counter needs at least one task incrementing at least once")
        if self.spread_ms <= 0 or self.gap_ms < 0 or self.load_ms < 0:
            raise ValueError("spread_ms must be positive, gap_ms and load_ms not negative")

    @property
    def counter(self) -> str:
        return self.keys.primaries[0]

    def fixture(self) -> Mapping[str, int]:
        return {self.counter: 0}

    def describe(self) -> str:
        return (
            f"{self.name}: {self.tasks} tasks x {self.increments} increments of "
            f"{self.counter} over {self.spread_ms:g}ms, load {self.load_ms:g}ms"
        )

    def start(self, runtime: Runtime, cache: CacheService, rng: Random) -> None:
        for i in range(self.tasks):
            at = rng.uniform(0.0, self.spread_ms / 1000.0)
            runtime.spawn(self._task(runtime, cache, at), f"incr-{i + 1}")

    async def _task(self, runtime: Runtime, cache: CacheService, at: float) -> None:
        await runtime.sleep(at)
        for i in range(self.increments):
            if i:
                await runtime.sleep(self.gap_ms / 1000.0)
            await cache.increment(self.counter)
