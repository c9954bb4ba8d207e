"""Batches take the fast path - verdicts only, on every core - and must not notice: the same
failing runs and the same counts as recording every event in one process."""

from __future__ import annotations

import pytest

from cache import BUILTIN, Knobs, RunSpec, StoryScenario, SustainedWorkload, load_strategy
from cache.batch import BatchResult, derive_seed, run_batch
from cache.parallel import CHUNK, ParallelSimulatorTarget
from cache.scenarios.registry import scenario_named
from cache.strategies.base import Context
from cache.strategies.naive import NaiveAsyncStrategy
from cache.strategies.registry import RACE_STRATEGIES
from workbench.cli import main

from .conftest import spec


def _full_recording(spec: RunSpec, runs: int, seed: int) -> BatchResult:
    """The batch the slow way: every event recorded, the oracle fed from the history."""
    result = BatchResult.empty(spec, runs, seed)
    for number in range(1, runs + 1):
        sim = spec.simulate(derive_seed(seed, number))
        sim.run()
        assert sim.history.total == len(sim.history)  # really recorded
        result.add(number, sim.outcome())
    return result


def _same(a: BatchResult, b: BatchResult) -> None:
    a.elapsed = b.elapsed = 0.0
    assert a == b


@pytest.mark.parametrize("strategy", list(BUILTIN))
@pytest.mark.parametrize("widen_ms", [0.0, 100.0])
def test_verdicts_only_equal_the_full_recording(strategy: str, widen_ms: float) -> None:
    batch = spec(strategy, widen_ms)
    fast = run_batch(batch, 400, seed=11)
    _same(fast, _full_recording(batch, 400, seed=11))
    assert fast.events > 0


@pytest.mark.parametrize(
    "strategy", list(RACE_STRATEGIES), ids=lambda name: name
)
def test_verdicts_only_equal_the_full_recording_in_every_race(strategy: str) -> None:
    cls = RACE_STRATEGIES[strategy]
    batch = RunSpec(scenario_named(cls.race), cls, Knobs())
    fast = run_batch(batch, 60, seed=3)
    _same(fast, _full_recording(batch, 60, seed=3))


def test_verdicts_only_equal_the_full_recording_under_sustained_load() -> None:
    for strategy in ("naive-async", "versioned", "lock"):
        batch = RunSpec(SustainedWorkload(duration=0.3), load_strategy(strategy), Knobs())
        _same(run_batch(batch, 4, seed=5), _full_recording(batch, 4, seed=5))


def test_a_failing_run_still_replays_with_its_whole_history() -> None:
    batch = spec("naive-async")
    result = run_batch(batch, 300, seed=1)
    assert result.failed_runs
    sim = batch.simulate(derive_seed(1, result.failed_runs[0]))
    sim.run()
    assert sim.oracle.stale and len(sim.history) > 0


RUNS = 4 * CHUNK + 123  # several chunks and a ragged end


def test_jobs_2_gives_the_failing_runs_of_jobs_1() -> None:
    batch = spec("naive-async", 20.0)
    parallel = run_batch(batch, RUNS, seed=3, target=ParallelSimulatorTarget(2))
    alone = run_batch(batch, RUNS, seed=3)
    assert parallel.failures > 0
    _same(parallel, alone)


class _CrashesLate(NaiveAsyncStrategy):
    """Raises in the rare runs whose update comes in the last 0.1 ms of its window."""

    name = "crashes-late"

    async def update(self, ctx: Context, key: str, version: int) -> None:
        if ctx.runtime.now() > 0.1599:
            raise RuntimeError("too late")
        await super().update(ctx, key, version)


def test_a_run_that_fails_stops_both_at_the_same_run() -> None:
    batch = RunSpec(StoryScenario(), _CrashesLate)
    parallel = run_batch(batch, RUNS, seed=3, target=ParallelSimulatorTarget(2))
    alone = run_batch(batch, RUNS, seed=3)
    assert alone.stopped_by and alone.stopped_at > 2 * CHUNK  # in a later chunk
    _same(parallel, alone)


def test_ctrl_c_with_jobs_keeps_what_was_measured() -> None:
    batch = spec("naive-async")
    target = ParallelSimulatorTarget(2)

    def interrupt_after_first_step(result: BatchResult) -> None:
        if result.completed:
            raise KeyboardInterrupt

    stopped = run_batch(
        batch, 10 * target.step, seed=1, target=target, progress=interrupt_after_first_step
    )
    assert stopped.interrupted and stopped.completed == target.step
    whole = run_batch(batch, target.step, seed=1)
    assert stopped.failed_runs == whole.failed_runs and stopped.reads == whole.reads


def _cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    import json

    with pytest.raises(SystemExit) as exited:
        main(["run", "--json", *args])
    assert exited.value.code in (0, None)
    out: dict[str, object] = json.loads(capsys.readouterr().out)
    out.pop("elapsed_s")
    return out


def test_cli_jobs_gives_the_same_figures(capsys: pytest.CaptureFixture[str]) -> None:
    runs = str(2 * CHUNK + 7)
    two = _cli_json(capsys, "--runs", runs, "--jobs", "2", "--seed", "9")
    one = _cli_json(capsys, "--runs", runs, "--jobs", "1", "--seed", "9")
    assert two == one and two["failures"]
