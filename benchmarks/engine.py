"""How fast the race engine is, each figure beside its floor. Prints; asserts nothing.

    python benchmarks/engine.py [--million]

Engine and floor repetitions alternate (A, B, A, B, ...), so a noisy neighbour slows both
alike; each is reported as min and median, with the ratio of the medians (and of the mins).

1. Per core: a 1000-run batch of the story against naive-async, every read judged (the
   batch path: verdicts only, one process), against the floor: the story's tasks and awaits
   on a bare anyio loop (the same tasks, the same awaits, a dict for the store; no
   scheduler, no latency model, no history, no oracle). Goal: at most 0.25x.
2. With --million: ``workbench run --runs 1000000`` on every core (``--jobs``, default all),
   against the same floor's time for a million runs on one core divided by the cores. Goal:
   under 60 s.
3. The sustained workload: simulated store operations per second of wall-clock time.
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import anyio
import anyio.lowlevel

from cache import RunSpec, Simulation, StoryScenario, SustainedWorkload, load_strategy, run_batch
from cache.batch import derive_seed
from cache.events import Op, Phase
from cache.parallel import all_cores
from cache.scheduler.core import Scheduler

RUNS = 1000
REPEATS = 7
MILLION = 1_000_000


def alternate(repeats: int, *jobs: Callable[[], object]) -> list[list[float]]:
    """Times of each job, run A, B, C, A, B, C, ... ``repeats`` times each."""
    times: list[list[float]] = [[] for _ in jobs]
    for _ in range(repeats):
        for job, taken in zip(jobs, times, strict=True):
            began = time.perf_counter()
            job()
            taken.append(time.perf_counter() - began)
    return times


def engine_batch() -> object:
    return run_batch(RunSpec(StoryScenario(), load_strategy("naive-async")), RUNS, seed=1)


async def _bare_story(rng: random.Random) -> None:
    """The story's test on anyio: prewarm, a TTL refresher, one update (set, then delete
    each related entry), two readers and a final read; each round trip or sleep of the
    simulated run is one checkpoint here, and the refresher loops as often as it would."""
    store = {"user:123": 0, "user:123:profile": 0, "user:123:summary": 0}
    checkpoint = anyio.lowlevel.checkpoint
    update_at = rng.uniform(20.0, 160.0)
    reads_at = [rng.uniform(0.0, 200.0) for _ in range(2)]
    refreshes = int((max(update_at + 15.0, *reads_at) + 5.0) // 50.0)

    async def prewarm() -> None:
        await checkpoint()
        store["user:123:profile"] = store["user:123:summary"] = store["user:123"]

    async def refresh() -> None:
        for _ in range(refreshes):
            await checkpoint()  # the sleep
            await checkpoint()  # the touch
        await checkpoint()

    async def update() -> None:
        await checkpoint()
        await checkpoint()
        store["user:123"] = 1
        for key in ("user:123:profile", "user:123:summary"):
            await checkpoint()
            store.pop(key, None)

    async def read() -> None:
        await checkpoint()
        await checkpoint()
        if store.get("user:123:profile", store.get("user:123:summary")) is None:
            await checkpoint()  # the read-through rebuild

    async with anyio.create_task_group() as tg:
        tg.start_soon(prewarm)
        tg.start_soon(refresh)
        tg.start_soon(update)
        for _ in range(2):
            tg.start_soon(read)
    await read()


def bare_anyio_batch() -> None:
    async def main() -> None:
        rng = random.Random(1)
        for _ in range(RUNS):
            await _bare_story(rng)

    anyio.run(main)


def _skeleton_story(scheduler: Scheduler) -> None:
    """``_bare_story`` on the engine's own scheduler: the same tasks, each round trip a
    sleep of virtual time (as the simulated store's are); no store, history or oracle."""
    sleep = scheduler.sleep
    rng = scheduler.rng
    store = {"user:123": 0, "user:123:profile": 0, "user:123:summary": 0}
    update_at = rng.uniform(0.020, 0.160)
    reads_at = [rng.uniform(0.0, 0.200) for _ in range(2)]
    refreshes = int((max(update_at + 0.015, *reads_at) + 0.005) // 0.050)

    async def prewarm() -> None:
        await sleep(0.003)
        store["user:123:profile"] = store["user:123:summary"] = store["user:123"]

    async def refresh() -> None:
        for _ in range(refreshes):
            await sleep(0.050)
            await sleep(0.001)
        await sleep(0.001)

    async def update() -> None:
        await sleep(update_at)
        await sleep(0.005)
        store["user:123"] = 1
        for key in ("user:123:profile", "user:123:summary"):
            await sleep(0.005)
            store.pop(key, None)

    async def read(at: float) -> None:
        await sleep(at)
        await sleep(0.002)
        if store.get("user:123:profile", store.get("user:123:summary")) is None:
            await sleep(0.003)

    async def test() -> None:
        scheduler.spawn(prewarm(), "prewarm")
        scheduler.spawn(refresh(), "ttl-refresh")
        workers = [scheduler.spawn(update(), "updater")]
        workers += [scheduler.spawn(read(at), f"reader-{i}") for i, at in enumerate(reads_at)]
        for worker in workers:
            await scheduler.join(worker)
        await read(0.0)

    scheduler.spawn(test(), "test")


def skeleton_batch() -> None:
    for number in range(1, RUNS + 1):
        scheduler = Scheduler(derive_seed(1, number))
        _skeleton_story(scheduler)
        scheduler.run()


def million(jobs: int) -> tuple[float, str]:
    began = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "workbench", "run", "--runs", str(MILLION), "--jobs", str(jobs)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return time.perf_counter() - began, out.strip().splitlines()[-3]


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


def _us(seconds: float) -> str:
    return f"{seconds / RUNS * 1e6:.0f} us a run"


def main() -> None:
    engine, floor, skeleton = alternate(REPEATS, engine_batch, bare_anyio_batch, skeleton_batch)
    e_min, e_med = min(engine), statistics.median(engine)
    f_min, f_med = min(floor), statistics.median(floor)
    s_min, s_med = min(skeleton), statistics.median(skeleton)
    print(f"per core, {RUNS} story runs (naive-async, every read judged), {REPEATS} x A/B/C:")
    print(f"  engine   : min {e_min:.3f} s ({_us(e_min)}), median {e_med:.3f} s ({_us(e_med)})")
    print(f"  floor    : min {f_min:.3f} s ({_us(f_min)}), median {f_med:.3f} s ({_us(f_med)})")
    print(
        f"  ratio    : {e_med / f_med:.2f}x (medians), {e_min / f_min:.2f}x (mins); "
        f"goal <= 0.25x: {'met' if e_med / f_med <= 0.25 else 'NOT met'}"
    )
    print(
        f"  skeleton : min {s_min:.3f} s ({_us(s_min)}), median {s_med:.3f} s ({_us(s_med)}); "
        f"{s_med / f_med:.2f}x the floor: the story's tasks and sleeps alone on the engine's "
        "scheduler (no store, history or oracle), the least an engine run can cost"
    )
    if "--million" in sys.argv:
        jobs = all_cores()
        wall, summary = million(jobs)
        floor_wall = f_med / RUNS * MILLION / jobs
        print(f"a million runs, `workbench run --runs {MILLION:,} --jobs {jobs}`:")
        print(f"  engine : {wall:.1f} s  ({summary})")
        print(f"  floor  : {floor_wall:.1f} s (the bare-anyio median per run x 1M / {jobs} cores)")
        print(
            f"  ratio  : {wall / floor_wall:.2f}x; goal under 60 s: "
            f"{'met' if wall < 60 else 'NOT met'}"
        )
    walls = []
    wall, ops, events, reads = sustained()
    for _ in range(2):
        walls.append(sustained()[0])
    wall = statistics.median([wall, *walls])
    print(
        f"sustained: 4 writers, 16 readers, 8 keys, 10 virtual seconds: {ops:,} store ops, "
        f"{reads:,} reads, {events:,} events in {wall:.2f} s wall (median of 3)"
    )
    print(f"           {ops / wall:,.0f} simulated store ops/s, {events / wall:,.0f} events/s")


if __name__ == "__main__":
    main()
