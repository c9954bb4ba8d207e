"""Several processes against one server: the parallelism one event loop cannot give.

``RedisWorkersTarget(url, workers=N)`` is a batch target (``cache.targets.Target``) whose
every run is played by N worker processes at once, on the same keys: like N application
servers serving the story's traffic from one Redis. For each run the parent loads the
fixture under a fresh run prefix and tells every worker to start; each worker runs the
scenario's readers, prewarm and TTL refresh with a seed of its own, the first worker its
updates too, and each sends back the events it recorded (``cache.redis_worker``). The
parent merges them into one history (``cache.redis_merge``: one clock for every process,
each process's order kept, ties counted as overlapping) and judges it with one oracle, so a
read in one process is stale when it missed a write another process had already had
acknowledged. Then it unlinks every key the run touched.

Several runs are in flight at once (``in_flight``, default ``IN_FLIGHT``), each under its
own prefix, so no two share a key: the live story spends most of a run asleep (it is sized
in milliseconds of real time), and a process that played one run at a time sat idle most of
the time, so a second process had nothing to add (measured: 2 workers 0.97x one). With
runs overlapping, each worker keeps its core busy and the batch's throughput is the
machine's. Outcomes are still added in run order, and a failed run ends the batch after the
runs before it, as on one server.

Only the first worker writes. Two writes from different processes that overlap could be
applied by the server in one order and acknowledged, as each process observes it, in the
other; the oracle takes the store order from the acknowledgements (``docs/oracle.md``),
so it could name the wrong write as the newer one and call a correct read stale (tried:
``transaction`` showed such false stale reads in a fifth of its runs with a writer in each
of two processes). With one writing process the store order is that process's own, exact
as in a single-process run, and the question the workers ask is the one that matters:
does a read in any process miss a write another process has already had acknowledged?

Workers are started with ``spawn`` (nothing of the parent's event loop or sockets is
inherited) and ignore Ctrl+C: the parent decides when to stop, between runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from multiprocessing.connection import Connection
from typing import Any

from redis.exceptions import RedisError

from cache.backends.base import BackendError
from cache.backends.redis_server import RedisServer
from cache.backends.redis_store import RedisBackend
from cache.batch import BatchResult, RunSpec, derive_seed
from cache.errors import RunFailed
from cache.oracle import Oracle
from cache.redis_merge import merge_packed
from cache.redis_url import RedisTarget
from cache.redis_worker import RUN_LIMIT_S, Played, serve
from cache.scenarios.live import live_story
from cache.scenarios.story import StoryScenario
from cache.simulation import RunOutcome
from cache.targets import AddOutcome, Runner
from cache.wiring import preload

__all__ = ["IN_FLIGHT", "MAX_IN_FLIGHT", "MAX_WORKERS", "RedisWorkersTarget"]

MAX_WORKERS = 64
# Runs in flight at once: enough that a worker's loop always has a run that is not asleep
# (measured on the 2-core machine: with one run at a time a worker was busy about 40% of
# the batch, with 8 from 80% to all of it, as much as the machine's other load left it).
IN_FLIGHT = 8
MAX_IN_FLIGHT = 64
_START_LIMIT_S = 60.0  # a spawned worker imports the engine and redis-py, then connects
_REPLY_LIMIT_S = RUN_LIMIT_S + 5.0
_LOST = "a worker process ended unexpectedly"


async def _receive(conn: Connection, limit: float) -> Any:
    """The next message from a worker, without blocking the event loop."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(conn.fileno(), wake)
    try:
        async with asyncio.timeout(limit):
            await ready
    finally:
        loop.remove_reader(conn.fileno())
    try:
        return conn.recv()
    except EOFError:
        return ("failed", _LOST)


