"""N seeded runs of a scenario: the story's ``for i in {1..100}`` loop, with statistics.

Run *i* (counted from 1, like the story's ``Failed: 3``) gets a seed derived from the base
seed and *i*, so any single run can be replayed on its own and two batches with the same base
seed are identical.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from cache.oracle import Anomaly
from cache.scenarios.base import Scenario
from cache.scenarios.changes import format_changes
from cache.simulation import Knobs, RunOutcome, Simulation
from cache.stats import Rate, wilson
from cache.strategies.base import Strategy

__all__ = ["MAX_RUNS", "Batch", "BatchResult", "RunSpec", "derive_seed", "run_batch"]

MAX_RUNS = 10_000_000
_MASK = (1 << 64) - 1


def derive_seed(base: int, run: int) -> int:
    """The seed of run ``run`` (1-based) of a batch with seed ``base``: a splitmix64 mix, so
    neighbouring runs get unrelated streams."""
    z = (base * 0x9E3779B97F4A7C15 + run * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


@dataclass(frozen=True, slots=True)
class RunSpec:
    """What to run: a scenario, a strategy, and the knobs."""

    scenario: Scenario
    strategy: type[Strategy]
    knobs: Knobs = field(default_factory=Knobs)

    def simulate(self, seed: int, **options: object) -> Simulation:
        return Simulation(self.scenario, self.strategy, seed, self.knobs, **options)  # type: ignore[arg-type]


@dataclass(slots=True)
class BatchResult:
    """What a batch measured so far; complete unless ``interrupted`` (by the user, or by an
    error when ``stopped_by`` says which)."""

    strategy: str
    scenario: str
    changes: str
    seed: int
    widen_ms: float
    runs: int  # requested
    completed: int = 0
    failed_runs: list[int] = field(default_factory=list)
    reads: int = 0
    stale_reads: int = 0
    by_kind: Counter[Anomaly] = field(default_factory=Counter)
    detected: int = 0
    repaired: int = 0
    abandoned: int = 0
    events: int = 0
    interrupted: bool = False
    elapsed: float = 0.0
    # Where the runs ran: "sim" (the simulated store) or "redis" (a live server).
    backend: str = "sim"
    # Why the batch stopped early when it was not a Ctrl+C: one line (the server went away,
    # a run stalled). Empty when the batch ran to the end or was interrupted by the user.
    stopped_by: str = ""

    @property
    def failures(self) -> int:
        return len(self.failed_runs)

    @property
    def rate(self) -> Rate:
        """Failed runs over completed runs, with a Wilson 95% interval."""
        return wilson(self.failures, self.completed)

    @property
    def stale_rate(self) -> Rate:
        """Stale reads over all reads."""
        return wilson(self.stale_reads, self.reads)

    @classmethod
    def empty(cls, spec: RunSpec, runs: int, seed: int, backend: str = "sim") -> BatchResult:
        """Nothing measured yet, for a batch of ``runs`` runs of ``spec``."""
        if not 1 <= runs <= MAX_RUNS:
            raise ValueError(f"runs must be between 1 and {MAX_RUNS:,}, not {runs}")
        return cls(
            strategy=spec.strategy.name,
            scenario=spec.scenario.name,
            changes=format_changes(spec.scenario.changes),
            seed=seed,
            widen_ms=spec.knobs.widen_ms,
            runs=runs,
            backend=backend,
        )

    def add(self, run: int, outcome: RunOutcome) -> None:
        self.completed += 1
        if outcome.failed:
            self.failed_runs.append(run)
        self.reads += outcome.reads
        self.stale_reads += outcome.stale
        self.by_kind.update(outcome.by_kind)
        self.detected += outcome.detected
        self.repaired += outcome.repaired
        self.abandoned += outcome.abandoned
        self.events += outcome.events

    def to_json(self) -> dict[str, object]:
        rate = self.rate
        return {
            "strategy": self.strategy,
            "scenario": self.scenario,
            "changes": self.changes,
            "runs": self.runs,
            "completed": self.completed,
            "seed": self.seed,
            "widen_ms": self.widen_ms,
            "failures": self.failures,
            "failed_runs": list(self.failed_runs),
            "failure_rate": rate.value,
            "ci95": [rate.low, rate.high],
            "reads": self.reads,
            "stale_reads": self.stale_reads,
            "stale_by_kind": {k.value: n for k, n in sorted(self.by_kind.items())},
            "inconsistencies_detected": self.detected,
            "inconsistencies_repaired": self.repaired,
            "updates_abandoned": self.abandoned,
            "events": self.events,
            "interrupted": self.interrupted,
            "elapsed_s": round(self.elapsed, 6),
            "backend": self.backend,
            "stopped_by": self.stopped_by or None,
        }


class Batch:
    """A batch that can be advanced a few runs at a time (a UI worker reports progress and
    checks for cancellation between steps)."""

    def __init__(self, spec: RunSpec, runs: int, seed: int) -> None:
        self.spec = spec
        self.result = BatchResult.empty(spec, runs, seed)

    @property
    def done(self) -> bool:
        return self.result.completed >= self.result.runs

    def step(self, count: int = 1) -> BatchResult:
        """Run up to ``count`` more runs."""
        result = self.result
        spec = self.spec
        began = time.perf_counter()
        try:
            for _ in range(min(count, result.runs - result.completed)):
                run = result.completed + 1
                sim = spec.simulate(derive_seed(result.seed, run))
                sim.run()
                result.add(run, sim.outcome())
        finally:
            result.elapsed += time.perf_counter() - began
        return result


def run_batch(
    spec: RunSpec,
    runs: int,
    seed: int,
    *,
    progress: Callable[[BatchResult], None] | None = None,
    chunk: int = 250,
) -> BatchResult:
    """Run a whole batch. Ctrl+C stops it between runs and returns what was measured, marked
    ``interrupted``."""
    batch = Batch(spec, runs, seed)
    try:
        while not batch.done:
            batch.step(chunk)
            if progress is not None:
                progress(batch.result)
    except KeyboardInterrupt:
        batch.result.interrupted = True
    return batch.result
