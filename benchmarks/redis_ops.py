"""Operations per second against a live Redis server, per strategy, and what the fixes cost.

    python benchmarks/redis_ops.py                 # uses $REDIS_URL, else starts redis-server
    python benchmarks/redis_ops.py --ops 5000 --repeat 5 --url redis://127.0.0.1:6379/0
    python benchmarks/redis_ops.py --only scaling --repeat 5   # hiredis, and 1 vs 2 workers
    python benchmarks/redis_ops.py --only scaling --reads 80000 --in-flight 16

For each built-in strategy it measures, through the same CacheService and RedisBackend a
run uses (without the recorder's history, so the figures are the store's cost):

* updates/s — one client updating one key back to back;
* reads/s   — one client reading it back to back (related entries present);
* mixed/s   — one writer and ``--readers`` readers on the same key at once, all ops counted;

and the round trips one update takes. Each figure is the best of ``--repeat`` attempts (a
shared machine only ever makes a loop slower, so the best is the least disturbed). Then it
prints lock's and transaction's throughput relative to naive-async. Figures only: nothing
here asserts a timing. Every key lives under a fresh rwb:<random>: prefix and is deleted at
the end; nothing else is touched.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from cache.backends.redis_server import RedisServer
from cache.backends.redis_store import RedisBackend
from cache.history import History, Recorder
from cache.keys import STORY_KEY, KeySpace
from cache.realtime import RealtimeRuntime
from cache.redis_url import check_redis_url
from cache.service import CacheService
from cache.strategies.base import Context, Strategy
from cache.strategies.registry import BUILTIN

__all__ = ["Figures", "main"]


@dataclass(frozen=True, slots=True)
class Figures:
    """One strategy's throughput on the server."""

    strategy: str
    updates_per_s: float
    reads_per_s: float
    mixed_per_s: float
    trips_per_update: float
    abandoned: int


def _service(
    server: RedisServer, strategy: type[Strategy]
) -> tuple[CacheService, RedisBackend, RealtimeRuntime]:
    runtime = RealtimeRuntime()
    backend = RedisBackend(server, gate=runtime.gate)
    recorder = Recorder(History(maxlen=1), runtime.now, runtime.task_name)
    ctx = Context(backend, runtime, KeySpace(), recorder)
    return CacheService(strategy(), ctx), backend, runtime


async def _rate(ops: int, body: Callable[[int], Awaitable[object]]) -> float:
    began = time.perf_counter()
    for i in range(ops):
        await body(i)
    return ops / (time.perf_counter() - began)


