"""Same seed, same interleaving, same history; other seeds, other interleavings."""

from __future__ import annotations

import pytest

from cache import Simulation, SustainedWorkload, derive_seed, load_strategy, run_batch
from cache.strategies.registry import BUILTIN

from .conftest import spec


def _history(strategy: str, seed: int, widen_ms: float = 0.0) -> list[tuple[object, ...]]:
    sim = spec(strategy, widen_ms=widen_ms).simulate(seed)
    sim.run()
    return [tuple(e) for e in sim.history]


@pytest.mark.parametrize("strategy", list(BUILTIN))
def test_same_seed_gives_an_identical_history(strategy: str) -> None:
    assert _history(strategy, 77) == _history(strategy, 77)


def test_other_seeds_give_other_interleavings() -> None:
    orders = {
        tuple((e[5], e[6].value, e[2].value) for e in _history("naive-async", seed))  # type: ignore[union-attr]
        for seed in range(30)
    }
    assert len(orders) == 30


def test_sustained_workload_is_reproducible_too() -> None:
    def run(seed: int) -> list[tuple[object, ...]]:
        sim = Simulation(SustainedWorkload(duration=0.2), load_strategy("lock"), seed)
        sim.run()
        return [tuple(e) for e in sim.history]

    assert run(5) == run(5)
    assert run(5) != run(6)


def test_a_batch_is_reproducible_and_its_runs_replay_alone() -> None:
    first = run_batch(spec("naive-async"), 200, seed=9)
    second = run_batch(spec("naive-async"), 200, seed=9)
    assert first.failed_runs == second.failed_runs and first.failed_runs
    for run in first.failed_runs:
        sim = spec("naive-async").simulate(derive_seed(9, run))
        sim.run()
        assert sim.oracle.stale > 0


def test_run_seeds_are_distinct_across_runs_and_base_seeds() -> None:
    seeds = {derive_seed(base, run) for base in range(20) for run in range(1, 501)}
    assert len(seeds) == 20 * 500


def test_run_in_slices_equals_run_at_once() -> None:
    # The live view advances a simulation a frame at a time; it must not change a thing.
    whole = spec("naive-async").simulate(3)
    whole.run()
    sliced = spec("naive-async").simulate(3)
    t = 0.0
    while not sliced.finished:
        t += 0.0017
        sliced.run(until=t)
    assert [tuple(e) for e in sliced.history] == [tuple(e) for e in whole.history]