class _WorkersRunner:
    def __init__(self, target: RedisWorkersTarget, server: RedisServer) -> None:
        self.target = target
        self.server = server
        self.conns: list[Connection] = []
        self.processes: list[multiprocessing.process.BaseProcess] = []
        self.spec: RunSpec | None = None
        # Each worker's CPU seconds when it was ready, and in its latest reply.
        self.cpu: list[tuple[float, float]] = []
        # Replies awaited, by (worker, run number).
        self.waiting: dict[tuple[int, int], asyncio.Future[tuple[str, Any]]] = {}

    async def start(self) -> None:
        context = multiprocessing.get_context("spawn")
        for index in range(self.target.workers):
            mine, theirs = context.Pipe()
            process = context.Process(
                target=serve,
                args=(theirs, self.target.url, index, self.target.parser),
                name=f"redis-worker-{index + 1}",
                daemon=True,
            )
            process.start()
            theirs.close()
            self.conns.append(mine)
            self.processes.append(process)
        for conn in self.conns:
            kind, said = await _receive(conn, _START_LIMIT_S)
            if kind != "ready":
                raise BackendError(said)
            self.cpu.append((said, said))
        loop = asyncio.get_running_loop()
        for index, conn in enumerate(self.conns):
            loop.add_reader(conn.fileno(), self._on_reply, index)

    def _on_reply(self, index: int) -> None:
        try:
            kind, number, payload = self.conns[index].recv()
        except (EOFError, OSError):
            asyncio.get_running_loop().remove_reader(self.conns[index].fileno())
            for (worker, _), waiter in self.waiting.items():
                if worker == index and not waiter.done():
                    waiter.set_result(("failed", _LOST))
            return
        if kind == "done":
            self.cpu[index] = (self.cpu[index][0], payload.cpu)
        awaited = self.waiting.get((index, number))
        if awaited is not None and not awaited.done():  # else: a run given up on
            awaited.set_result((kind, payload))

    async def run(self, spec: RunSpec, seed: int, numbers: range, add: AddOutcome) -> None:
        if spec is not self.spec:
            for conn in self.conns:
                conn.send(("spec", spec))
            self.spec = spec
        began = time.perf_counter()
        fixture = spec.scenario.fixture()
        prefixes = {number: self.server.namespace() for number in numbers}
        # Every run's keys, to unlink when the step ends: its fixture's now, the keys its
        # workers touched as they report them.
        litter = {prefix: {RedisBackend(self.server, prefix).key(k) for k in fixture}
                  for prefix in prefixes.values()}  # fmt: skip
        # One round trip loads the step's fixtures and one unlinks what the step touched,
        # instead of two for each run: the parent's own trips, and its CPU, are what the
        # workers compete with for the machine's cores.

        def load(pipe: Any, prefix: str) -> None:
            backend = RedisBackend(self.server, prefix)
            pipe.mset({backend.key(key): str(version) for key, version in fixture.items()})

        def unlink(pipe: Any, prefix: str) -> None:
            pipe.unlink(*sorted(litter[prefix]))

        await self._each_prefix("loading the fixtures (MSET)", prefixes.values(), load)
        pending = iter(numbers)
        outcomes: dict[int, RunOutcome] = {}
        failures: dict[int, RunFailed] = {}

        async def lane() -> None:
            for number in pending:  # shared by the lanes: each run is taken once
                if failures:
                    return
                run_seed = derive_seed(seed, number)
                prefix = prefixes[number]
                try:
                    outcomes[number] = await self._one(spec, number, run_seed, prefix, litter)
                except RunFailed as error:
                    failures[number] = error
                    return

        lanes = [asyncio.ensure_future(lane()) for _ in range(self.target.in_flight)]
        try:
            await asyncio.gather(*lanes)
        except BaseException:
            for task in lanes:
                task.cancel()
            await asyncio.wait(lanes)
            raise  # the keys go with the server's sweep when the batch closes
        finally:
            # Runs in order, up to the first that failed, whatever order they finished in.
            number = numbers.start
            while number in outcomes:
                add(number, outcomes.pop(number))
                number += 1
        await self._each_prefix("cleanup (UNLINK)", litter, unlink)
        self.target.busy += time.perf_counter() - began
        if failures:
            raise failures[min(failures)]

    async def _each_prefix(
        self, doing: str, prefixes: Iterable[str], command: Callable[[Any, str], object]
    ) -> None:
        """``command`` for each run prefix, pipelined: one round trip per server (per node
        of a cluster, each command on one run's keys, so within one slot)."""
        pipes: dict[int, Any] = {}
        for prefix in prefixes:
            client, _ = self.server.client_for(prefix)
            pipe = pipes.get(id(client))
            if pipe is None:
                pipe = pipes[id(client)] = client.pipeline(transaction=False)
            command(pipe, prefix)
        try:
            for pipe in pipes.values():
                async with pipe:
                    await pipe.execute()
        except (RedisError, OSError, TimeoutError) as error:
            raise self.server.error(doing, error) from error
        self.target.calls += len(pipes)

    async def _one(
        self, spec: RunSpec, number: int, seed: int, prefix: str, litter: dict[str, set[str]]
    ) -> RunOutcome:
        loop = asyncio.get_running_loop()
        waiters = [loop.create_future() for _ in self.conns]
        for index, waiter in enumerate(waiters):
            self.waiting[(index, number)] = waiter
        try:
            origin = time.perf_counter()
            for conn in self.conns:
                conn.send(("run", number, prefix, seed, origin))
            async with asyncio.timeout(_REPLY_LIMIT_S):
                replies: list[tuple[str, Any]] = list(await asyncio.gather(*waiters))
        except TimeoutError:
            raise RunFailed(f"the workers did not finish a run in {_REPLY_LIMIT_S:g}s") from None
        finally:
            for index in range(len(self.conns)):
                self.waiting.pop((index, number), None)
        played: list[Played] = [reply for kind, reply in replies if kind == "done"]
        for part in played:
            litter[prefix].update(part.touched)
        for kind, reply in replies:
            if kind != "done":
                raise RunFailed(reply)
        merged = merge_packed([part.events for part in played])
        oracle = Oracle()
        preload(oracle, spec.scenario, spec.scenario.fixture())
        oracle.feed_all(merged)
        self.target.calls += sum(part.calls for part in played)
        abandoned = sum(part.abandoned for part in played)
        seconds = max(part.seconds for part in played)
        return RunOutcome.of(oracle, abandoned, seconds, sum(part.recorded for part in played))

    def detach(self) -> None:
        """Stop listening to the workers (before ``close``, which runs off the loop)."""
        loop = asyncio.get_running_loop()
        for conn in self.conns:
            with contextlib.suppress(OSError, ValueError):
                loop.remove_reader(conn.fileno())

    def close(self) -> None:
        self.target.worker_cpu += sum(last - ready for ready, last in self.cpu)
        for conn in self.conns:
            with contextlib.suppress(OSError):
                conn.send(None)
        for process in self.processes:
            process.join(timeout=5.0)
            if process.is_alive():
                process.terminate()
                process.join(timeout=5.0)
        for conn in self.conns:
            conn.close()


