"""The simulator on every core: a batch's runs farmed out to worker processes.

Runs are independent (each has its own derived seed), so a step's run numbers are cut into
chunks, each chunk is simulated in a worker process with verdicts only, and the parent adds
the chunks' tallies back in run order. The result is the one a single process gives for the
same seed - the same failing run numbers, the same counts - only sooner. A run that fails
ends the batch at that run, as in one process: later chunks are dropped.

Workers ignore Ctrl+C: the parent alone decides to stop (between steps, keeping what was
measured), then lets the chunks in flight finish and shuts the pool down.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any

from cache.batch import BatchResult, RunSpec, derive_seed
from cache.errors import RunFailed
from cache.interrupts import watching_sigint
from cache.scenarios.story import StoryScenario
from cache.scheduler.budget import Budget
from cache.targets import AddOutcome, Runner

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

__all__ = ["CHUNK", "ParallelSimulatorTarget", "all_cores", "measure_chunk"]

# Runs per task sent to a worker: long enough that sending it costs nothing next to running
# it (~50 ms), short enough that the last chunk of a step leaves the other cores idle briefly.
CHUNK = 500
# Chunks per worker per step: a step ends with a progress report and a chance to cancel.
CHUNKS_PER_STEP = 8


def all_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def measure_chunk(spec: RunSpec, seed: int, first: int, last: int) -> tuple[BatchResult, str]:
    """Runs ``first``..``last`` of a batch, verdicts only: their tally, and why the run
    after them failed (empty if none did)."""
    part = BatchResult.empty(spec, last - first + 1, seed)
    add = part.add
    run = spec.run_verdict
    budget = Budget.for_scenario(spec.scenario)
    latency = spec.knobs.latency()
    with watching_sigint():  # once for the chunk, not per run
        for number in range(first, last + 1):
            try:
                outcome = run(derive_seed(seed, number), budget, latency)
            except RunFailed as error:  # sent as text: not every error type can be pickled
                return part, str(error)
            add(number, outcome)
    return part, ""


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class _ParallelRunner:
    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self._pool: ProcessPoolExecutor | None = None

    def _workers(self) -> ProcessPoolExecutor:
        if self._pool is None:
            import multiprocessing  # here, not at import: a small batch never needs it
            from concurrent.futures import ProcessPoolExecutor

            # Forking is fastest (the workers inherit what is imported) but is only safe
            # while this process runs a single thread.
            method = "fork" if _can_fork() else "spawn"
            self._pool = ProcessPoolExecutor(
                self.jobs,
                mp_context=multiprocessing.get_context(method),
                initializer=_ignore_interrupts,
            )
        return self._pool

    async def run(self, spec: RunSpec, seed: int, numbers: range, add: AddOutcome) -> None:
        if len(numbers) <= CHUNK:  # not worth a process: run here
            part, error = measure_chunk(spec, seed, numbers.start, numbers.stop - 1)
            add(numbers.start, part)
            if error:
                raise RunFailed(error)
            return
        import asyncio

        pool = self._workers()
        starts = range(numbers.start, numbers.stop, CHUNK)
        sent: list[Future[tuple[BatchResult, str]]] = [
            pool.submit(measure_chunk, spec, seed, first, min(first + CHUNK, numbers.stop) - 1)
            for first in starts
        ]
        try:
            for first, future in zip(starts, sent, strict=True):
                part, error = await asyncio.wrap_future(future)
                add(first, part)
                if error:
                    raise RunFailed(error)
        finally:
            for future in sent:
                future.cancel()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


class ParallelSimulatorTarget:
    """The simulated store on ``jobs`` worker processes: the same results as ``SIMULATOR``,
    every run replayable from its seed in one process."""

    kind = "sim"
    replayable = True

    def __init__(self, jobs: int | None = None) -> None:
        self.jobs = jobs if jobs is not None else all_cores()
        if self.jobs < 1:
            raise ValueError(f"jobs must be 1 or more, not {self.jobs}")
        self.step = CHUNK * CHUNKS_PER_STEP * self.jobs

    def describe(self) -> str:
        return f"simulator on {self.jobs} processes"

    def story(self, **sizes: Any) -> StoryScenario:
        return StoryScenario(**sizes)

    @asynccontextmanager
    async def _open(self) -> AsyncIterator[Runner]:
        runner = _ParallelRunner(self.jobs)
        try:
            yield runner
        finally:
            runner.close()

    def open(self) -> AbstractAsyncContextManager[Runner]:
        return self._open()

    def __repr__(self) -> str:
        return f"<ParallelSimulatorTarget jobs={self.jobs}>"
