"""Where a failure becomes inevitable: for each prefix of a failing schedule, the share of
``k`` random continuations from it that still end with a stale read."""

from __future__ import annotations

from collections.abc import Sequence

from cache.batch import derive_seed
from cache.explore.schedule import SeededRandom, play
from cache.explore.spec import ExploreSpec

__all__ = ["causality"]


def causality(spec: ExploreSpec, seed: int, steps: Sequence[str], k: int = 20) -> list[float]:
    """``result[i]``: the probability (over ``k`` continuations) that the run ends stale once
    the first ``i + 1`` steps are fixed; one value per step."""
    if k < 1:
        raise ValueError(f"need at least one continuation, not {k}")
    values = []
    for i in range(len(steps)):
        prefix = steps[: i + 1]
        stale = 0
        for j in range(k):
            played = play(spec, seed, SeededRandom(derive_seed(seed, i * k + j + 1)), prefix)
            stale += played.failed
        values.append(stale / k)
    return values