async def measure(
    server: RedisServer, strategy: type[Strategy], ops: int, readers: int, repeat: int
) -> Figures:
    cache, backend, runtime = _service(server, strategy)
    key = STORY_KEY
    fixture = {key: 0, **dict.fromkeys(KeySpace().related(key), 0)}
    await backend.load(fixture)
    version = 0

    async def update(_: int) -> None:
        nonlocal version
        version += 1
        await cache.update(key, version)

    async def read(_: int) -> None:
        await cache.get(key)

    await update(0)  # warm the pool and the scripts before timing
    calls = backend.calls
    updates_per_s = max([await _rate(ops, update) for _ in range(repeat)])
    trips = (backend.calls - calls) / (ops * repeat)
    await backend.rebuild(key, KeySpace().related(key))
    reads_per_s = max([await _rate(ops, read) for _ in range(repeat)])

    async def writer() -> None:
        for i in range(ops // 4):
            await update(i)

    async def reader() -> None:
        for i in range(ops // 4):
            await read(i)

    mixed_per_s = 0.0
    for _ in range(repeat):
        began = time.perf_counter()
        runtime.spawn(writer(), "writer")
        for i in range(readers):
            runtime.spawn(reader(), f"reader-{i + 1}")
        await runtime.wait(300.0)
        elapsed = time.perf_counter() - began
        mixed_per_s = max(mixed_per_s, (ops // 4) * (1 + readers) / elapsed)
    await backend.close()
    return Figures(strategy.name, updates_per_s, reads_per_s, mixed_per_s, trips, cache.abandoned)


@contextmanager
def _server_url(given: str | None) -> Iterator[str]:
    """``given`` (or $REDIS_URL), else a redis-server of our own on a free loopback port."""
    url = given or os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("redis_ops: set REDIS_URL or pass --url, or install redis-server")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with tempfile.TemporaryDirectory() as directory:
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", directory, "--logfile", ""],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 10.0
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        sys.exit("redis_ops: redis-server did not start")
                    time.sleep(0.02)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait(timeout=10)


async def run_all(url: str, ops: int, readers: int, repeat: int) -> list[Figures]:
    async with await RedisServer.connect(check_redis_url(url)) as server:
        return [
            await measure(server, strategy, ops, readers, repeat) for strategy in BUILTIN.values()
        ]


def _table(figures: list[Figures], url: str, ops: int, readers: int, repeat: int) -> Iterator[str]:
    yield (
        f"Redis at {url}; {ops} ops per measure, best of {repeat}; "
        f"mixed = 1 writer + {readers} readers on one key"
    )
    yield ""
    yield "| strategy | updates/s | reads/s | mixed ops/s | round trips/update | abandoned |"
    yield "|---|---:|---:|---:|---:|---:|"
    for f in figures:
        yield (
            f"| {f.strategy} | {f.updates_per_s:,.0f} | {f.reads_per_s:,.0f} | "
            f"{f.mixed_per_s:,.0f} | {f.trips_per_update:.1f} | {f.abandoned} |"
        )
    by_name = {f.strategy: f for f in figures}
    naive = by_name["naive-async"]
    yield ""
    for name in ("lock", "transaction"):
        f = by_name[name]
        ratio = f.updates_per_s / naive.updates_per_s
        mixed = f.mixed_per_s / naive.mixed_per_s
        yield (
            f"{name}: {ratio:.2f}x naive-async's update throughput "
            f"({1 / ratio:.2f}x the time per update); {mixed:.2f}x its mixed throughput"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="Redis URL (default: $REDIS_URL, else start one)")
    parser.add_argument("--ops", type=int, default=1000, help="operations per measure")
    parser.add_argument("--readers", type=int, default=8, help="readers in the mixed measure")
    parser.add_argument("--repeat", type=int, default=3, help="attempts per figure (best kept)")
    parser.add_argument(
        "--only", choices=("strategies", "scaling"), help="one part (default: both)"
    )
    parser.add_argument(
        "--reads", type=int, default=16_000, help="reads per workers repetition (all processes)"
    )
    parser.add_argument("--in-flight", type=int, default=8, help="runs in flight per batch")
    args = parser.parse_args(argv)
    if args.ops < 4 or args.readers < 0 or args.repeat < 1:
        parser.error("--ops must be at least 4, --readers not negative, --repeat at least 1")
    with _server_url(args.url) as url:
        display = check_redis_url(url).display
        if args.only != "scaling":
            figures = asyncio.run(run_all(url, args.ops, args.readers, args.repeat))
            for line in _table(figures, display, args.ops, args.readers, args.repeat):
                print(line)
        if args.only != "strategies":
            _scaling(url, args.ops, args.reads, max(args.repeat, 3), args.in_flight)


def _scaling(url: str, ops: int, reads: int, repeat: int, in_flight: int) -> None:
    from redis_scaling import compare, compare_workers, parser_ops

    print()
    print(f"Reply parser: ops/s, naive-async update + read, {ops} ops a repetition")
    print()
    for line in compare(
        "parser",
        ("python", lambda: parser_ops(url, "python", ops)),
        ("hiredis", lambda: parser_ops(url, "hiredis", ops)),
        repeat,
    ):
        print(line)
    print()
    print(
        f"Worker processes: aggregate round trips per wall-clock second, about {reads:,} "
        f"reads of the live story a repetition (4 readers x 10 reads a process), "
        f"{in_flight} runs in flight; floor: as many GETs back to back from 8 tasks in 1 or 2 "
        f"bare redis.asyncio processes"
    )
    print()
    for line in compare_workers(url, reads, repeat, in_flight):
        print(line)


if __name__ == "__main__":
    main()
