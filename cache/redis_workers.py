"""Several processes against one server: the parallelism one event loop cannot give.

``RedisWorkersTarget(url, workers=N)`` is a batch target (``cache.targets.Target``) whose
every run is played by N worker processes at once, on the same keys: like N application
servers serving the story's traffic from one Redis. For each run the parent loads the
fixture under a fresh run prefix and tells every worker to start; each worker runs the
scenario's readers, prewarm and TTL refresh with a seed of its own, the first worker its
updates too, and each sends back the events it recorded. The parent merges them into one history
(``cache.redis_merge``: one clock for every process, each process's order kept, ties counted
as overlapping) and judges it with one oracle, so a read in one process is stale when it
missed a write another process had already had acknowledged. Then it unlinks every key the
run touched.

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
import signal
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from multiprocessing.connection import Connection
from random import Random
from typing import Any, cast

from cache.backends.base import BackendError
from cache.backends.redis_server import RedisServer
from cache.backends.redis_store import RedisBackend
from cache.batch import BatchResult, RunSpec, derive_seed
from cache.errors import RunFailed
from cache.events import Event
from cache.oracle import Oracle
from cache.realtime import RealtimeRuntime
from cache.redis_merge import merge_histories
from cache.redis_url import RedisTarget
from cache.scenarios.live import live_story
from cache.scenarios.story import StoryScenario
from cache.service import CacheService
from cache.simulation import RunOutcome
from cache.strategies.registry import instantiate
from cache.targets import AddOutcome, Runner
from cache.wiring import preload, wire

__all__ = ["MAX_WORKERS", "RedisWorkersTarget"]

MAX_WORKERS = 64
_RUN_LIMIT_S = 30.0
_START_LIMIT_S = 60.0  # a spawned worker imports the engine and redis-py, then connects
_UNLINK_CHUNK = 500


class _SharedClock(RealtimeRuntime):
    """Real time counted from an origin the parent chose, on the clock all processes share,
    so events recorded in different workers can be ordered against each other."""

    def __init__(self, origin: float) -> None:
        super().__init__()
        self.origin = origin

    def now(self) -> float:
        return time.perf_counter() - self.origin

    def start(self) -> None:
        """The origin is the parent's: nothing to reset."""


class _ReadOnly:
    """The cache service of a worker that does not write: its updates are skipped (not
    recorded), everything else goes through."""

    def __init__(self, cache: CacheService) -> None:
        self._cache = cache

    async def update(self, key: str, version: int) -> bool:
        return True

    async def increment(self, key: str) -> int | None:
        return None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cache, name)


# -- in the worker process -----------------------------------------------------------------


async def _play(
    server: RedisServer, spec: RunSpec, prefix: str, seed: int, index: int, origin: float
) -> tuple[list[Event], int, list[str], int]:  # fmt: skip
    runtime = _SharedClock(origin)
    backend = RedisBackend(server, prefix, gate=runtime.gate)
    strategy = instantiate(spec.strategy)
    history, _, _, cache = wire(spec.scenario, strategy, spec.knobs, runtime, backend)
    rng = Random(seed if index == 0 else derive_seed(seed, index))
    try:
        service = cache if index == 0 else cast(CacheService, _ReadOnly(cache))
        spec.scenario.start(runtime, service, rng)
        await runtime.wait(_RUN_LIMIT_S)
    finally:
        touched = await backend.release()
    return list(history), cache.abandoned, touched, backend.calls


