"""What hiredis and worker processes buy, for ``benchmarks/redis_ops.py``.

Both compare A and B in alternating repetitions (A, B, A, B, ...), so a slow spell of a
shared machine hits both, and print each side's min and median and the ratio of medians.

* parser: the same back-to-back loop (naive-async updates and reads through the service and
  backend a run uses) with redis-py's own reply parser, then with hiredis's.
* workers: batches of the live story played by 1 worker process, then by 2, against one
  server (``cache.redis_workers``); aggregate round trips per second spent in runs.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable, Iterator

from cache.backends.redis_server import RedisServer
from cache.batch import RunSpec, run_batch
from cache.keys import STORY_KEY, KeySpace
from cache.redis_url import check_redis_url
from cache.redis_workers import RedisWorkersTarget
from cache.scenarios.live import live_story
from cache.strategies.registry import load_strategy

__all__ = ["compare", "parser_ops", "worker_ops"]


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


def worker_ops(url: str, workers: int, runs: int) -> float:
    """Aggregate round trips per second of ``runs`` live-story runs on ``workers``
    processes (time spent in runs: the processes' start is not counted)."""
    target = RedisWorkersTarget(check_redis_url(url), workers=workers)
    spec = RunSpec(live_story(readers=4, reads=10), load_strategy("naive-async"))
    result = run_batch(spec, runs, 1, target)
    if result.stopped_by:
        raise SystemExit(f"redis_ops: the workers' batch stopped: {result.stopped_by}")
    return target.calls / target.busy


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
