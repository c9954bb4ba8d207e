"""Choice policies: which ready task runs next.

The scheduler asks only when more than one task is ready. A policy returns an index into the
ready list, or ``None`` to hand the choice to its caller (the "you are the scheduler" mode).
Later search strategies (PCT, bounded exhaustive) are policies too.
"""

from __future__ import annotations

from collections.abc import Sequence
from random import Random
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from cache.scheduler.core import SimTask

__all__ = ["FifoPolicy", "ManualPolicy", "Policy", "RandomPolicy", "ReplayPolicy"]


class Policy(Protocol):
    """Picks the next task among several ready ones."""

    def on_spawn(self, task: SimTask, rng: Random) -> None:
        """A task was created (policies that rank tasks assign ranks here)."""
        ...

    def choose(self, ready: Sequence[SimTask], rng: Random, step: int) -> int | None:
        """Index into ``ready`` of the task to run, or ``None`` to defer to the caller."""
        ...


class RandomPolicy:
    """Uniformly random among the ready tasks, from the scheduler's seeded stream."""

    def on_spawn(self, task: SimTask, rng: Random) -> None:
        pass

    def choose(self, ready: Sequence[SimTask], rng: Random, step: int) -> int | None:
        return int(rng.random() * len(ready))

    def __repr__(self) -> str:
        return "RandomPolicy()"


class FifoPolicy:
    """First ready, first run: what asyncio's event loop does. Useful as a contrast: under
    it, a race whose steps each yield once interleaves the same way every time."""

    def on_spawn(self, task: SimTask, rng: Random) -> None:
        pass

    def choose(self, ready: Sequence[SimTask], rng: Random, step: int) -> int | None:
        return 0

    def __repr__(self) -> str:
        return "FifoPolicy()"


class ReplayPolicy:
    """Replays a recorded list of choice indices, then falls back to ``then``.

    ``made`` records every choice actually taken, so a search can extend a prefix.
    """

    def __init__(self, choices: Sequence[int], then: Policy | None = None) -> None:
        self._choices = list(choices)
        self._then: Policy = then if then is not None else FifoPolicy()
        self.made: list[int] = []

    def on_spawn(self, task: SimTask, rng: Random) -> None:
        self._then.on_spawn(task, rng)

    def choose(self, ready: Sequence[SimTask], rng: Random, step: int) -> int | None:
        position = len(self.made)
        if position < len(self._choices):
            index = min(self._choices[position], len(ready) - 1)
        else:
            picked = self._then.choose(ready, rng, step)
            if picked is None:
                return None
            index = picked
        self.made.append(index)
        return index

    def __repr__(self) -> str:
        return f"ReplayPolicy({len(self._choices)} choices)"


class ManualPolicy:
    """Defers every choice: the caller inspects ``Scheduler.ready`` and calls ``choose``."""

    def on_spawn(self, task: SimTask, rng: Random) -> None:
        pass

    def choose(self, ready: Sequence[SimTask], rng: Random, step: int) -> int | None:
        return None

    def __repr__(self) -> str:
        return "ManualPolicy()"
