"""Runs and batches against a live Redis server: ``Simulation`` and ``Batch`` for the real
world.

A ``RedisRun`` is wired exactly like a ``Simulation`` (runtime, backend, tracing recorder
feeding the oracle, cache service, scenario) with the simulated parts swapped for real ones:
``RealtimeRuntime`` for the scheduler and ``RedisBackend`` for ``SimBackend``. It produces
the same ``RunOutcome``, and a ``RedisBatch`` adds outcomes into the same ``BatchResult``,
so every report, table and view works on either.

The API, smallest first:

* ``run_on_redis(spec, runs, seed, url)`` — synchronous, for scripts and the CLI: check the
  URL, connect, run the batch, clean up, return the ``BatchResult``.
* ``run_redis_batch(spec, runs, seed, server)`` — the same inside a running event loop
  (the TUI's worker), on a ``RedisServer`` the caller connected and will close.
* ``RedisBatch`` — a batch advanced a few runs at a time (progress, cancellation).
* ``RedisRun`` — one run, whose ``history`` and ``oracle`` a live view can read.

Failures: a server that cannot be reached raises ``BackendError`` from
``RedisServer.connect`` before any run. A server lost in the middle of a batch stops it:
the batch's result keeps every completed run and says why in ``stopped_by``
(``RedisBatch.step`` also raises the ``BackendError``; ``run_redis_batch`` and
``run_on_redis`` return the result instead). Nothing is left running either way.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from random import Random

from cache.backends.base import BackendError
from cache.backends.redis_server import RedisServer
from cache.backends.redis_store import RedisBackend
from cache.batch import BatchResult, RunSpec, derive_seed
from cache.realtime import RealtimeRuntime, RunStalled
from cache.redis_url import check_redis_url
from cache.scenarios.base import Scenario
from cache.simulation import Knobs, RunOutcome
from cache.strategies.base import Strategy
from cache.strategies.registry import instantiate
from cache.wiring import preload, wire

__all__ = ["RUN_LIMIT_S", "RedisBatch", "RedisRun", "run_on_redis", "run_redis_batch"]

# A run of the live story takes a few milliseconds; one that takes this long is stuck
# (every command also has its own socket timeout, so a dead server is reported sooner).
RUN_LIMIT_S = 30.0


class RedisRun:
    """One run of ``scenario`` against ``strategy`` on a live server.

    The seed fixes what the scenario draws (when each task starts); the interleaving is
    whatever the event loop and the server make of it. ``Knobs`` apply except the latency
    ones: the latency is the server's. Its keys live under a prefix of their own
    (``backend.prefix``) and are unlinked when the run ends.
    """

    def __init__(
        self,
        scenario: Scenario,
        strategy: type[Strategy] | Strategy,
        seed: int,
        knobs: Knobs | None = None,
        *,
        server: RedisServer,
        history_maxlen: int | None = None,
        keep_stale: int | None = None,
    ) -> None:
        knobs = knobs if knobs is not None else Knobs()
        self.scenario = scenario
        self.seed = seed
        self.knobs = knobs
        self.strategy = instantiate(strategy) if isinstance(strategy, type) else strategy
        self.server = server
        self.runtime = RealtimeRuntime()
        self.backend = RedisBackend(server, gate=self.runtime.gate)
        self.history, self.oracle, self.recorder, self.cache = wire(
            scenario,
            self.strategy,
            knobs,
            self.runtime,
            self.backend,
            history_maxlen=history_maxlen,
            keep_stale=keep_stale,
        )
        self.elapsed = 0.0
        self.finished = False

    async def run(self, limit: float = RUN_LIMIT_S) -> None:
        """Load the fixture, run the scenario to the end, unlink the run's keys.

        Raises what a task raised (``BackendError``, ``StrategyFailed``), or ``RunStalled``
        after ``limit`` seconds; the other tasks are cancelled first."""
        fixture = self.scenario.fixture()
        try:
            await self.backend.load(fixture)
            preload(self.oracle, self.scenario, fixture)
            self.runtime.start()
            self.scenario.start(self.runtime, self.cache, Random(self.seed))
            await self.runtime.wait(limit)
            self.elapsed = self.runtime.now()
        except BaseException:
            self.elapsed = self.runtime.now()
            await self.runtime.cancel()
            # The run's own error says more than a failed cleanup; the server's sweep at
            # the end of the session gets whatever is left.
            with contextlib.suppress(BackendError):
                await self.backend.close()
            raise
        await self.backend.close()
        self.finished = True

    def now(self) -> float:
        return self.runtime.now()

    def outcome(self) -> RunOutcome:
        """What the run measured; ``virtual_seconds`` is the run's real duration here."""
        return RunOutcome.of(self.oracle, self.cache.abandoned, self.elapsed, self.history.total)

    def __repr__(self) -> str:
        return (
            f"<RedisRun {self.strategy.name} seed={self.seed} on {self.server.target.display} "
            f"events={self.history.total} {self.oracle!r}>"
        )


