"""Several processes against one server (``--workers``): one merged history, one oracle.

The merge is checked on hand-made histories (no server, no clock); the workers on the
session's server, with a small batch."""

from __future__ import annotations

import json

import pytest

from cache.batch import RunSpec, run_batch
from cache.events import Event, Op, Phase, Source
from cache.oracle import Oracle
from cache.redis_merge import merge_histories
from cache.redis_url import check_redis_url
from cache.redis_workers import RedisWorkersTarget
from cache.scenarios.live import live_story
from cache.strategies.registry import load_strategy
from workbench.cli import main

KEY = "user:123"


def _write(t0: float, t1: float) -> list[Event]:
    """One process: the update's SET of v1, started at t0, acknowledged at t1."""
    return [
        Event(1, t0, Phase.START, 1, 0, "updater", Op.SET, KEY, 1),
        Event(2, t1, Phase.COMPLETE, 1, 0, "updater", Op.SET, KEY, 1),
    ]


def _read(t0: float, t1: float, version: int) -> list[Event]:
    """Another process: a read started at t0 that returned ``version`` at t1."""
    return [
        Event(1, t0, Phase.START, 1, 0, "reader-1", Op.GET, KEY),
        Event(2, t1, Phase.COMPLETE, 1, 0, "reader-1", Op.GET, KEY, version, Source.RELATED),
    ]


def _stale(events: list[Event]) -> int:
    oracle = Oracle()
    oracle.preload(KEY, 0)
    oracle.feed_all(events)
    return oracle.stale


def test_a_read_in_another_process_after_the_acknowledgement_is_judged_stale() -> None:
    merged = merge_histories([_write(0.001, 0.002), _read(0.003, 0.004, 0)])
    assert [e.task for e in merged] == ["w1:updater", "w1:updater", "w2:reader-1", "w2:reader-1"]
    assert [e.span for e in merged] == [1, 1, 3, 3]  # renumbered: unique across processes
    assert _stale(merged) == 1


def test_a_read_overlapping_the_write_in_another_process_is_not_stale() -> None:
    assert _stale(merge_histories([_write(0.001, 0.003), _read(0.002, 0.004, 0)])) == 0


def test_a_read_starting_at_the_same_instant_as_the_acknowledgement_counts_as_overlapping() -> None:
    # The clock cannot tell which came first: never invent a stale read from a tie.
    assert _stale(merge_histories([_write(0.001, 0.002), _read(0.002, 0.004, 0)])) == 0
    assert _stale(merge_histories([_read(0.002, 0.004, 0), _write(0.001, 0.002)])) == 0


@pytest.mark.redis
@pytest.mark.timeout(90)
def test_two_workers_play_each_run_and_a_fix_stays_clean(redis_url: str) -> None:
    url = check_redis_url(redis_url)
    naive = run_batch(
        RunSpec(live_story(), load_strategy("naive-async")), 40, 1, RedisWorkersTarget(url)
    )
    # Each run: 3 readers x 3 reads + a final read, in each of the two processes.
    assert (naive.completed, naive.reads, naive.stopped_by) == (40, 40 * 10 * 2, "")
    fixed = run_batch(
        RunSpec(live_story(), load_strategy("transaction")), 40, 1, RedisWorkersTarget(url)
    )
    assert (fixed.completed, fixed.stale_reads) == (40, 0)


@pytest.mark.redis
@pytest.mark.timeout(90)
def test_the_cli_runs_workers_and_refuses_them_without_redis(
    redis_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main(["run", "--backend", "redis", "--redis-url", redis_url, "--workers", "2",
              "-s", "lock", "-n", "20", "--json"])  # fmt: skip
    assert done.value.code in (0, None)
    figures = json.loads(capsys.readouterr().out)
    assert (figures["completed"], figures["reads"], figures["stale_reads"]) == (20, 400, 0)
    with pytest.raises(SystemExit) as refused:
        main(["run", "--workers", "2", "-n", "3"])
    assert refused.value.code == 2
    assert "--workers needs --backend redis" in capsys.readouterr().err
