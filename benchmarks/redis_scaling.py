"""What hiredis and worker processes buy, for ``benchmarks/redis_ops.py``.

Both compare A and B in alternating repetitions (A, B, A, B, ...), so a slow spell of a
shared machine hits both, and print each side's min and median and the ratio of medians.

* parser: the same back-to-back loop (naive-async updates and reads through the service and
  backend a run uses) with redis-py's own reply parser, then with hiredis's.
* workers: batches of the live story played by 1 worker process, then by 2, against one
  server (``cache.redis_workers``, several runs in flight in each process), the same reads
  either way; aggregate round trips per second of wall clock, and the CPU (in cores) of the
  workers, the parent, the redis-server and the whole machine meanwhile: on 2 cores, 2
  workers can reach 1.6x one only if one worker is what limits it (its core full, the
  other mostly idle), and only while nothing else on the machine wants the cores.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from cache.backends.redis_server import RedisServer
from cache.batch import RunSpec, run_batch
from cache.keys import STORY_KEY, KeySpace
from cache.redis_url import check_redis_url
from cache.redis_workers import IN_FLIGHT, RedisWorkersTarget
from cache.scenarios.live import live_story
from cache.strategies.registry import load_strategy

__all__ = ["Scaling", "compare", "compare_workers", "parser_ops", "worker_ops"]


def parser_ops(url: str, parser: str, ops: int) -> float:
    """Operations per second (half updates, half reads) with ``parser``."""
    from redis_ops import _service  # the same wiring as the strategy table

    async def body() -> float:
        async with await RedisServer.connect(check_redis_url(url), parser=parser) as server:
            cache, backend, _ = _service(server, load_strategy("naive-async"))
            key = STORY_KEY
            await backend.load({key: 0, **dict.fromkeys(KeySpace().related(key), 0)})
            began = time.perf_counter()
            for i in range(ops // 2):
                await cache.update(key, i + 1)
                await cache.get(key)
            rate = (ops // 2) * 2 / (time.perf_counter() - began)
            await backend.close()
            return rate

    return asyncio.run(body())


@dataclass(frozen=True, slots=True)
class Scaling:
    """One repetition of a workers' batch: aggregate round trips per wall-clock second, and
    where the machine's cores went meanwhile (each in cores: CPU seconds per second)."""

    rate: float
    workers_cpu: float
    parent_cpu: float
    server_cpu: float
    machine: float  # every process on the machine, ours or not