class RedisBatch:
    """A batch on a live server, advanced a few runs at a time.

    ``parallel`` runs may be in flight at once (default 1, one after another, like the
    story's loop). Runs never share keys, so more in flight only adds load: the fixes' zero
    holds under any interleaving, while naive-async's rate shifts with the load. A run
    spends much of its few milliseconds waiting for its scheduled moments, so a few in
    parallel make a thousand-run proof several times faster.
    """

    def __init__(
        self, spec: RunSpec, runs: int, seed: int, server: RedisServer, *, parallel: int = 1
    ) -> None:
        if parallel < 1:
            raise ValueError(f"parallel must be at least 1, not {parallel}")
        self.spec = spec
        self.server = server
        self.parallel = parallel
        self.result = BatchResult.empty(spec, runs, seed, backend="redis")

    @property
    def done(self) -> bool:
        result = self.result
        return result.completed >= result.runs or bool(result.stopped_by)

    def run(self, number: int) -> RedisRun:
        """Run ``number`` of this batch (1-based), not yet started."""
        spec = self.spec
        return RedisRun(
            spec.scenario,
            spec.strategy,
            derive_seed(self.result.seed, number),
            spec.knobs,
            server=self.server,
        )

    async def step(self, count: int = 1) -> BatchResult:
        """Run up to ``count`` more runs. A lost server (``BackendError``) or a stuck run
        (``RunStalled``) stops the batch: the result keeps the runs before the first failed
        one, records why in ``stopped_by``, and the error is raised."""
        result = self.result
        if result.stopped_by:
            return result
        first = result.completed + 1
        numbers = iter(range(first, min(result.runs, result.completed + count) + 1))
        outcomes: dict[int, RunOutcome] = {}
        failures: dict[int, BaseException] = {}

        async def worker() -> None:
            for number in numbers:  # shared by the workers: each run is taken once
                if failures:
                    return
                run = self.run(number)
                try:
                    await run.run()
                except (BackendError, RunStalled) as error:
                    failures[number] = error
                    return
                outcomes[number] = run.outcome()

        began = time.perf_counter()
        workers = [asyncio.ensure_future(worker()) for _ in range(self.parallel)]
        try:
            await asyncio.gather(*workers)
        except BaseException:
            for task in workers:
                task.cancel()
            await asyncio.wait(workers)
            raise
        finally:
            # Count runs in order, up to the first that failed: "completed" means runs
            # 1..n, whatever order the parallel ones finished in.
            number = first
            while number in outcomes:
                result.add(number, outcomes.pop(number))
                number += 1
            result.elapsed += time.perf_counter() - began
        if failures:
            number = min(failures)
            error = failures[number]
            result.interrupted = True
            result.stopped_by = f"run {number}: {error}"
            raise error
        return result


async def _drive(
    batch: RedisBatch, progress: Callable[[BatchResult], None] | None, chunk: int
) -> BatchResult:
    try:
        while not batch.done:
            await batch.step(chunk)
            if progress is not None:
                progress(batch.result)
    except (BackendError, RunStalled):
        pass  # recorded in result.stopped_by
    except asyncio.CancelledError:
        batch.result.interrupted = True
        raise
    return batch.result


async def run_redis_batch(
    spec: RunSpec,
    runs: int,
    seed: int,
    server: RedisServer,
    *,
    progress: Callable[[BatchResult], None] | None = None,
    chunk: int = 50,
    parallel: int = 1,
) -> BatchResult:
    """A whole batch on ``server``, calling ``progress`` every ``chunk`` runs. Stops early,
    with ``stopped_by`` set, if the server is lost or a run stalls; a cancellation marks
    the result ``interrupted`` and propagates."""
    batch = RedisBatch(spec, runs, seed, server, parallel=parallel)
    return await _drive(batch, progress, chunk)


def run_on_redis(
    spec: RunSpec,
    runs: int,
    seed: int,
    url: str,
    *,
    allow_remote: bool = False,
    progress: Callable[[BatchResult], None] | None = None,
    chunk: int = 50,
    parallel: int = 1,
) -> BatchResult:
    """Check ``url``, connect, run a batch, sweep the session's keys, disconnect.

    Raises ``BadRedisUrl``/``RemoteRedisRefused`` (before any connection) and
    ``BackendError`` when the server cannot be reached at all. A server lost later stops
    the batch (``stopped_by``); Ctrl+C returns what was measured, marked ``interrupted``."""
    target = check_redis_url(url, allow_remote=allow_remote)
    started: list[RedisBatch] = []

    async def main() -> BatchResult:
        server = await RedisServer.connect(target)
        try:
            batch = RedisBatch(spec, runs, seed, server, parallel=parallel)
            started.append(batch)
            return await _drive(batch, progress, chunk)
        finally:
            await server.close()

    try:
        return asyncio.run(main())
    except KeyboardInterrupt:
        if not started:
            raise
        started[0].result.interrupted = True
        return started[0].result
