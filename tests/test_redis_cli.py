"""``workbench run/replay --backend redis`` end to end, and what happens when the server is
not there or dies in the middle of a batch: one clear error line, exit code 1, what was
measured so far kept and printed, nothing left hanging."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cache.backends.base import BackendError
from cache.batch import BatchResult, RunSpec, drive, run_batch
from cache.redis_run import RedisServerTarget
from cache.redis_url import check_redis_url
from cache.scenarios.live import live_story
from cache.simulation import Knobs
from cache.strategies.base import Context, Strategy, invalidate_related
from cache.strategies.naive import NaiveAsyncStrategy
from tests.redis_process import RedisProcess
from workbench.cli import main

pytestmark = pytest.mark.redis

KILL_AT = 5  # the update (one per run) during which the server is killed


def _cli(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    monkeypatch.delenv("REDIS_URL", raising=False)
    with pytest.raises(SystemExit) as exit_:
        main(args)
    out, err = capsys.readouterr()
    code = exit_.value.code
    return (code if isinstance(code, int) else 1), out, err


def _unused_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- the happy path ----------------------------------------------------------------------------


def test_run_on_redis_prints_json_with_the_backend(
    redis_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["run", "--backend", "redis", "--redis-url", redis_url, "-s", "transaction"]
    code, out, err = _cli([*args, "-n", "30", "--json"], capsys, monkeypatch)
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["backend"] == "redis" and report["scenario"] == "story-live"
    assert report["completed"] == 30 and report["stale_reads"] == 0
    assert report["stopped_by"] is None


def test_run_takes_the_url_from_redis_url_and_readers_from_the_option(
    redis_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)
    with pytest.raises(SystemExit) as exit_:
        main(["run", "--backend", "redis", "-n", "10", "--readers", "2", "-s", "lock"])
    out, err = capsys.readouterr()
    assert exit_.value.code == 0 and err == ""
    assert "2 readers x 3 reads" in out and f"on Redis at {redis_url}" in out
    assert "0 of 10 runs failed" in out


def test_replay_on_redis_says_it_is_a_new_live_run(
    redis_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["replay", "--backend", "redis", "--redis-url", redis_url, "--run", "3"]
    code, out, err = _cli(args, capsys, monkeypatch)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith("# one live run on Redis")
    assert "not a deterministic replay" in lines[1]
    assert any("updateCache START: user:123 -> v1" in line for line in lines)
    assert lines[-1].startswith(("# passed", "# FAILED", "# stale"))


# -- the server is not there ---------------------------------------------------------------------


def test_an_unreachable_server_is_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"redis://127.0.0.1:{_unused_port()}/0"
    code, out, err = _cli(["run", "--backend", "redis", "--redis-url", url], capsys, monkeypatch)
    assert code == 1 and out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"workbench: error: cannot connect to Redis at {url}: ")


def test_run_on_redis_raises_a_backend_error_before_any_run() -> None:
    spec = RunSpec(live_story(), NaiveAsyncStrategy, Knobs())
    url = f"redis://127.0.0.1:{_unused_port()}/0"
    with pytest.raises(BackendError, match="cannot connect to Redis"):
        run_batch(spec, 5, 1, RedisServerTarget(check_redis_url(url)))


# -- the server dies in the middle of a batch ---------------------------------------------------


def _killing_strategy(server: RedisProcess, at_update: int) -> type[Strategy]:
    updates = 0

    class KillMidUpdate(NaiveAsyncStrategy):
        """naive-async, except that one update kills the server between its two steps."""

        name = "kill-mid-update"

        async def update(self, ctx: Context, key: str, version: int) -> None:
            nonlocal updates
            await ctx.store.set(key, version)
            updates += 1
            if updates == at_update:
                server.kill()  # returns once the process is reaped: its sockets are closed
            await invalidate_related(ctx, key)

    return KillMidUpdate


def test_a_server_killed_mid_batch_stops_it_and_keeps_the_completed_runs(
    own_redis: RedisProcess,
) -> None:
    spec = RunSpec(live_story(), _killing_strategy(own_redis, KILL_AT), Knobs())

    async def body() -> tuple[BatchResult, list[str]]:
        target = RedisServerTarget(check_redis_url(own_redis.url))
        async with asyncio.timeout(30.0):  # a hang fails the test instead of the suite
            result = await drive(spec, 20, 1, target, step=3)
        current = asyncio.current_task()
        return result, [t.get_name() for t in asyncio.all_tasks() if t is not current]

    result, leftovers = asyncio.run(body())
    assert leftovers == []  # every task of the failed run was cancelled and awaited
    assert result.completed == KILL_AT - 1 and result.runs == 20
    assert result.interrupted
    assert result.stopped_at == KILL_AT
    assert result.stopped_by.startswith(f"lost the Redis server at {own_redis.url} during ")
    assert "\n" not in result.stopped_by
    assert result.reads == (KILL_AT - 1) * 10  # only completed runs are counted
    assert result.to_json()["stopped_by"] == result.stopped_by


def test_the_cli_prints_what_was_measured_then_one_error_line(
    own_redis: RedisProcess, tmp_path: Path
) -> None:
    # A separate process, as a user would run it; the strategy kills the server by pid.
    (tmp_path / "killer.py").write_text(
        textwrap.dedent(
            """
            import os
            import signal

            from cache.strategies.base import invalidate_related
            from cache.strategies.naive import NaiveAsyncStrategy


            class KillMidUpdate(NaiveAsyncStrategy):
                name = "kill-mid-update"
                updates = 0

                async def update(self, ctx, key, version):
                    await ctx.store.set(key, version)
                    KillMidUpdate.updates += 1
                    if KillMidUpdate.updates == int(os.environ["KILL_AT"]):
                        os.kill(int(os.environ["KILL_PID"]), signal.SIGKILL)
                    await invalidate_related(ctx, key)
            """
        )
    )
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(PYTHONPATH=str(tmp_path), KILL_PID=str(own_redis.process.pid), KILL_AT=str(KILL_AT))
    done = subprocess.run(
        [
            sys.executable, "-m", "workbench", "run", "--backend", "redis",
            "--redis-url", own_redis.url, "-s", "killer:KillMidUpdate", "-n", "20",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(
        f"workbench: error: run {KILL_AT}: lost the Redis server at {own_redis.url} during "
    )
    assert f"Stopped by an error after {KILL_AT - 1} of 20 runs" in done.stdout
    assert f"of {KILL_AT - 1} runs failed" in done.stdout
    assert own_redis.process.wait(timeout=10) is not None  # it really was killed
