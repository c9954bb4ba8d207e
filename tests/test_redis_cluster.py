"""``--redis-url`` pointing at a node of a Redis Cluster: three nodes on loopback, started by
the tests. Every run's keys share one slot (a hash tag), so the strategies that send
several keys in one atomic command work there; different runs land on different nodes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.exceptions import ResponseError

from cache.backends.redis_cluster import slot_of
from cache.backends.redis_server import RedisServer
from cache.backends.redis_store import RedisBackend
from cache.batch import RunSpec, run_batch
from cache.redis_run import RedisServerTarget
from cache.redis_url import check_redis_url
from cache.scenarios.live import live_story
from cache.strategies.registry import load_strategy
from tests.redis_cluster import RedisCluster3
from workbench.cli import main

pytestmark = [pytest.mark.redis, pytest.mark.timeout(60)]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisCluster3]:
    started = RedisCluster3.start(tmp_path_factory.mktemp("cluster"))
    try:
        yield started
    finally:
        started.stop()


@pytest.mark.parametrize("strategy", ["transaction", "watch", "lock", "versioned", "naive-async"])
def test_every_strategy_runs_on_a_cluster(cluster: RedisCluster3, strategy: str) -> None:
    spec = RunSpec(live_story(), load_strategy(strategy))
    result = run_batch(spec, 60, 1, RedisServerTarget(check_redis_url(cluster.url), parallel=4))
    assert (result.completed, result.stopped_by) == (60, "")
    assert result.reads == 60 * 10
    if strategy != "naive-async":
        assert result.stale_reads == 0


def test_a_run_keeps_its_keys_in_one_slot_and_runs_spread_over_the_nodes(
    cluster: RedisCluster3,
) -> None:
    async def body() -> None:
        async with await RedisServer.connect(check_redis_url(cluster.url)) as server:
            assert server.is_cluster
            nodes = set()
            for _ in range(12):
                store = RedisBackend(server)
                await store.load({"user:1": 0, "user:1:profile": 0})
                await store.exec([])  # a transaction on the run's node
                names = await server.keys(store.prefix)
                assert len({slot_of(name) for name in names}) == 1
                nodes.add(id(server.client_for(store.prefix)[0]))
            assert len(nodes) >= 2  # twelve runs, three nodes: not all on one
            assert await server.sweep() >= 24
            assert await server.keys(server.session) == []

    asyncio.run(body())


def test_without_a_shared_tag_the_cluster_refuses_a_multi_key_command(
    cluster: RedisCluster3,
) -> None:
    async def body() -> None:
        async with await RedisServer.connect(check_redis_url(cluster.url)) as server:
            prefix = server.session
            apart = [f"{prefix}a:user:1", f"{prefix}b:user:1:profile"]
            assert slot_of(apart[0]) != slot_of(apart[1])
            client = server.client_for(apart[0])[0]
            with pytest.raises(ResponseError, match="same slot"):
                await client.mget(apart)

    asyncio.run(body())


def test_the_cli_runs_a_batch_on_a_cluster(
    cluster: RedisCluster3, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with pytest.raises(SystemExit) as done:
        main(["run", "--backend", "redis", "--redis-url", cluster.url, "-s", "transaction",
              "-n", "40", "--json"])  # fmt: skip
    assert done.value.code in (0, None)
    figures = json.loads(capsys.readouterr().out)
    assert (figures["completed"], figures["stale_reads"], figures["backend"]) == (40, 0, "redis")
