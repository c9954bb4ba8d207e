"""One worker process of ``--workers`` (``cache.redis_workers``): it plays its part of
every run the parent hands it, several runs at once.

The parent sends ``("spec", RunSpec)`` when the batch's spec changes, then
``("run", number, prefix, seed, origin)`` for each run, without waiting for the previous
one: every run is a task on this process's event loop, so while one run's tasks sleep
(the live story is sized in milliseconds of real time) another's send commands, and the
process keeps its core busy. A run's reply is ``("done", number, Played)`` or
``("failed", number, message)``; ``None`` from the parent means stop (runs still in
flight are cancelled: the parent sweeps their keys).

Events go back as plain tuples (``cache.redis_merge.pack``), only those the oracle judges
(``cache.redis_merge.JUDGED``), which the parent merges.
"""

from __future__ import annotations

import asyncio
import signal
import time
from multiprocessing.connection import Connection
from random import Random
from typing import Any, NamedTuple, cast

from cache.backends.redis_server import RedisServer
from cache.backends.redis_store import RedisBackend
from cache.batch import RunSpec, derive_seed
from cache.errors import RunFailed
from cache.realtime import RealtimeRuntime
from cache.redis_merge import JUDGED, Packed, pack
from cache.redis_url import RedisTarget
from cache.service import CacheService
from cache.strategies.registry import instantiate
from cache.wiring import wire

__all__ = ["RUN_LIMIT_S", "Played", "play", "serve"]

RUN_LIMIT_S = 30.0


class Played(NamedTuple):
    """What one worker recorded in one run."""

    events: list[Packed]
    abandoned: int
    touched: list[str]
    calls: int
    recorded: int  # events recorded, of which ``events`` are those the oracle judges
    seconds: float  # when the run's last task ended, on the shared clock
    cpu: float  # the process's CPU seconds so far, for throughput figures


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


async def play(
    server: RedisServer, spec: RunSpec, prefix: str, seed: int, index: int, origin: float
) -> Played:
    """Worker ``index``'s part of one run (the first worker's includes the updates)."""
    runtime = _SharedClock(origin)
    backend = RedisBackend(server, prefix, gate=runtime.gate)
    strategy = instantiate(spec.strategy)
    history, _, _, cache = wire(spec.scenario, strategy, spec.knobs, runtime, backend)
    rng = Random(seed if index == 0 else derive_seed(seed, index))
    try:
        service = cache if index == 0 else cast(CacheService, _ReadOnly(cache))
        spec.scenario.start(runtime, service, rng)
        await runtime.wait(RUN_LIMIT_S)
    finally:
        touched = await backend.release()
    events = [pack(event) for event in history if event.op in JUDGED]
    ended = runtime.now()
    return Played(events, cache.abandoned, touched, backend.calls, history.total, ended,
                  time.process_time())  # fmt: skip


class _Worker:
    def __init__(self, conn: Connection, server: RedisServer, index: int) -> None:
        self.conn = conn
        self.server = server
        self.index = index
        self.spec: RunSpec | None = None
        self.runs: set[asyncio.Task[None]] = set()
        self.stopped = asyncio.get_running_loop().create_future()

    def on_message(self) -> None:
        try:
            message = self.conn.recv()
        except (EOFError, OSError):
            message = None
        if message is None:
            if not self.stopped.done():
                self.stopped.set_result(None)
        elif message[0] == "spec":
            self.spec = message[1]
        else:
            task = asyncio.get_running_loop().create_task(self._run(*message[1:]))
            self.runs.add(task)
            task.add_done_callback(self.runs.discard)

    async def _run(self, number: int, prefix: str, seed: int, origin: float) -> None:
        assert self.spec is not None
        try:
            played = await play(self.server, self.spec, prefix, seed, self.index, origin)
            reply: tuple[str, int, Any] = ("done", number, played)
        except RunFailed as error:
            reply = ("failed", number, str(error))
        except Exception as error:
            reply = ("failed", number, f"worker {self.index + 1}: {type(error).__name__}: {error}")
        self.conn.send(reply)

    async def serve(self) -> None:
        loop = asyncio.get_running_loop()
        loop.add_reader(self.conn.fileno(), self.on_message)
        try:
            await self.stopped
        finally:
            loop.remove_reader(self.conn.fileno())
            for task in list(self.runs):
                task.cancel()
            if self.runs:
                await asyncio.wait(list(self.runs))


def serve(conn: Connection, url: RedisTarget, index: int, parser: str) -> None:
    """A worker process's main: connect, say ``ready`` with the CPU seconds its start took
    (or why it failed), play runs until told to stop. Ctrl+C is ignored: the parent
    decides when to stop, between runs."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    loop = asyncio.new_event_loop()
    try:
        server = loop.run_until_complete(RedisServer.connect(url, parser=parser))
    except Exception as error:
        conn.send(("failed", str(error)))
        return
    conn.send(("ready", time.process_time()))

    async def main() -> None:
        await _Worker(conn, server, index).serve()

    try:
        loop.run_until_complete(main())
    finally:
        loop.run_until_complete(server.close(sweep=False))
        loop.close()
