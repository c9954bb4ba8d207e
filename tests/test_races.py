"""The races beyond the story (docs/races.md): each broken strategy shows its anomaly over a
batch, each fix shows none, in the simulator (1000 runs) and on a real Redis server."""

from __future__ import annotations

import asyncio
import json

import pytest

from cache import RunSpec, Simulation, load_strategy, run_batch
from cache.backends.base import FillIf
from cache.batch import BatchResult
from cache.events import Op, Phase
from cache.oracle import Anomaly
from cache.redis_run import RedisServerTarget
from cache.redis_url import check_redis_url
from cache.scenarios.registry import RACES, check_fits, scenario_named
from cache.strategies.registry import ALL_STRATEGIES, strategies_for

SIM_RUNS = 1000
REDIS_RUNS = 150  # per strategy: 16 strategies, a few milliseconds a run
BROKEN = {
    "stale-set": "fill",
    "ttl-refresh": "refresh-rewrite",
    "prewarm": "prewarm-overwrite",
    "lost-update": "counter-rmw",
    "replica-lag": "replica-fill",
}
PAIRS = [(race, cls.name) for race in RACES for cls in strategies_for(race)]


def _anomalies(result: BatchResult) -> int:
    return result.stale_reads + result.lost_updates


def _check(race: str, strategy: str, result: BatchResult, runs: int) -> None:
    assert result.completed == runs and not result.stopped_by
    if strategy == BROKEN[race]:
        assert result.failures > 0 and _anomalies(result) > 0
    else:
        assert result.failed_runs == [] and _anomalies(result) == 0


def test_every_race_has_its_broken_strategy_first_and_at_least_two_fixes() -> None:
    for race, broken in BROKEN.items():
        names = [cls.name for cls in strategies_for(race)]
        assert names[0] == broken and len(names) >= 3
    for cls in ALL_STRATEGIES.values():
        assert cls.name and cls.description and cls.guarantee


@pytest.mark.parametrize(("race", "strategy"), PAIRS)
def test_a_simulated_batch_shows_the_race_only_without_a_fix(race: str, strategy: str) -> None:
    result = run_batch(RunSpec(scenario_named(race), load_strategy(strategy)), SIM_RUNS, 1)
    _check(race, strategy, result, SIM_RUNS)
    if strategy == BROKEN[race] and race != "lost-update":
        # The old value came out of the cached copy: what the learner sees in the timeline.
        assert set(result.by_kind) == {Anomaly.MISSED_INVALIDATION}


def test_a_scenario_refuses_the_strategies_of_another_race() -> None:
    with pytest.raises(ValueError, match="choose one of fill, fill-lease, fill-versioned"):
        RunSpec(scenario_named("stale-set"), load_strategy("lock"))
    with pytest.raises(ValueError, match="written for the lost-update race"):
        check_fits(scenario_named("prewarm"), load_strategy("counter-incr"))
    with pytest.raises(ValueError, match="unknown scenario 'nope'; choose one of story"):
        scenario_named("nope")


def test_the_canonical_stale_set_names_the_write_the_cache_missed() -> None:
    spec = RunSpec(scenario_named("stale-set"), load_strategy("fill"))
    for seed in range(100):
        sim = Simulation(spec.scenario, spec.strategy, seed)
        sim.run()
        final = [e for e in sim.history if e.task == "test" and e.op is Op.GET]
        stale = [v for v in sim.oracle.stale_reads if v.read.task == "test"]
        if stale:
            break
    else:
        pytest.fail("no run of 100 left a stale fill behind for the final read")
    # The fill that carried the old value landed after the update that invalidated it.
    verdict = stale[0]
    fills = [
        e
        for e in sim.history
        if e.op is Op.FILL and e.phase is Phase.COMPLETE and e.version == verdict.read.version
    ]
    assert final and fills
    assert fills[-1].time > verdict.missed.end
    assert f"missing v{verdict.missed.version}" in verdict.explain()


