"""Hardening on a live server: limits that hold, bad input found only once connected."""

from __future__ import annotations

import asyncio
import time

import pytest

from cache import Strategy, watchdog
from cache.backends.redis_server import RedisServer
from cache.batch import BatchResult, RunSpec, run_batch
from cache.errors import BadInput, RunFailed
from cache.realtime import RealtimeRuntime, RunStalled
from cache.redis_run import RedisServerTarget
from cache.redis_url import RedisDatabaseMissing, check_redis_url
from cache.scenarios.live import live_story
from cache.simulation import Knobs
from cache.strategies.registry import load_strategy
from tests import hostile_strategies as hostile

pytestmark = pytest.mark.redis


def test_a_hundred_readers_do_not_run_out_of_connections(redis_url: str) -> None:
    # redis-py's asyncio pool used to refuse the 101st connection: every run failed with
    # "Too many connections".
    spec = RunSpec(live_story(readers=150), load_strategy("naive-async"), Knobs())
    result = run_on_redis(spec, 2, 1, redis_url)
    assert result.stopped_by == ""
    assert result.completed == 2


def test_a_pool_smaller_than_the_run_makes_tasks_wait_not_fail(redis_url: str) -> None:
    spec = RunSpec(live_story(readers=40), load_strategy("watch"), Knobs())
    target = RedisServerTarget(check_redis_url(redis_url), max_connections=4)
    result = run_batch(spec, 3, 1, target)
    assert result.stopped_by == "" and result.completed == 3


def test_a_database_the_server_does_not_have_is_bad_input(redis_url: str) -> None:
    base = redis_url.rsplit("/", 1)[0] if redis_url.count("/") > 2 else redis_url
    target = check_redis_url(f"{base}/4000")

    async def main() -> None:
        await RedisServer.connect(target)

    with pytest.raises(RedisDatabaseMissing) as error:
        asyncio.run(main())
    assert isinstance(error.value, BadInput) and not isinstance(error.value, RunFailed)
    assert "no database 4000" in str(error.value)


def run_on_redis(spec: RunSpec, runs: int, seed: int, url: str) -> BatchResult:
    return run_batch(spec, runs, seed, RedisServerTarget(check_redis_url(url)))


def _redis_cases() -> list[type[Strategy]]:
    return [cls for cls in hostile.RUNNABLE if "redis" in cls.where]


@pytest.mark.parametrize("cls", _redis_cases(), ids=lambda cls: cls.name)
def test_every_hostile_strategy_on_redis_fails_cleanly(
    cls: type[Strategy], redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Blocks sleeps 0.3 s in the loop: well past a watchdog set to 0.1 s for the test.
    monkeypatch.setattr(watchdog, "BLOCKED_AFTER_S", 0.1)
    spec = RunSpec(live_story(), cls, Knobs())
    try:
        result = run_on_redis(spec, 2, 1, redis_url)
    except RunFailed as error:
        message = str(error)
    else:
        message = result.stopped_by
        assert not result.interrupted or message
    if message:
        assert "\n" not in message and "Traceback" not in message
        assert hostile.SECRET not in message
    if cls is hostile.Blocks:
        assert "task 'updater' blocked the event loop" in message


def test_the_watchdog_reports_a_loop_still_blocked(redis_url: str) -> None:
    seen: list[str] = []

    async def main() -> None:
        loop = asyncio.get_running_loop()
        dog = watchdog.LoopWatchdog.of(loop, 0.1)
        dog.on_blocked = seen.append
        runtime = RealtimeRuntime(blocked_after=0.1)

        async def blocker() -> None:
            time.sleep(0.4)  # noqa: ASYNC251 - blocking the loop is the point

        runtime.spawn(blocker(), "blocker")
        with pytest.raises(RunStalled, match="task 'blocker' blocked the event loop"):
            await runtime.wait(5.0)

    asyncio.run(main())
    assert seen and "task 'blocker' has blocked the event loop" in seen[0]
