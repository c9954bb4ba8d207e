"""How fast the race engine is. Prints its figures; asserts nothing.

    python benchmarks/engine.py

1. A 1000-run batch of the default (story) scenario against naive-async, with the full
   history recorded and every read judged by the oracle.
2. The floor: the same race (an update whose two steps are separated by an await, readers at
   random moments, a final read) on a bare anyio event loop, with no scheduler, no latency
   model, no history and no oracle; and the ratio between the two.
3. The sustained workload: simulated operations per second of wall-clock time.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

import anyio
import anyio.lowlevel

from cache import RunSpec, Simulation, StoryScenario, SustainedWorkload, load_strategy, run_batch
from cache.events import Op, Phase

RUNS = 1000
REPEATS = 5


def best_of(repeats: int, job: Callable[[], object]) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        began = time.perf_counter()
        result = job()
        times.append(time.perf_counter() - began)
    return min(times), result


def engine_batch() -> object:
    return run_batch(RunSpec(StoryScenario(), load_strategy("naive-async")), RUNS, seed=1)


async def _bare_story(rng: random.Random | None) -> int:
    """The story's test with a dict for a cache and anyio for concurrency. Returns how many
    reads saw the old related entry after the new value was stored."""
    store = {"user:123": 0, "user:123:profile": 0, "user:123:summary": 0}
    stale = 0
    acknowledged = False

    async def update() -> None:
        nonlocal acknowledged
        await anyio.lowlevel.checkpoint()
        store["user:123"] = 1
        acknowledged = True
        await anyio.lowlevel.checkpoint()
        store.pop("user:123:profile", None)
        await anyio.lowlevel.checkpoint()
        store.pop("user:123:summary", None)

    async def read(delay_steps: int) -> None:
        nonlocal stale
        for _ in range(delay_steps):
            await anyio.lowlevel.checkpoint()
        began_after_ack = acknowledged
        await anyio.lowlevel.checkpoint()
        value = store.get("user:123:profile", store.get("user:123:summary", store["user:123"]))
        if began_after_ack and value == 0:
            stale += 1

    async with anyio.create_task_group() as tg:
        tg.start_soon(update)
        for _ in range(2):
            tg.start_soon(read, rng.randrange(4) if rng is not None else 0)
    await read(0)
    return stale


def bare_anyio_batch(offsets: bool = True) -> int:
    """``offsets``: readers wait a random number of turns first; without them every step
    yields exactly once and the loop's FIFO order fixes the interleaving."""

    async def main() -> int:
        rng = random.Random(1) if offsets else None
        return sum([await _bare_story(rng) for _ in range(RUNS)])

    return anyio.run(main)


def sustained(seconds: float = 10.0) -> tuple[float, int, int, int]:
    sim = Simulation(SustainedWorkload(duration=seconds), load_strategy("naive-async"), seed=1)
    began = time.perf_counter()
    sim.run()
    wall = time.perf_counter() - began
    ops = sum(
        1
        for e in sim.history
        if e.phase is Phase.COMPLETE and e.op not in (Op.UPDATE, Op.GET, Op.DELAY)
    )
    return wall, ops, sim.history.total, sim.oracle.reads


def main() -> None:
    engine_s, result = best_of(REPEATS, engine_batch)
    floor_s, floor_stale = best_of(REPEATS, bare_anyio_batch)
    print(f"engine : {RUNS} runs of the story scenario (naive-async), full history + oracle")
    print(
        f"         {engine_s:.3f} s  ({engine_s / RUNS * 1e6:.0f} us a run, "
        f"{result.events:,} events, {result.failures} failing runs)"
    )  # type: ignore[attr-defined]
    print(
        f"floor  : the same race on a bare anyio loop, no engine: {floor_s:.3f} s "
        f"({floor_s / RUNS * 1e6:.0f} us a run)"
    )
    print(f"ratio  : engine / floor = {engine_s / floor_s:.1f}x")
    fixed = bare_anyio_batch(offsets=False)
    print(
        f"         (the bare loop saw {floor_stale} stale reads in {RUNS * 3}; with every step "
        f"yielding once and no random offsets it saw {fixed}: FIFO order never picks the bad one)"
    )
    walls = []
    for _ in range(3):
        wall, ops, events, reads = sustained()
        walls.append(wall)
    wall = statistics.median(walls)
    print(
        f"sustained: 4 writers, 16 readers, 8 keys, 10 virtual seconds: {ops:,} store ops, "
        f"{reads:,} reads, {events:,} events in {wall:.2f} s wall"
    )
    print(f"           {ops / wall:,.0f} simulated store ops/s, {events / wall:,.0f} events/s")


if __name__ == "__main__":
    main()
