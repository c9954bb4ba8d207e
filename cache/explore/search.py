"""The three ways to pick schedules: seeded random, PCT, and bounded exhaustive search.

Each yields played schedules one at a time, so the caller can report progress, stop at
the first failure, and honour a cancel between schedules.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cache.batch import derive_seed
from cache.explore.schedule import NonPreemptive, Played, play
from cache.explore.spec import ExploreSpec
from cache.scheduler.policies import PCTPolicy, RandomPolicy, pct_bound

__all__ = ["Exhaustive", "Pct", "RandomSearch", "Search"]


@dataclass(slots=True)
class Tried:
    """One schedule: its seed, the policy's settings (for its token), and its run."""

    seed: int
    policy: dict[str, Any]
    played: Played


class Search:
    """A source of schedules. ``facts`` says what the policy guarantees, for the report."""

    name = ""

    def schedules(self) -> Iterator[Tried]:
        raise NotImplementedError

    def facts(self) -> dict[str, Any]:
        return {}


@dataclass(slots=True)
class RandomSearch(Search):
    """Schedule *i* is the seeded run *i* of base seed ``seed``, chosen uniformly."""

    spec: ExploreSpec
    seed: int
    name: str = "random"

    def schedules(self) -> Iterator[Tried]:
        run = 0
        while True:
            run += 1
            seed = derive_seed(self.seed, run)
            yield Tried(seed, {"name": "random"}, play(self.spec, seed, RandomPolicy()))


@dataclass(slots=True)
class Pct(Search):
    """PCT with ``depth``; the step count it draws change points from is the longest run
    seen so far (PCT's *n*), starting from a guess."""

    spec: ExploreSpec
    seed: int
    depth: int = 3
    steps: int = 32
    tasks: int = 0
    name: str = "pct"

    def schedules(self) -> Iterator[Tried]:
        run = 0
        while True:
            run += 1
            seed = derive_seed(self.seed, run)
            policy = {"name": "pct", "depth": self.depth, "steps": self.steps}
            played = play(self.spec, seed, PCTPolicy(self.depth, self.steps))
            self.steps = max(self.steps, len(played.steps))
            self.tasks = max(self.tasks, len(played.sim.scheduler.tasks))
            yield Tried(seed, policy, played)

    def facts(self) -> dict[str, Any]:
        return {
            "depth": self.depth,
            "steps": self.steps,
            "tasks": self.tasks,
            "probability_bound": pct_bound(self.tasks, self.steps, self.depth),
        }


@dataclass(slots=True)
class Exhaustive(Search):
    """Depth-first over every schedule of one seed with at most ``bound`` preemptions
    (a preemption: switching away from the task that ran last while it could still run).
    ``covered`` counts the schedules run; ``complete`` says whether that is all of them."""

    spec: ExploreSpec
    seed: int
    bound: int = 2
    covered: int = 0
    complete: bool = False
    name: str = "exhaustive"

    def schedules(self) -> Iterator[Tried]:
        seed = derive_seed(self.seed, 1)
        prefix: list[str] | None = []
        while prefix is not None:
            played = play(self.spec, seed, NonPreemptive(), prefix)
            self.covered += 1
            yield Tried(seed, {"name": "exhaustive"}, played)
            prefix = self._next(played)
        self.complete = True

    def _next(self, played: Played) -> list[str] | None:
        """The next prefix in depth-first order, or None when the bound is exhausted."""
        steps = played.steps
        options = played.steered.options
        used = [0]
        for i, chosen in enumerate(steps):
            used.append(used[-1] + _cost(steps, options, i, chosen))
        for position in range(len(steps) - 1, -1, -1):
            order = _order(steps, options, position)
            for alternative in order[order.index(steps[position]) + 1:]:
                if used[position] + _cost(steps, options, position, alternative) <= self.bound:
                    return [*steps[:position], alternative]
        return None

    def facts(self) -> dict[str, Any]:
        return {"preemption_bound": self.bound, "covered": self.covered,
                "complete": self.complete}


def _cost(steps: list[str], options: list[tuple[str, ...]], i: int, chosen: str) -> int:
    previous = steps[i - 1] if i > 0 else None
    return int(previous is not None and previous in options[i] and chosen != previous)


def _order(steps: list[str], options: list[tuple[str, ...]], i: int) -> list[str]:
    """The options at step ``i`` in the order the search tries them: no switch first."""
    previous = steps[i - 1] if i > 0 else None
    names = list(options[i])
    if previous in names:
        names.remove(previous)
        names.insert(0, previous)
    return names
