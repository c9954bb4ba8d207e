"""What a scenario provides: keys, a fixture, and the tasks that exercise the cache."""

from __future__ import annotations

from collections.abc import Mapping
from random import Random
from typing import Protocol

from cache.keys import KeySpace
from cache.runtime import Runtime
from cache.scenarios.changes import Change
from cache.service import CacheService

__all__ = ["Scenario", "Versions"]


class Scenario(Protocol):
    """A workload: which keys exist, what they hold at the start, and who touches them."""

    @property
    def name(self) -> str: ...

    @property
    def changes(self) -> frozenset[Change]:
        """Which of the story's recent changes are applied."""
        ...

    @property
    def keys(self) -> KeySpace: ...

    def fixture(self) -> Mapping[str, int]:
        """Entries present before the first task runs (version per key)."""
        ...

    def start(self, runtime: Runtime, cache: CacheService, rng: Random) -> None:
        """Spawn the scenario's tasks on ``runtime``."""
        ...

    def describe(self) -> str:
        """One line for headers and logs."""
        ...


class Versions:
    """Hands out the next version of each key: unique per key, so a value names its write."""

    __slots__ = ("_next",)

    def __init__(self, start: Mapping[str, int]) -> None:
        self._next = {key: version + 1 for key, version in start.items()}

    def next(self, key: str) -> int:
        version = self._next.get(key, 1)
        self._next[key] = version + 1
        return version
