"""N seeded runs of a scenario: the story's ``for i in {1..100}`` loop, with statistics.

Run *i* (counted from 1, like the story's ``Failed: 3``) gets a seed derived from the base
seed and *i*, so any single run can be replayed on its own and two batches with the same base
seed are identical.

There is one batch driver, ``drive``: async, cancellable, reporting progress, over a
``Target`` (the simulator, or a Redis server: ``cache.targets``). ``run_batch`` is its thin
synchronous wrapper for scripts and the command line. However a batch ends (finished,
cancelled, Ctrl+C, a run that failed), its ``BatchResult`` keeps every run measured before
that moment, failing run numbers included.
"""

from __future__ import annotations

import time
import types
from collections import Counter
from collections.abc import Callable, Coroutine, Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cache.errors import RunFailed
from cache.interrupts import watching_sigint
from cache.latency import Latency
from cache.limits import MAX_RUNS
from cache.oracle import Anomaly
from cache.scenarios.base import Scenario
from cache.scenarios.changes import format_changes
from cache.scheduler.budget import Budget
from cache.simulation import Knobs, RunOutcome, Simulation
from cache.stats import Rate, wilson
from cache.strategies.base import Strategy

if TYPE_CHECKING:
    from cache.targets import Target

__all__ = ["MAX_RUNS", "BatchResult", "Progress", "RunSpec", "derive_seed", "drive", "run_batch"]

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

    def __post_init__(self) -> None:
        from cache.scenarios.registry import check_fits  # the registry imports every race

        check_fits(self.scenario, self.strategy)

    def simulate(self, seed: int, **options: object) -> Simulation:
        return Simulation(self.scenario, self.strategy, seed, self.knobs, **options)  # type: ignore[arg-type]

    def run_verdict(self, seed: int, budget: Budget, latency: Latency) -> RunOutcome:
        """One run of a batch, verdict only (``cache.verdict``), with the budget and latency
        model that every run of the batch shares built once by the caller. The caller
        watches for Ctrl+C (``run_batch``) or ignores it (a worker process)."""
        sim = Simulation(
            self.scenario,
            self.strategy,
            seed,
            self.knobs,
            budget=budget,
            latency=latency,
            record=False,
        )
        sim.advance()
        return sim.outcome()


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
    lost_updates: int = 0
    events: int = 0
    interrupted: bool = False
    elapsed: float = 0.0
    # Where the runs ran: "sim" (the simulated store) or "redis" (a live server).
    backend: str = "sim"
    # Why the batch stopped early when it was not the user: one line (the strategy raised,
    # the server went away, a run stalled). Empty when the batch ran to the end or was
    # interrupted by the user.
    stopped_by: str = ""
    # The run that failed to finish when ``stopped_by`` is set (0 otherwise).
    stopped_at: int = 0

    @property
    def failures(self) -> int:
        return len(self.failed_runs)

    @property
    def rate(self) -> Rate:
        """Failed runs over completed runs, with a Wilson 95% interval."""
        return wilson(self.failures, self.completed)

    @property
    def stale_rate(self) -> Rate:
        """Stale reads over all reads: another measure than ``rate`` (failing runs over
        runs), and both are shown where both apply."""
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

    def add(self, run: int, outcome: RunOutcome | BatchResult) -> None:
        """Count run ``run``, or, given a ``BatchResult`` (what a worker process measured),
        the consecutive runs it covers, starting at ``run``."""
        if isinstance(outcome, BatchResult):
            self._merge(outcome)
            return
        self.completed += 1
        if outcome.failed:
            self.failed_runs.append(run)
        self.reads += outcome.reads
        self.stale_reads += outcome.stale
        if outcome.by_kind:  # most runs have none, and Counter.update is not free
            self.by_kind.update(outcome.by_kind)
        self.detected += outcome.detected
        self.repaired += outcome.repaired
        self.abandoned += outcome.abandoned
        self.lost_updates += outcome.lost_updates
        self.events += outcome.events

    def _merge(self, part: BatchResult) -> None:
        self.completed += part.completed
        self.failed_runs.extend(part.failed_runs)
        self.reads += part.reads
        self.stale_reads += part.stale_reads
        self.by_kind.update(part.by_kind)
        self.detected += part.detected
        self.repaired += part.repaired
        self.abandoned += part.abandoned
        self.lost_updates += part.lost_updates
        self.events += part.events

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
            "lost_updates": self.lost_updates,
            "events": self.events,
            "interrupted": self.interrupted,
            "elapsed_s": round(self.elapsed, 6),
            "backend": self.backend,
            "stopped_by": self.stopped_by or None,
        }

    def stop(self, run: int, error: RunFailed) -> None:
        """Run ``run`` could not finish: the batch ends here, with what came before it."""
        self.interrupted = True
        self.stopped_at = run
        self.stopped_by = str(error)


