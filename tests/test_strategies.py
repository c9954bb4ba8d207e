"""Each strategy's stated guarantee, checked over seeded batches and a sustained workload."""

from __future__ import annotations

import pytest

from cache import (
    ALL_CHANGES,
    Change,
    KeySpace,
    Knobs,
    RunSpec,
    Simulation,
    StoryScenario,
    StrategyFailed,
    StrategyNotFound,
    SustainedWorkload,
    load_strategy,
    run_batch,
)
from cache.events import Op
from cache.oracle import Anomaly
from cache.strategies.registry import BUILTIN

from .conftest import spec

CORRECT = ["sync", "lock", "transaction", "versioned", "watch"]


def test_every_builtin_has_a_description_and_a_guarantee() -> None:
    assert list(BUILTIN) == ["sync", "naive-async", "lock", "transaction", "versioned", "watch"]
    for cls in BUILTIN.values():
        assert cls.description and cls.guarantee
        assert "async def update" in cls.source()


def test_naive_async_returns_old_related_entries() -> None:
    result = run_batch(spec("naive-async"), 300, seed=11)
    assert result.failures > 0
    assert set(result.by_kind) == {Anomaly.MISSED_INVALIDATION}


@pytest.mark.parametrize("name", CORRECT)
def test_fixes_never_return_stale_data_in_the_story(name: str) -> None:
    result = run_batch(spec(name), 500, seed=11)
    assert result.stale_reads == 0 and result.failures == 0
    assert result.reads == 500 * 3


@pytest.mark.parametrize("name", CORRECT)
def test_fixes_hold_with_the_window_widened(name: str) -> None:
    result = run_batch(spec(name, widen_ms=100), 200, seed=5)
    assert result.stale_reads == 0


def test_widening_the_window_makes_the_race_common() -> None:
    narrow = run_batch(spec("naive-async"), 200, seed=5).rate
    wide = run_batch(spec("naive-async", widen_ms=100), 200, seed=5).rate
    assert wide.low > narrow.high  # the intervals do not even overlap


def test_versioned_detects_and_repairs_what_naive_would_have_served() -> None:
    naive = run_batch(spec("naive-async"), 1000, seed=3)
    versioned = run_batch(spec("versioned"), 1000, seed=3)
    assert versioned.stale_reads == 0
    assert versioned.detected > 0 and versioned.repaired == versioned.detected
    # It runs the same naive update, so the mismatches it catches are the stale reads
    # naive serves, give or take the timing its extra repair round trips shift.
    assert versioned.detected >= naive.stale_reads // 2


def _sustained(strategy: str, seconds: float = 1.0, **kw: object) -> Simulation:
    scenario = SustainedWorkload(duration=seconds, **kw)  # type: ignore[arg-type]
    sim = Simulation(scenario, load_strategy(strategy), seed=2024)
    sim.run()
    return sim


def test_sustained_workload_keeps_the_race_recurring_for_naive() -> None:
    sim = _sustained("naive-async")
    assert sim.oracle.reads > 2000
    assert sim.oracle.stale > 20
    assert sim.now() >= 1.0


@pytest.mark.parametrize("name", CORRECT)
def test_sustained_workload_has_no_stale_reads_with_a_fix(name: str) -> None:
    sim = _sustained(name)
    assert sim.oracle.reads > 100
    assert sim.oracle.stale == 0


def test_the_synchronous_client_is_correct_and_slow() -> None:
    # Every call blocks the whole program: an order of magnitude fewer reads get through.
    assert _sustained("sync").oracle.reads * 5 < _sustained("naive-async").oracle.reads


def test_lock_makes_readers_wait_and_costs_throughput() -> None:
    naive = _sustained("naive-async")
    lock = _sustained("lock")
    waits = [e for e in lock.history if e.op is Op.READ and "waited for lock" in e.note]
    assert waits
    assert lock.oracle.reads < naive.oracle.reads


def test_watch_counts_retries_under_contention() -> None:
    sim = _sustained("watch", writers=12, keys=KeySpace(1), write_think_ms=1.0)
    retries = [e for e in sim.history if e.op is Op.EXEC and e.note == "aborted"]
    assert retries
    assert sim.oracle.stale == 0


def test_watch_gives_up_when_it_may_not_retry() -> None:
    scenario = SustainedWorkload(duration=0.5, writers=12, keys=KeySpace(1), write_think_ms=1.0)
    sim = Simulation(scenario, load_strategy("watch"), seed=1, knobs=Knobs(max_retries=0))
    sim.run()
    assert sim.cache.abandoned > 0
    assert sim.oracle.stale == 0


def test_switching_off_the_async_optimization_removes_the_race() -> None:
    without = frozenset({Change.PREWARM, Change.TTL_REFRESH})
    result = run_batch(spec("naive-async", changes=without), 1000, seed=1)
    assert result.failures == 0


@pytest.mark.parametrize("innocent", [Change.PREWARM, Change.TTL_REFRESH])
def test_the_other_two_changes_are_not_the_cause(innocent: Change) -> None:
    result = run_batch(spec("naive-async", changes=ALL_CHANGES - {innocent}), 1000, seed=1)
    assert 0.03 <= result.rate.value <= 0.15


def test_a_users_strategy_loads_from_an_import_path() -> None:
    cls = load_strategy("tests.user_strategies:WriteThrough")
    assert cls.name == "write-through"
    result = run_batch(RunSpec(StoryScenario(), cls), 300, seed=4)
    assert result.failures > 0  # overwriting instead of deleting is just as racy


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("nope", "unknown strategy 'nope'; choose one of sync, naive-async"),
        ("tests.user_strategies:Missing", "has no 'Missing'"),
        ("tests.user_strategies:NotAStrategy", "not a subclass of cache.Strategy"),
        ("tests.user_strategies:Incomplete", "abstract"),
        ("no_such_module_anywhere:X", "cannot import 'no_such_module_anywhere'"),
        ("tests.user_strategies:", "not of the form module:Class"),
    ],
)
def test_bad_strategy_paths_say_what_is_wrong(path: str, message: str) -> None:
    with pytest.raises(StrategyNotFound, match=message.replace("(", r"\(")):
        load_strategy(path)


def test_a_strategy_that_raises_is_reported_by_name() -> None:
    sim = Simulation(StoryScenario(), load_strategy("tests.user_strategies:Explodes"), seed=1)
    with pytest.raises(StrategyFailed, match=r"'explodes' raised in update: RuntimeError"):
        sim.run()


def test_a_read_that_returns_the_wrong_type_is_reported() -> None:
    sim = Simulation(StoryScenario(), load_strategy("tests.user_strategies:ReturnsGarbage"), seed=1)
    with pytest.raises(StrategyFailed, match=r"not a cache\.Read"):
        sim.run()


def test_an_abandoned_lock_expires_instead_of_hanging_readers() -> None:
    cls = load_strategy("tests.user_strategies:ForgetsToUnlock")
    sim = Simulation(StoryScenario(), cls, seed=1, knobs=Knobs(lock_ttl_ms=300))
    sim.run()
    assert sim.finished
    assert sim.oracle.reads == 3
