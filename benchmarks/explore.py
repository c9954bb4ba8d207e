"""How fast the schedule explorer finds the story's stale read. Prints figures; asserts
nothing.

    python benchmarks/explore.py [--seeds 100] [--repeats 3]

For each of ``--seeds`` base seeds: how many schedules ``random`` (seeded, time order) and
``pct`` (depth 3, 50 ms skew) try before the first stale read; the median and mean of each.
Then schedules per second for each policy, repetitions alternating (A B A B ...) on this
noisy machine, min and median of the per-repetition rates.
"""

from __future__ import annotations

import argparse
import statistics
import time

from cache.explore import ExploreSpec
from cache.explore.search import Pct, RandomSearch, Search

LIMIT = 500


def first_failure(search: Search) -> int:
    for number, tried in enumerate(search.schedules(), 1):
        if tried.played.failed or number >= LIMIT:
            return number
    return LIMIT


def searches(policy: str, base: int) -> Search:
    if policy == "random":
        return RandomSearch(ExploreSpec.story("naive-async", skew_ms=0.0), base)
    return Pct(ExploreSpec.story("naive-async", skew_ms=50.0), base, depth=3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rates: dict[str, list[float]] = {"random": [], "pct": []}
    found: dict[str, list[int]] = {"random": [], "pct": []}
    for repeat in range(args.repeats):
        for policy in ("random", "pct") if repeat % 2 == 0 else ("pct", "random"):
            began = time.perf_counter()
            counts = [first_failure(searches(policy, base)) for base in range(1, args.seeds + 1)]
            elapsed = time.perf_counter() - began
            rates[policy].append(sum(counts) / elapsed)
            found[policy] = counts
    for policy in ("random", "pct"):
        counts = found[policy]
        print(
            f"{policy:>6}: schedules to the first stale read over {args.seeds} base seeds: "
            f"median {statistics.median(counts):g}, mean {statistics.mean(counts):.1f}; "
            f"schedules/s min {min(rates[policy]):,.0f} "
            f"median {statistics.median(rates[policy]):,.0f}"
        )


if __name__ == "__main__":
    main()
