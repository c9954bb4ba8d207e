"""Running one schedule: a script of task names, one per step, followed while it applies.

With a skew the scheduler asks its policy at every step, so the order in which tasks ran
*is* the schedule. A script replays it by name; where a name no longer applies (the code
changed), the run *diverges*: it records where and continues with a fallback policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from random import Random
from typing import TYPE_CHECKING

from cache.explore.spec import ExploreSpec
from cache.oracle import StaleRead
from cache.scheduler.policies import Policy
from cache.simulation import Simulation

if TYPE_CHECKING:
    from cache.scheduler.core import SimTask

__all__ = [
    "MAX_STEPS",
    "Divergence",
    "NonPreemptive",
    "Played",
    "ScheduleTooLong",
    "SeededRandom",
    "Steered",
    "play",
]

# A schedule longer than this is abandoned: a background loop a policy keeps choosing.
MAX_STEPS = 5_000


class ScheduleTooLong(Exception):
    """The schedule ran past ``MAX_STEPS`` steps."""


@dataclass(frozen=True, slots=True)
class Divergence:
    """Where a replay stopped matching its script (``step`` counts from 1)."""

    step: int
    expected: str
    found: tuple[str, ...]

    def describe(self) -> str:
        found = ", ".join(self.found) if self.found else "the run already over"
        return f"diverged at step {self.step}: expected {self.expected}, found {found}"

    def to_json(self) -> dict[str, object]:
        return {"step": self.step, "expected": self.expected, "found": list(self.found)}


class NonPreemptive:
    """Keep running the task that ran last while it can, else the first candidate."""

    def __init__(self) -> None:
        self.last: str | None = None

    def on_spawn(self, task: SimTask, rng: Random) -> None:
        pass

    def choose(self, ready: Sequence[SimTask], rng: Random, step: int) -> int | None:
        for i, task in enumerate(ready):
            if task.name == self.last:
                return i
        return 0


class SeededRandom:
    """Uniform among the candidates from a stream of its own (not the run's), so that many
    continuations of one prefix differ while the simulated timings stay the run's."""

    def __init__(self, seed: int) -> None:
        self._rng = Random(seed)

    def on_spawn(self, task: SimTask, rng: Random) -> None:
        pass

    def choose(self, ready: Sequence[SimTask], rng: Random, step: int) -> int | None:
        return int(self._rng.random() * len(ready))


class Steered:
    """Follows ``script`` (task names) step by step, then ``then``; records what ran.

    ``complete``: the script is a whole run, so a run that wants more steps diverges too.
    """

    def __init__(
        self,
        script: Sequence[str],
        then: Policy,
        *,
        complete: bool = False,
        lenient: bool = False,
    ) -> None:
        self._script = list(script)
        # Lenient (for the shrinker): skip script entries that cannot run, never diverge.
        self._lenient = lenient
        self._at = 0
        self._then = then
        self._complete = complete
        self.steps: list[str] = []
        self.options: list[tuple[str, ...]] = []
        self.preemptions = 0
        self.divergence: Divergence | None = None

    def on_spawn(self, task: SimTask, rng: Random) -> None:
        self._then.on_spawn(task, rng)

    def choose(self, ready: Sequence[SimTask], rng: Random, step: int) -> int | None:
        position = len(self.steps)
        if position >= MAX_STEPS:
            raise ScheduleTooLong(f"more than {MAX_STEPS} steps")
        names = [t.name for t in ready]
        index: int | None = None
        if self._lenient:
            while self._at < len(self._script) and self._script[self._at] not in names:
                self._at += 1
            if self._at < len(self._script):
                index = names.index(self._script[self._at])
                self._at += 1
        elif self.divergence is None:
            if position < len(self._script):
                wanted = self._script[position]
                if wanted in names:
                    index = names.index(wanted)
                else:
                    self.divergence = Divergence(position + 1, wanted, tuple(names))
            elif self._complete:
                self.divergence = Divergence(position + 1, "the run to end", tuple(names))
        if index is None:
            picked = self._then.choose(ready, rng, step)
            index = 0 if picked is None else picked
        chosen = names[index]
        if self.steps and self.steps[-1] != chosen and self.steps[-1] in names:
            self.preemptions += 1
        if isinstance(self._then, NonPreemptive):
            self._then.last = chosen
        self.steps.append(chosen)
        self.options.append(tuple(names))
        return index

    def finish(self) -> None:
        """Call when the run is over: a whole script not used up is a divergence too."""
        if self.divergence is None and self._complete and len(self.steps) < len(self._script):
            position = len(self.steps)
            self.divergence = Divergence(position + 1, self._script[position], ())


@dataclass(slots=True)
class Played:
    """One schedule, run: the simulation, what ran, and what the oracle said."""

    sim: Simulation
    steered: Steered
    abandoned: bool

    @property
    def stale(self) -> list[StaleRead]:
        return list(self.sim.oracle.stale_reads)

    @property
    def failed(self) -> bool:
        return self.sim.oracle.stale > 0

    @property
    def steps(self) -> list[str]:
        return self.steered.steps


def play(
    spec: ExploreSpec,
    seed: int,
    then: Policy,
    script: Sequence[str] = (),
    *,
    complete: bool = False,
    lenient: bool = False,
) -> Played:
    """Run ``spec`` with seed ``seed``, following ``script`` and then ``then``."""
    steered = Steered(script, then, complete=complete, lenient=lenient)
    sim = spec.simulate(seed, steered)
    abandoned = False
    try:
        sim.run()
    except ScheduleTooLong:
        abandoned = True
        sim.close()
    steered.finish()
    return Played(sim, steered, abandoned)
