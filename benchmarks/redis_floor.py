"""What this machine gives a second client process at this moment: the floor of
``benchmarks/redis_scaling.py``'s workers figure.

``bare_ops(url, processes, ops)``: ``processes`` processes, each with ``tasks`` tasks doing
GETs of one key back to back through a bare ``redis.asyncio`` client (hiredis parser, no
engine, no history, no oracle), ``ops`` GETs in all split between them. The processes start
and connect first, then run together from one signal; the figure is GETs per second of wall
clock from the signal to the last process done. On an idle 2-core machine 2 processes get
close to 2x one, less what the redis-server takes; on a busy one, much less, and the
workers' ratio cannot be expected to beat this one.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from multiprocessing.synchronize import Event as SyncEvent
from typing import Any

__all__ = ["bare_ops"]

_KEY = "rwb:floor:x"


def _client(url: str, go: SyncEvent, ops: int, tasks: int, out: Any) -> None:
    from redis.asyncio import Redis

    async def main() -> tuple[float, float]:
        client = Redis.from_url(url, decode_responses=True, max_connections=tasks)
        await client.set(_KEY, "1")
        await asyncio.gather(*(client.ping() for _ in range(tasks)))  # open every connection
        out.put("ready")
        await asyncio.get_running_loop().run_in_executor(None, go.wait)
        began = time.perf_counter()
        share = iter(range(ops))

        async def task() -> None:
            for _ in share:
                await client.get(_KEY)

        await asyncio.gather(*(task() for _ in range(tasks)))
        ended = time.perf_counter()
        await client.aclose()
        return began, ended

    out.put(asyncio.run(main()))


def bare_ops(url: str, processes: int, ops: int, tasks: int = 8) -> float:
    """GETs per wall-clock second of ``processes`` bare clients together (see above)."""
    context = multiprocessing.get_context("spawn")
    go = context.Event()
    out = context.Queue()
    each = ops // processes
    children = [
        context.Process(target=_client, args=(url, go, each, tasks, out), daemon=True)
        for _ in range(processes)
    ]
    for child in children:
        child.start()
    for _ in children:
        if out.get(timeout=60) != "ready":
            raise SystemExit("redis_floor: a client did not start")
    go.set()
    spans = [out.get(timeout=300) for _ in children]
    for child in children:
        child.join(timeout=10)
    from redis import Redis

    with Redis.from_url(url) as client:
        client.delete(_KEY)
    wall = float(max(end for _, end in spans)) - float(min(start for start, _ in spans))
    return each * processes / wall
