"""Choice policies: which ready task runs next.

The scheduler asks only when more than one task is ready. A policy returns an index into the
ready list, or ``None`` to hand the choice to its caller (the "you are the scheduler" mode).
PCT is a policy too; the bounded exhaustive search lives in ``cache.explore``.
"""

from __future__ import annotations

from collections.abc import Sequence
from random import Random
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from cache.scheduler.core import SimTask

__all__ = [
    "FifoPolicy",
    "ManualPolicy",
    "PCTPolicy",
    "Policy",
    "RandomPolicy",
    "ReplayPolicy",
    "pct_bound",
]


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


class PCTPolicy:
    """Probabilistic concurrency testing (Burckhardt et al., ASPLOS'10).

    Every task gets a random priority above ``depth``; the highest-priority candidate runs.
    At ``depth - 1`` choice points drawn uniformly from the first ``steps`` the running
    task's priority drops below every initial one (to ``depth - i`` at the i-th change
    point). A bug of depth ``d`` among ``n`` steps and ``k`` tasks is then hit with
    probability at least ``1 / (k * n**(d - 1))`` per schedule.
    """

    def __init__(self, depth: int, steps: int) -> None:
        if depth < 1:
            raise ValueError(f"PCT depth must be at least 1, not {depth}")
        self.depth = depth
        self.steps = max(steps, 1)
        self._priority: dict[int, float] = {}
        self._changes: list[int] | None = None
        self.made = 0

    def _init_changes(self, rng: Random) -> list[int]:
        wanted = min(self.depth - 1, self.steps)
        return sorted(rng.sample(range(1, self.steps + 1), wanted))

    def on_spawn(self, task: SimTask, rng: Random) -> None:
        if self._changes is None:
            self._changes = self._init_changes(rng)
        self._priority[task.id] = self.depth + rng.random()

    def choose(self, ready: Sequence[SimTask], rng: Random, step: int) -> int | None:
        self.made += 1
        priority = self._priority
        best = max(range(len(ready)), key=lambda i: priority.get(ready[i].id, 0.0))
        changes = self._changes or []
        if self.made in changes:
            priority[ready[best].id] = float(self.depth - 1 - changes.index(self.made))
            best = max(range(len(ready)), key=lambda i: priority.get(ready[i].id, 0.0))
        return best

    def __repr__(self) -> str:
        return f"PCTPolicy(depth={self.depth}, steps={self.steps})"



def pct_bound(tasks: int, steps: int, depth: int) -> float:
    """PCT's guarantee: the least probability per schedule of hitting a bug of ``depth``."""
    return 1.0 / (max(tasks, 1) * float(max(steps, 1)) ** (depth - 1))