def _machine_busy() -> float:
    """CPU seconds every process on the machine has used since boot (Linux /proc/stat)."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def worker_ops(url: str, workers: int, reads: int, in_flight: int = IN_FLIGHT) -> Scaling:
    """Aggregate round trips per second of wall clock of live-story runs played by
    ``workers`` processes against one server, the same work whatever ``workers``: about
    ``reads`` reads in all (each process plays every run's readers, so N workers play 1/N
    of the runs). The processes' start is not counted; the parent's loading and cleanup are."""
    from redis import Redis

    story = live_story(readers=4, reads=10)
    runs = max(1, reads // (story.readers * story.reads * workers))
    target = RedisWorkersTarget(check_redis_url(url), workers=workers, in_flight=in_flight)
    spec = RunSpec(story, load_strategy("naive-async"))
    server = Redis.from_url(url)
    try:
        cpu = server.info("cpu")
        began = (time.process_time(), _machine_busy(), _server_cpu(cpu))
        result = run_batch(spec, runs, 1, target)
        cpu = server.info("cpu")
    finally:
        server.close()
    if result.stopped_by:
        raise SystemExit(f"redis_ops: the workers' batch stopped: {result.stopped_by}")
    busy = target.busy
    # The parent's and the machine's CPU include the workers' start, not in ``busy``: a few
    # hundredths of a core over a batch of seconds, said here rather than hidden.
    return Scaling(
        target.calls / busy,
        target.worker_cpu / busy,
        (time.process_time() - began[0]) / busy,
        (_server_cpu(cpu) - began[2]) / busy,
        (_machine_busy() - began[1]) / busy,
    )


def _server_cpu(info: dict[str, Any]) -> float:
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def compare_workers(url: str, reads: int, repeat: int, in_flight: int) -> Iterator[str]:
    """1 worker and 2, and the floor's 1 and 2 bare client processes, alternating
    ``repeat`` times each; lines for the table."""
    from redis_floor import bare_ops

    seen: dict[int, list[Scaling]] = {1: [], 2: []}
    floor: dict[int, list[float]] = {1: [], 2: []}
    load = os.getloadavg()[0]
    for _ in range(repeat):
        for workers in (1, 2):
            floor[workers].append(bare_ops(url, workers, reads))
            seen[workers].append(worker_ops(url, workers, reads, in_flight))
    yield (
        "| processes | workers: round trips/s min | median | workers' CPU | parent CPU | "
        "redis-server CPU | machine CPU | floor: GETs/s min | median |"
    )
    yield "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    for workers, runs in seen.items():
        rates = [run.rate for run in runs]

        def median(field: str, runs: list[Scaling] = runs) -> str:
            return f"{statistics.median(getattr(run, field) for run in runs):.2f}"

        yield (
            f"| {workers} | {min(rates):,.0f} | {statistics.median(rates):,.0f} | "
            f"{median('workers_cpu')} | {median('parent_cpu')} | {median('server_cpu')} | "
            f"{median('machine')} | {min(floor[workers]):,.0f} | "
            f"{statistics.median(floor[workers]):,.0f} |"
        )
    one, two = ([run.rate for run in seen[n]] for n in (1, 2))
    ratio = statistics.median(two) / statistics.median(one)
    floor_ratio = statistics.median(floor[2]) / statistics.median(floor[1])
    yield ""
    yield (
        f"2 workers / 1 worker: {ratio:.2f}x (medians), {min(two) / min(one):.2f}x (mins); "
        f"floor, 2 bare client processes / 1: {floor_ratio:.2f}x (medians), "
        f"{min(floor[2]) / min(floor[1]):.2f}x (mins); {repeat} repetitions each"
    )
    x1, x2 = (_idle_rate(seen[n], n) for n in (1, 2))
    yield (
        f"on 2 idle cores, from each side's measured CPU per round trip (workers', parent's, "
        f"redis-server's), each worker at most one core: {x2 / x1:.2f}x "
        f"({x1:,.0f} and {x2:,.0f} round trips/s)"
    )
    yield (
        f"CPU columns in cores (medians, over the runs; parent and machine include the "
        f"workers' start); machine = every process on it, ours or not; "
        f"load average {load:.2f} before, {os.getloadavg()[0]:.2f} after"
    )


def _idle_rate(runs: list[Scaling], workers: int, cores: int = 2) -> float:
    """Round trips per second ``workers`` processes would reach on ``cores`` idle cores,
    from the CPU each side spent per round trip (medians): bounded by the cores, and by
    each worker's one core. A model, for reading a figure taken on a busy machine."""
    per_trip: dict[str, float] = {
        field: statistics.median(float(getattr(run, field)) / run.rate for run in runs)
        for field in ("workers_cpu", "parent_cpu", "server_cpu")
    }
    total = sum(per_trip.values())
    return min(cores / total, workers / per_trip["workers_cpu"])


def compare(
    name: str, a: tuple[str, Callable[[], float]], b: tuple[str, Callable[[], float]], repeat: int
) -> Iterator[str]:
    """Alternate ``a`` and ``b`` ``repeat`` times each; lines for the table."""
    seen: dict[str, list[float]] = {a[0]: [], b[0]: []}
    for _ in range(repeat):
        for label, measure in (a, b):
            seen[label].append(measure())
    yield f"| {name} | min | median |"
    yield "|---|---:|---:|"
    for label, values in seen.items():
        yield f"| {label} | {min(values):,.0f} | {statistics.median(values):,.0f} |"
    ratio = statistics.median(seen[b[0]]) / statistics.median(seen[a[0]])
    low = min(seen[b[0]]) / min(seen[a[0]])
    yield ""
    yield f"{b[0]} / {a[0]}: {ratio:.2f}x (medians), {low:.2f}x (mins), {repeat} repetitions each"