class RedisWorkersTarget:
    """A live server, every run played by ``workers`` processes at once on shared keys."""

    kind = "redis"
    # Runs per step: each step loads its fixtures in one round trip and unlinks in one, and
    # its last runs drain the lanes, so steps of a few hundred milliseconds.
    step = 100
    replayable = False

    def __init__(
        self,
        url: RedisTarget,
        *,
        workers: int = 2,
        in_flight: int = IN_FLIGHT,
        parser: str = "hiredis",
    ) -> None:
        if not 1 <= workers <= MAX_WORKERS:
            raise ValueError(f"workers must be between 1 and {MAX_WORKERS}, not {workers}")
        if not 1 <= in_flight <= MAX_IN_FLIGHT:
            raise ValueError(f"in_flight must be between 1 and {MAX_IN_FLIGHT}, not {in_flight}")
        self.url = url
        self.workers = workers
        self.in_flight = in_flight
        self.parser = parser
        # What the workers did, for throughput figures: round trips (every process's), and
        # wall-clock seconds spent running the batch's runs (the processes' start excluded).
        self.calls = 0
        self.busy = 0.0
        # The worker processes' CPU seconds in runs (their start excluded), once closed.
        self.worker_cpu = 0.0

    def describe(self) -> str:
        return (
            f"Redis at {self.url.display}, {self.workers} worker processes, "
            f"{self.in_flight} runs in flight"
        )

    def story(self, **sizes: Any) -> StoryScenario:
        return live_story(**sizes)

    @asynccontextmanager
    async def _open(self) -> AsyncIterator[Runner]:
        server = await RedisServer.connect(self.url, parser=self.parser)
        runner = _WorkersRunner(self, server)
        try:
            await runner.start()
            yield runner
        finally:
            runner.detach()
            await asyncio.get_running_loop().run_in_executor(None, runner.close)
            await server.close()

    def open(self) -> AbstractAsyncContextManager[Runner]:
        return self._open()

    def result_note(self, result: BatchResult) -> str:
        """Aggregate round trips per second of wall clock spent running runs."""
        rate = self.calls / self.busy if self.busy else 0.0
        return f"{self.workers} workers: {self.calls} round trips, {rate:,.0f}/s in runs"

    def __repr__(self) -> str:
        return (
            f"<RedisWorkersTarget {self.url.display} workers={self.workers} "
            f"in_flight={self.in_flight}>"
        )