Progress = Callable[[BatchResult], None]


@types.coroutine
def _yield() -> Generator[None, None, None]:
    """``asyncio.sleep(0)`` without importing asyncio: a bare yield gives the loop a turn."""
    yield


async def drive(
    spec: RunSpec,
    runs: int,
    seed: int,
    target: Target | None = None,
    *,
    progress: Progress | None = None,
    step: int | None = None,
) -> BatchResult:
    """Run ``runs`` runs of ``spec`` on ``target`` (default: the simulator), ``step`` at a
    time, calling ``progress`` with the result before the first step and after every step.

    A run that fails (``RunFailed``: the strategy raised, the server went away) ends the
    batch: the result keeps the runs before it and says why in ``stopped_by``. A target
    that cannot even open (an unreachable server) raises its ``RunFailed``: nothing was
    measured. Cancelling (or Ctrl+C) marks the result ``interrupted``, shows it to
    ``progress`` once more and propagates; either way nothing measured is lost.
    """
    if target is None:
        from cache.targets import SIMULATOR

        target = SIMULATOR
    result = BatchResult.empty(spec, runs, seed, backend=target.kind)
    step = max(1, step if step is not None else target.step)
    if progress is not None:
        progress(result)
    began = time.perf_counter()
    try:
        async with target.open() as runner:
            while result.completed < runs:
                first = result.completed + 1
                numbers = range(first, min(runs, first + step - 1) + 1)
                try:
                    await runner.run(spec, seed, numbers, result.add)
                except RunFailed as error:
                    result.stop(result.completed + 1, error)
                finally:
                    result.elapsed = time.perf_counter() - began
                if progress is not None:
                    progress(result)
                if result.stopped_by:
                    break
                await _yield()  # let a UI draw, and a cancellation in
    except BaseException as stop:
        if isinstance(stop, Exception):  # not an interruption: a target that could not open
            raise
        # Cancelled (CancelledError), Ctrl+C (KeyboardInterrupt), or closed.
        result.interrupted = True
        result.elapsed = time.perf_counter() - began
        if progress is not None:
            progress(result)
        raise
    return result


def run_batch(
    spec: RunSpec,
    runs: int,
    seed: int,
    target: Target | None = None,
    *,
    progress: Progress | None = None,
    step: int | None = None,
) -> BatchResult:
    """``drive`` for a caller without an event loop. Ctrl+C stops the batch between steps
    and returns what was measured, marked ``interrupted``."""
    latest: list[BatchResult] = []

    def keep(result: BatchResult) -> None:
        latest[:] = [result]
        if progress is not None:
            progress(result)

    try:
        from cache.targets import SimulatorTarget

        batch = drive(spec, runs, seed, target, progress=keep, step=step)
        # A Ctrl+C must interrupt where it lands, as the user's own (not be turned into a
        # cancellation by asyncio's handler, nor be taken for a strategy's KeyboardInterrupt).
        with watching_sigint():
            if target is None or isinstance(target, SimulatorTarget):
                return _run_here(batch)
            import asyncio  # a server, or worker processes: they need an event loop

            return asyncio.run(batch)
    except KeyboardInterrupt:
        if not latest:
            raise
        latest[0].interrupted = True
        return latest[0]


def _run_here(batch: Coroutine[None, None, BatchResult]) -> BatchResult:
    """Run ``drive`` on the simulator in this process: it never waits on anything but its
    own turns, so it needs no event loop (and the command line does not import asyncio)."""
    try:
        while True:
            batch.send(None)
    except StopIteration as done:
        result: BatchResult = done.value
        return result
    finally:
        batch.close()
