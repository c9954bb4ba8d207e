"""Shared fixtures. Tests are deterministic: every run is seeded, time is virtual.

The exception is the Redis tests (``@pytest.mark.redis``), which run against a real server:
``REDIS_URL`` if set (CI starts one), else a ``redis-server`` this session starts on a free
loopback port; without either they skip, except under ``CI``, where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from cache import Knobs, RunSpec, StoryScenario, load_strategy
from cache.redis_url import BadRedisUrl, RemoteRedisRefused, check_redis_url
from tests.redis_process import RedisProcess, redis_server_or_skip

# Property tests explore a fixed sequence of examples: the same on every machine and every
# run, so a failure is reproducible and never a flake.
# HYPOTHESIS_PROFILE=explore searches afresh, for a developer hunting new counterexamples.
settings.register_profile("deterministic", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("explore", max_examples=3000, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))


@pytest.fixture
def story() -> StoryScenario:
    return StoryScenario()


def spec(strategy: str, widen_ms: float = 0.0, **scenario: object) -> RunSpec:
    """A run spec for the story scenario with the given strategy."""
    return RunSpec(StoryScenario(**scenario), load_strategy(strategy), Knobs(widen_ms=widen_ms))  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis server for the whole session. Tests share it safely: every run writes under
    a prefix of its own and deletes only that."""
    given = os.environ.get("REDIS_URL")
    if given:
        try:
            check_redis_url(given)
        except (BadRedisUrl, RemoteRedisRefused) as error:
            pytest.fail(f"REDIS_URL is not usable for tests: {error}")
        yield given
        return
    binary = redis_server_or_skip("REDIS_URL is not set")
    server = RedisProcess.start(binary, tmp_path_factory.mktemp("redis"))
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisProcess]:
    """A server for one test alone, which the test may kill."""
    binary = redis_server_or_skip("this test kills its own server")
    server = RedisProcess.start(binary, tmp_path)
    try:
        yield server
    finally:
        server.stop()
