"""Every race of docs/races.md on a real Redis server: the broken strategy and each fix, N runs
each, as the table in docs/races.md reports them. Prints its figures; asserts nothing.

    python benchmarks/races_redis.py                       # starts its own redis-server
    python benchmarks/races_redis.py --url redis://127.0.0.1:6379/0 --runs 1000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

# The tests' throwaway redis-server helper lives beside the benchmarks, in the checkout.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cache import RunSpec, run_batch
from cache.redis_run import RedisServerTarget
from cache.redis_url import check_redis_url
from cache.scenarios.registry import RACES, scenario_named
from cache.strategies.registry import strategies_for
from tests.redis_process import RedisProcess, redis_server_or_skip


def measure(url: str, runs: int, seed: int) -> None:
    target = RedisServerTarget(check_redis_url(url), parallel=4)
    print(f"{'race':12} {'strategy':18} {'failing runs':>14} {'stale':>6} {'lost':>6} {'s':>6}")
    for race in RACES:
        for cls in strategies_for(race):
            began = time.perf_counter()
            result = run_batch(RunSpec(scenario_named(race), cls), runs, seed, target)
            print(
                f"{race:12} {cls.name:18} {result.failures:>6}/{result.completed:<7} "
                f"{result.stale_reads:>6} {result.lost_updates:>6} "
                f"{time.perf_counter() - began:>6.2f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=None, help="a loopback server (default: start one)")
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.url:
        measure(args.url, args.runs, args.seed)
        return
    binary = redis_server_or_skip("benchmarks/races_redis.py starts its own server")
    server = RedisProcess.start(binary, Path(tempfile.mkdtemp()))
    try:
        measure(server.url, args.runs, args.seed)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