def test_a_lost_update_names_both_increments_and_the_counter_ends_short() -> None:
    scenario = scenario_named("lost-update")
    sim = Simulation(scenario, load_strategy("counter-rmw"), 3)
    sim.run()
    lost = list(sim.oracle.lost_updates)
    assert lost and sim.oracle.lost == len(lost)
    first, second = lost[0].first, lost[0].second
    assert first.wrote == second.wrote and first.span != second.span
    assert f"both read v{second.wrote - 1}" in lost[0].explain()
    assert lost[0].to_dict()["kind"] == "lost-update"
    completed = sum(1 for e in sim.history if e.op is Op.INCREMENT and e.phase is Phase.COMPLETE)
    assert sim.backend.data["user:123"] <= completed - sim.oracle.lost


def test_a_lease_is_voided_by_the_delete_and_a_tombstone_refuses_older_fills() -> None:
    from cache.backends.memory import SimBackend
    from cache.scheduler.core import Scheduler

    scheduler = Scheduler(1)
    store = SimBackend(scheduler)
    outcomes: list[object] = []

    async def steps() -> None:
        token = await store.lease("k", 1.0)
        assert token is not None and await store.lease("k", 1.0) is None  # one lease
        await store.delete(("k",))
        outcomes.append(await store.fill("k", 42, FillIf.LEASE, token))
        await store.tombstone("k", 43)
        outcomes.append(await store.fill("k", 42, FillIf.NEWER))
        outcomes.append(await store.fill("k", 42, FillIf.ABSENT))  # a tombstone is not empty
        outcomes.append(await store.fill("k", 43, FillIf.NEWER))
        outcomes.append(await store.fill("k", 42, FillIf.SAME))

    scheduler.spawn(steps(), "t")
    scheduler.run()
    assert outcomes == [False, False, False, True, False]
    assert store.data["k"] == 43


@pytest.mark.redis
def test_the_store_primitives_behave_alike_on_redis(redis_url: str) -> None:
    from cache.backends.redis_server import RedisServer
    from cache.backends.redis_store import RedisBackend

    async def steps() -> list[object]:
        async with await RedisServer.connect(check_redis_url(redis_url)) as server:
            store = RedisBackend(server)
            token = await store.lease("k", 1.0)
            got: list[object] = [token is not None, await store.lease("k", 1.0)]
            got.append((await store.cached("k")).value)  # a lease reads as a miss
            await store.delete(("k",))
            got.append(await store.fill("k", 42, FillIf.LEASE, token or ""))
            await store.tombstone("k", 43)
            got.append(tuple(await store.cached("k")))
            got += [
                await store.fill("k", 42, FillIf.NEWER),
                await store.fill("k", 42, FillIf.ABSENT),
                await store.fill("k", 43, FillIf.NEWER),
                await store.fill("k", 42, FillIf.SAME),
                await store.incr("n"),
                await store.incr("n", script=True),
            ]
            await store.close()
            return got

    lease, fills, counter = (
        [True, None, None, False, (None, 43)],
        [False, False, True, False],
        [1, 2],
    )
    assert asyncio.run(steps()) == [*lease, *fills, *counter]


@pytest.mark.redis
@pytest.mark.parametrize(("race", "strategy"), PAIRS)
def test_a_batch_on_redis_shows_the_race_only_without_a_fix(
    redis_url: str, race: str, strategy: str
) -> None:
    target = RedisServerTarget(check_redis_url(redis_url), parallel=4)
    spec = RunSpec(scenario_named(race), load_strategy(strategy))
    result = run_batch(spec, REDIS_RUNS, 1, target)
    _check(race, strategy, result, REDIS_RUNS)


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    from workbench.cli import main

    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 1), out, err


def test_workbench_run_selects_a_race_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _cli(capsys, "run", "--scenario", "lost-update", "--json", "-n", "50")
    result = json.loads(out)
    assert code == 0 and result["strategy"] == "counter-rmw"  # the race's broken one
    assert result["scenario"] == "lost-update" and result["lost_updates"] > 0
    code, out, _ = _cli(capsys, "run", "--scenario", "stale-set", "-s", "fill-lease", "-n", "50")
    assert code == 0 and "0 of 50 runs failed" in out
    code, _, err = _cli(capsys, "run", "--scenario", "prewarm", "-s", "lock")
    assert code == 2 and "choose one of prewarm-overwrite, prewarm-add" in err
    code, _, err = _cli(capsys, "run", "--scenario", "prewarm", "--workload", "sustained")
    assert code == 2 and "--workload cannot be combined with --scenario prewarm" in err