def _serve(conn: Connection, url: RedisTarget, index: int, parser: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    loop = asyncio.new_event_loop()
    try:
        server = loop.run_until_complete(RedisServer.connect(url, parser=parser))
    except Exception as error:
        conn.send(("failed", str(error)))
        return
    conn.send(("ready", ""))
    spec: RunSpec | None = None
    try:
        while (message := conn.recv()) is not None:
            if message[0] == "spec":
                spec = message[1]
                continue
            _, prefix, seed, origin = message
            assert spec is not None
            try:
                played = _play(server, spec, prefix, seed, index, origin)
                conn.send(("done", loop.run_until_complete(played)))
            except RunFailed as error:
                conn.send(("failed", str(error)))
            except Exception as error:
                conn.send(("failed", f"worker {index + 1}: {type(error).__name__}: {error}"))
    finally:
        loop.run_until_complete(server.close(sweep=False))
        loop.close()


# -- in the parent -------------------------------------------------------------------------


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
        return ("failed", "a worker process ended unexpectedly")


class _WorkersRunner:
    def __init__(self, target: RedisWorkersTarget, server: RedisServer) -> None:
        self.target = target
        self.server = server
        self.conns: list[Connection] = []
        self.processes: list[multiprocessing.process.BaseProcess] = []

    async def start(self) -> None:
        context = multiprocessing.get_context("spawn")
        n = self.target.workers
        for index in range(n):
            mine, theirs = context.Pipe()
            process = context.Process(
                target=_serve,
                args=(theirs, self.target.url, index, self.target.parser),
                name=f"redis-worker-{index + 1}",
                daemon=True,
            )
            process.start()
            theirs.close()
            self.conns.append(mine)
            self.processes.append(process)
        for conn in self.conns:
            kind, text = await _receive(conn, _START_LIMIT_S)
            if kind != "ready":
                raise BackendError(text)

    async def run(self, spec: RunSpec, seed: int, numbers: range, add: AddOutcome) -> None:
        for conn in self.conns:
            conn.send(("spec", spec))
        for number in numbers:
            began = time.perf_counter()
            outcome = await self._one(spec, derive_seed(seed, number))
            self.target.busy += time.perf_counter() - began
            add(number, outcome)

    async def _one(self, spec: RunSpec, seed: int) -> RunOutcome:
        prefix = self.server.namespace()
        fixture = spec.scenario.fixture()
        loader = RedisBackend(self.server, prefix)
        await loader.load(fixture)
        origin = time.perf_counter()
        for conn in self.conns:
            conn.send(("run", prefix, seed, origin))
        replies = [await _receive(conn, _RUN_LIMIT_S + 5.0) for conn in self.conns]
        touched = set(await loader.release())
        for kind, reply in replies:
            if kind == "done":
                touched.update(reply[2])
        await self._unlink(prefix, sorted(touched))
        failed = [reply for kind, reply in replies if kind != "done"]
        if failed:
            raise RunFailed(failed[0])
        parts: Sequence[list[Event]] = [reply[0] for _, reply in replies]
        merged = merge_histories(parts)
        oracle = Oracle()
        preload(oracle, spec.scenario, fixture)
        oracle.feed_all(merged)
        self.target.calls += sum(reply[3] for _, reply in replies) + loader.calls
        abandoned = sum(reply[1] for _, reply in replies)
        seconds = max((events[-1].time for events in parts if events), default=0.0)
        return RunOutcome.of(oracle, abandoned, seconds, len(merged))

    async def _unlink(self, prefix: str, names: list[str]) -> None:
        client, _ = self.server.client_for(prefix)
        try:
            for i in range(0, len(names), _UNLINK_CHUNK):
                await client.unlink(*names[i : i + _UNLINK_CHUNK])
        except (OSError, TimeoutError, Exception) as error:
            raise self.server.error(f"cleanup of {prefix}*", error) from error

    def close(self) -> None:
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
    step = 20
    replayable = False

    def __init__(self, url: RedisTarget, *, workers: int = 2, parser: str = "hiredis") -> None:
        if not 1 <= workers <= MAX_WORKERS:
            raise ValueError(f"workers must be between 1 and {MAX_WORKERS}, not {workers}")
        self.url = url
        self.workers = workers
        self.parser = parser
        # What the workers did, for throughput figures: round trips, and seconds spent in runs.
        self.calls = 0
        self.busy = 0.0

    def describe(self) -> str:
        return f"Redis at {self.url.display}, {self.workers} worker processes"

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
            await asyncio.get_running_loop().run_in_executor(None, runner.close)
            await server.close()

    def open(self) -> AbstractAsyncContextManager[Runner]:
        return self._open()

    def result_note(self, result: BatchResult) -> str:
        """Aggregate round trips per second over the time spent in runs."""
        rate = self.calls / self.busy if self.busy else 0.0
        return f"{self.workers} workers: {self.calls} round trips, {rate:,.0f}/s in runs"

    def __repr__(self) -> str:
        return f"<RedisWorkersTarget {self.url.display} workers={self.workers}>"
