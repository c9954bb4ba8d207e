"""``--workers`` with several runs in flight: outcomes in run order, every key cleaned up,
a failing run stopping the batch after the runs before it; and the merge of the workers'
packed events, which must judge exactly as the merge of their ``Event``s."""

from __future__ import annotations

from random import Random

import pytest
from redis import Redis

from cache.batch import RunSpec, run_batch
from cache.events import Event, Op, Phase, Source
from cache.knobs import Knobs
from cache.oracle import Oracle
from cache.redis_merge import JUDGED, merge_histories, merge_packed, pack
from cache.redis_url import check_redis_url
from cache.redis_workers import RedisWorkersTarget
from cache.scenarios.live import live_story
from cache.scenarios.registry import RACES, race_of, scenario_named
from cache.scenarios.story import StoryScenario
from cache.strategies.registry import load_strategy, strategies_for
from cache.wiring import preload
from tests import hostile_strategies as hostile
from tests.redis_process import RedisProcess

KEY = "user:123"


def _process(rng: Random, spans: int) -> list[Event]:
    """One process's history: writes and reads of KEY, some overlapping, at times drawn
    from a coarse grid so that processes tie often; a read nests a child span."""
    events: list[Event] = []
    clock = 0.0
    open_spans: list[tuple[int, Op, int | None]] = []
    next_span = 1
    while next_span <= spans or open_spans:
        clock += rng.choice((0.0, 0.001, 0.002))
        if next_span <= spans and (not open_spans or rng.random() < 0.5):
            op = rng.choice((Op.SET, Op.GET))
            version = rng.randint(1, 3) if op is Op.SET else None
            parent = open_spans[-1][0] if open_spans and rng.random() < 0.3 else 0
            events.append(Event(len(events) + 1, clock, Phase.START, next_span, parent,
                                "task", op, KEY, version))  # fmt: skip
            open_spans.append((next_span, op, version))
            next_span += 1
        else:
            span, op, version = open_spans.pop(rng.randrange(len(open_spans)))
            if op is Op.GET:
                events.append(Event(len(events) + 1, clock, Phase.COMPLETE, span, 0, "task",
                                    op, KEY, rng.randint(0, 3), Source.RELATED))  # fmt: skip
            else:
                events.append(Event(len(events) + 1, clock, Phase.COMPLETE, span, 0, "task",
                                    op, KEY, version, note="acked"))  # fmt: skip
    return events


def _judged(events: list[Event]) -> tuple[int, int]:
    oracle = Oracle()
    oracle.preload(KEY, 0)
    oracle.feed_all(events)
    return oracle.stale, oracle.reads


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_merging_packed_events_is_merging_the_events(workers: int) -> None:
    rng = Random(workers)
    for _ in range(30):
        parts = [_process(rng, rng.randint(1, 8)) for _ in range(workers)]
        merged = merge_packed([[pack(event) for event in part] for part in parts])
        assert merged == merge_histories(parts)
        assert _judged(merged) == _judged(merge_histories(parts))


def test_in_flight_is_checked() -> None:
    url = check_redis_url("redis://127.0.0.1:6379/0")
    with pytest.raises(ValueError, match="in_flight must be between 1 and 64, not 0"):
        RedisWorkersTarget(url, in_flight=0)


@pytest.mark.redis
@pytest.mark.timeout(90)
def test_runs_in_flight_all_complete_in_order_and_leave_no_key(own_redis: RedisProcess) -> None:
    target = RedisWorkersTarget(check_redis_url(own_redis.url), workers=2, in_flight=6)
    client = Redis.from_url(own_redis.url)
    # After each step (of 100 runs): how many runs were added, and how many keys are left.
    seen: list[tuple[int, int]] = []
    try:
        result = run_batch(
            RunSpec(live_story(), load_strategy("naive-async")),
            130,  # more than a step: the second starts with fresh lanes
            1,
            target,
            progress=lambda partial: seen.append((partial.completed, int(client.dbsize()))),
        )
        assert client.dbsize() == 0
    finally:
        client.close()
    assert (result.completed, result.reads, result.stopped_by) == (130, 130 * 10 * 2, "")
    assert seen == [(0, 0), (100, 0), (130, 0)]
    assert target.calls > 130 * 2 * 10 and target.busy > 0 and target.worker_cpu > 0


@pytest.mark.redis
@pytest.mark.timeout(90)
def test_a_failing_run_stops_the_batch_and_its_keys_go_too(own_redis: RedisProcess) -> None:
    target = RedisWorkersTarget(check_redis_url(own_redis.url), workers=2, in_flight=4)
    result = run_batch(RunSpec(live_story(), hostile.RaisesInRead), 20, 1, target)
    assert (result.completed, result.stopped_at) == (0, 1)
    assert "LookupError" in result.stopped_by and "\n" not in result.stopped_by
    with Redis.from_url(own_redis.url) as client:
        assert client.dbsize() == 0


def _verdicts(oracle: Oracle) -> tuple[object, ...]:
    return (oracle.reads, oracle.stale, dict(oracle.by_kind), oracle.detected, oracle.repaired,
            oracle.lost)  # fmt: skip


@pytest.mark.parametrize("scenario", ["story", *RACES])
def test_judging_only_what_workers_send_gives_every_strategys_verdicts(scenario: str) -> None:
    # Workers send the oracle only the operations in JUDGED: for every built-in strategy,
    # in the simulator, with the window widened so that runs fail, the verdicts must be
    # those of the whole history.
    story = scenario == "story"
    made = StoryScenario() if story else scenario_named(scenario)
    failing = 0
    for strategy in strategies_for(race_of(made)):
        for seed in range(12):
            sim = RunSpec(made, strategy, Knobs(widen_ms=100.0 if story else 0.0)).simulate(seed)
            sim.run()
            judged = Oracle()
            preload(judged, made, made.fixture())
            judged.feed_all(event for event in sim.history if event.op in JUDGED)
            assert _verdicts(judged) == _verdicts(sim.oracle), (strategy.name, seed)
            failing += judged.stale + judged.lost > 0
    assert failing > 0  # the comparison saw verdicts, not only clean runs
