"""Runs against a live Redis server: ``Simulation`` and ``SimulatorTarget`` for the real
world.

A ``RedisRun`` is wired exactly like a ``Simulation`` (runtime, backend, tracing recorder
feeding the oracle, cache service, scenario) with the simulated parts swapped for real ones:
``RealtimeRuntime`` for the scheduler and ``RedisBackend`` for ``SimBackend``. It produces
the same ``RunOutcome``, and a ``RedisBatch`` adds outcomes into the same ``BatchResult``,
so every report, table and view works on either.

The API:

* ``RedisServerTarget(checked_url)`` — a ``cache.targets.Target``: ``cache.batch.drive`` and
  ``run_batch`` run batches on it exactly as on the simulator, with the story sized for real
  time (``target.story()``).
* ``RedisRun`` — one run, whose ``history`` and ``oracle`` a live view can read.

Failures: a server that cannot be reached raises ``BackendError`` when the target opens,
before any run. A server lost in the middle of a batch stops it: the batch's result keeps
every completed run and says why in ``stopped_by``. Nothing is left running either way.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from random import Random
from typing import Any

from cache.backends.base import BackendError
from cache.backends.redis_server import RedisServer
from cache.backends.redis_store import RedisBackend
from cache.batch import RunSpec, derive_seed
from cache.errors import RunFailed
from cache.realtime import RealtimeRuntime
from cache.redis_url import RedisTarget
from cache.scenarios.base import Scenario
from cache.scenarios.live import live_story
from cache.scenarios.story import StoryScenario
from cache.simulation import Knobs, RunOutcome
from cache.strategies.base import Strategy
from cache.strategies.registry import instantiate
from cache.targets import AddOutcome, Runner
from cache.wiring import preload, wire

__all__ = ["RUN_LIMIT_S", "RedisRun", "RedisServerTarget"]

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


class _RedisRunner:
    """Runs on one connected server, up to ``parallel`` in flight at once."""

    def __init__(self, server: RedisServer, parallel: int) -> None:
        self.server = server
        self.parallel = parallel

    async def run(self, spec: RunSpec, seed: int, numbers: range, add: AddOutcome) -> None:
        pending = iter(numbers)
        outcomes: dict[int, RunOutcome] = {}
        failures: dict[int, RunFailed] = {}

        async def worker() -> None:
            for number in pending:  # shared by the workers: each run is taken once
                if failures:
                    return
                run = RedisRun(
                    spec.scenario,
                    spec.strategy,
                    derive_seed(seed, number),
                    spec.knobs,
                    server=self.server,
                )
                try:
                    await run.run()
                except RunFailed as error:
                    failures[number] = error
                    return
                outcomes[number] = run.outcome()

        workers = [asyncio.ensure_future(worker()) for _ in range(self.parallel)]
        try:
            await asyncio.gather(*workers)
        except BaseException:
            for task in workers:
                task.cancel()
            await asyncio.wait(workers)
            raise
        finally:
            # Add runs in order, up to the first that failed: "completed" means runs
            # 1..n, whatever order the parallel ones finished in.
            number = numbers.start
            while number in outcomes:
                add(number, outcomes.pop(number))
                number += 1
        if failures:
            raise failures[min(failures)]


class RedisServerTarget:
    """A live Redis server (checked URL) as a batch target.

    ``parallel`` runs may be in flight at once (default 1, one after another, like the
    story's loop). Runs never share keys, so more in flight only adds load: the fixes' zero
    holds under any interleaving, while naive-async's rate shifts with the load.
    """

    kind = "redis"
    step = 50  # a run takes milliseconds, not microseconds
    replayable = False  # the event loop and the network choose the interleaving

    def __init__(
        self, url: RedisTarget, *, parallel: int = 1, max_connections: int | None = None
    ) -> None:
        if parallel < 1:
            raise ValueError(f"parallel must be at least 1, not {parallel}")
        self.url = url
        self.parallel = parallel
        self.max_connections = max_connections

    async def _connect(self) -> RedisServer:
        if self.max_connections is None:
            return await RedisServer.connect(self.url)
        return await RedisServer.connect(self.url, max_connections=self.max_connections)

    def describe(self) -> str:
        return f"Redis at {self.url.display}"

    def story(self, **sizes: Any) -> StoryScenario:
        return live_story(**sizes)

    async def probe(self) -> None:
        """Connect and ping (``BackendError`` if the server cannot be reached)."""
        server = await self._connect()
        await server.close()

    async def run_once(self, spec: RunSpec, seed: int) -> RedisRun:
        """One run with ``seed``, whose history and oracle stay readable afterwards."""
        server = await self._connect()
        try:
            run = RedisRun(spec.scenario, spec.strategy, seed, spec.knobs, server=server)
            await run.run()
            return run
        finally:
            await server.close()

    @asynccontextmanager
    async def _open(self) -> AsyncIterator[Runner]:
        server = await self._connect()
        try:
            yield _RedisRunner(server, self.parallel)
        finally:
            await server.close()

    def open(self) -> AbstractAsyncContextManager[Runner]:
        return self._open()

    def __repr__(self) -> str:
        return f"<RedisServerTarget {self.url.display} parallel={self.parallel}>"
