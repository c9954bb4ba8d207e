"""A throwaway three-node Redis Cluster on loopback for tests: three ``redis-server
--cluster-enabled yes`` on free ports, joined by ``redis-cli --cluster create``, every step
bounded in time, every process stopped by the fixture that started them."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.redis_process import RedisProcess, redis_server_or_skip

__all__ = ["RedisCluster3", "redis_cli_or_skip"]

_CREATE_WITHIN_S = 20.0
_READY_WITHIN_S = 15.0


def redis_cli_or_skip() -> str:
    """The path of ``redis-cli`` (Debian's redis-tools, installed with redis-server);
    otherwise skip, or fail under ``CI``, whose script installs it."""
    binary = shutil.which("redis-cli")
    if binary is None:
        message = (
            "a cluster is created with redis-cli, which is not on PATH "
            "(apt-get install redis-tools)"
        )
        if os.environ.get("CI"):
            pytest.fail(f"CI is set, so this is an error, not a skip: {message}")
        pytest.skip(message)
    return binary


class RedisCluster3:
    """Three primaries, no replicas, every slot assigned."""

    def __init__(self, nodes: list[RedisProcess], cli: str) -> None:
        self.nodes = nodes
        self.cli = cli

    @property
    def url(self) -> str:
        return self.nodes[0].url

    @classmethod
    def start(cls, directory: Path) -> RedisCluster3:
        binary = redis_server_or_skip("the cluster tests start their own nodes")
        cli = redis_cli_or_skip()
        nodes: list[RedisProcess] = []
        try:
            for i in range(3):
                home = directory / f"node{i}"
                home.mkdir()
                nodes.append(
                    RedisProcess.start(
                        binary,
                        home,
                        extra=("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                               "--cluster-node-timeout", "2000"),
                    )
                )  # fmt: skip
            cluster = cls(nodes, cli)
            cluster._create()
            return cluster
        except BaseException:
            for node in nodes:
                node.kill()
            raise

    def _create(self) -> None:
        addresses = [f"127.0.0.1:{node.port}" for node in self.nodes]
        done = subprocess.run(
            [self.cli, "--cluster", "create", *addresses, "--cluster-replicas", "0",
             "--cluster-yes"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=_CREATE_WITHIN_S,
            check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"redis-cli --cluster create failed: {done.stdout[-500:]!r}")
        deadline = time.monotonic() + _READY_WITHIN_S
        while time.monotonic() < deadline:
            states = [self._state(node) for node in self.nodes]
            if all(state == "ok" for state in states):
                return
            time.sleep(0.05)  # bounded wait for the nodes to agree, as allowed
        raise RuntimeError(f"the cluster did not become ready within {_READY_WITHIN_S:g}s")

    def _state(self, node: RedisProcess) -> str:
        out = subprocess.run(
            [self.cli, "-p", str(node.port), "cluster", "info"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout
        for line in out.splitlines():
            if line.startswith("cluster_state:"):
                return line.split(":", 1)[1].strip()
        return ""

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()
