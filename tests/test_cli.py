"""The headless command line: outputs, determinism, and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cache.batch import BatchResult, RunSpec, run_batch
from cache.strategies.registry import BUILTIN
from workbench.cli import main

from .conftest import spec

ROOT = Path(__file__).resolve().parent.parent


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 1), out, err


def test_run_prints_failing_runs_and_the_rate(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _cli(capsys, "run")
    assert code == 0
    failed = [line for line in out.splitlines() if line.startswith("Failed: ")]
    assert 3 <= len(failed) <= 15
    assert f"{len(failed)} of 100 runs failed: {len(failed)}.0%" in out
    assert "95% CI" in out
    assert "missed-invalidation" in out


def test_run_json_has_the_documented_fields(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _cli(
        capsys,
        "run",
        "--strategy",
        "naive-async",
        "--runs",
        "100",
        "--seed",
        "1",
        "--widen-ms",
        "100",
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    for field in (
        "strategy",
        "runs",
        "seed",
        "failures",
        "failed_runs",
        "failure_rate",
        "ci95",
        "reads",
        "stale_reads",
    ):
        assert field in data
    assert data["strategy"] == "naive-async" and data["runs"] == 100 and data["seed"] == 1
    assert data["failures"] == len(data["failed_runs"]) >= 45
    assert data["failure_rate"] == data["failures"] / 100
    low, high = data["ci95"]
    assert 0 <= low <= data["failure_rate"] <= high <= 1
    assert data["reads"] == 300 and data["stale_reads"] >= data["failures"]


def test_run_with_a_fix_and_the_async_optimization_off(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _cli(capsys, "run", "--strategy", "versioned", "--runs", "300", "--json")
    data = json.loads(out)
    assert data["failures"] == 0 and data["inconsistencies_detected"] > 0
    _, out, _ = _cli(capsys, "run", "--changes", "prewarm,ttl-refresh", "--runs", "300", "--json")
    assert json.loads(out)["failures"] == 0


def test_replay_is_byte_identical_and_marks_the_stale_read(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = _cli(capsys, "run", "--json")
    run = json.loads(out)["failed_runs"][0]
    code, first, _ = _cli(capsys, "replay", "--run", str(run))
    _, second, _ = _cli(capsys, "replay", "--run", str(run))
    assert code == 0 and first == second
    lines = first.splitlines()
    assert any("updateCache START: user:123 -> v1" in line for line in lines)
    assert any("updateCache cache.set COMPLETE: user:123 = v1" in line for line in lines)
    stale = [line for line in lines if "<-- STALE" in line]
    assert stale and "getCache COMPLETE: user:123 = v0" in stale[0]
    assert "missed v1 by updater" in stale[0]
    assert lines[-1].startswith("# stale: reader-")


def test_replay_json_lists_events_and_stale_reads(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _cli(capsys, "run", "--json")
    run = json.loads(out)["failed_runs"][0]
    _, out, _ = _cli(capsys, "replay", "--run", str(run), "--json")
    data = json.loads(out)
    assert data["run"] == run and data["events"]
    assert {"seq", "t_ms", "phase", "task", "op", "key"} <= set(data["events"][0])
    (stale,) = data["stale_reads"]
    assert stale["missed_version"] == 1 and stale["returned"] == 0


def test_strategies_lists_each_with_description_and_guarantee(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = _cli(capsys, "strategies", "--json")
    listed = json.loads(out)
    story = [s["name"] for s in listed if s["race"] == "story"]
    assert story == ["sync", "naive-async", "lock", "transaction", "versioned", "watch"]
    assert {s["race"] for s in listed} >= {"stale-set", "lost-update"}  # docs/races.md
    _, out, _ = _cli(capsys, "strategies")
    assert "guarantees: No read runs while an update is between its steps." in out
    # Each multi-key strategy says why a cluster needs its keys in one slot, in a whole
    # sentence.
    cluster = [line for line in out.splitlines() if "on a Redis Cluster" in line]
    assert len(cluster) == sum(1 for s in listed if s["cluster"]) >= 6
    assert all(line.endswith("hash-tags each run's keys, so they do") for line in cluster)


def test_a_users_strategy_runs_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _cli(capsys, "run", "--strategy", "tests.user_strategies:WriteThrough", "--json")
    assert code == 0 and json.loads(out)["strategy"] == "write-through"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["run", "--strategy", "nope"], "unknown strategy 'nope'; choose one of sync, naive-async"),
        (["run", "--runs", "0"], "runs must be 1-10,000,000, not 0"),
        (["run", "--runs", "10000001"], "runs must be 1-10,000,000, not 10000001"),
        (["run", "--seed", "abc"], "seed: 'abc' is not a whole number"),
        (["run", "--widen-ms", "-5"], "widen ms must be 0-1000, not -5"),
        (["run", "--widen-ms", "inf"], "widen ms must be 0-1000, not inf"),
        (["run", "--widen-ms", "5000"], "widen ms must be 0-1000, not 5000"),
        (["run", "--seed", str(2**64)], "seed must be a whole number from -2^63 to 2^63-1"),
        (["run", "--writers", "3"], "--writers applies to --workload sustained only"),
        (["run", "--strategy", "no_such_module:Thing"], "cannot import 'no_such_module'"),
        (
            ["run", "--strategy", "tests.user_strategies:NotAStrategy"],
            "not a subclass of cache.Strategy",
        ),
        (["run", "--changes", "rewrite"], "unknown change 'rewrite'; choose from async"),
        (["replay", "--run", "0"], "runs must be 1-10,000,000, not 0"),
        (["replay", "--run", "99999999"], "runs must be 1-10,000,000, not 99999999"),
        (["replay"], "give --run N (a run of a batch) or --token TOKEN"),
        (["frobnicate"], "No such command 'frobnicate'"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(
    capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    code, out, err = _cli(capsys, *args)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("workbench: error: ")
    assert says in err


def test_a_strategy_that_raises_is_one_line_and_exit_code_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = _cli(capsys, "run", "--strategy", "tests.user_strategies:Explodes")
    assert code == 1
    assert err == (
        "workbench: error: run 1: strategy 'explodes' raised in update: "
        "RuntimeError: the strategy has a bug\n"
    )


def test_the_installed_entry_points_work_without_a_traceback() -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "workbench", "run", "--runs", "0"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1
    done = subprocess.run(
        [sys.executable, "-m", "workbench", "run", "--runs", "20", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0 and json.loads(done.stdout)["runs"] == 20


def test_interrupting_a_batch_keeps_what_was_measured() -> None:
    calls = 0

    def interrupt_after_first_chunk(result: BatchResult) -> None:
        nonlocal calls
        calls += 1
        if result.completed:
            raise KeyboardInterrupt

    result = run_batch(spec("naive-async"), 1000, 1, progress=interrupt_after_first_chunk, step=100)
    assert result.interrupted and calls == 3  # before and after the first step, and at the end
    assert result.completed == 100 and result.runs == 1000
    assert result.rate.trials == 100
    assert isinstance(spec("lock"), RunSpec)


def test_a_bug_of_ours_is_one_line_and_its_traceback_only_on_request(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import cache.reproduce

    def broken(seed: int) -> list[object]:
        raise RuntimeError("redis://u:hunter2@127.0.0.1/0 is\nbroken")

    monkeypatch.setattr(cache.reproduce, "reproduce", broken)
    monkeypatch.delenv("WORKBENCH_DEBUG", raising=False)
    code, _, err = _cli(capsys, "reproduce")
    assert code == 1
    assert err.startswith("workbench: error: internal error: RuntimeError: redis://u:***@")
    assert err.count("\n") == 1 and "hunter2" not in err and "WORKBENCH_DEBUG=1" in err
    monkeypatch.setenv("WORKBENCH_DEBUG", "1")
    code, _, err = _cli(capsys, "reproduce")
    assert code == 1 and "Traceback" in err
    assert err.splitlines()[-1].startswith("workbench: error: internal error: RuntimeError")


def test_an_explored_strategy_that_raises_is_one_line_and_exit_code_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = _cli(capsys, "explore", "-s", "tests.hostile_strategies:RaisesInUpdate")
    assert code == 1
    assert err.count("\n") == 1 and "Traceback" not in err and "hunter2" not in err
    assert "strategy 'raises-in-update' raised in update" in err


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["run", "--fail-on-stale"], 1),  # naive-async fails 4 of 100 runs at seed 1
        (["run"], 0),
        (["run", "--fail-on-stale", "--strategy", "lock"], 0),
    ],
)
def test_fail_on_stale_fails_a_ci_build_on_stale_reads(
    capsys: pytest.CaptureFixture[str], args: list[str], code: int
) -> None:
    exited, out, err = _cli(capsys, *args)
    assert exited == code
    assert "runs failed" in out
    if code:
        assert err == "workbench: error: 4 of 100 runs failed (--fail-on-stale)\n"


@pytest.mark.parametrize(
    "args",
    [
        ["run", "--seed", "redis://u:hunter2hunter2@127.0.0.1/0"],  # cut before its '@'
        ["run", "--strategy", "redis://u:hunter2@127.0.0.1/0"],  # quoted from '//' on
        ["run", "--changes", "REDIS://x:hunter2#@127.0.0.1/0"],  # '#' in the password
        ["run", "redis://u:hunter2@127.0.0.1/0"],  # a stray argument
    ],
)
def test_a_password_given_anywhere_on_the_line_is_masked(
    capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    code, out, err = _cli(capsys, *args)
    assert code == 2 and "hunter2" not in out + err and err.count("\n") == 1


@pytest.mark.parametrize("option", ["--export-test", "--export-jsonl", "--export-trace"])
def test_an_impossible_export_path_is_bad_input_before_the_search(
    capsys: pytest.CaptureFixture[str], option: str
) -> None:
    for path in ("a\x00b.py", "x" * 300 + ".py"):
        code, _, err = _cli(capsys, "explore", option, path)
        assert code == 2 and err.count("\n") == 1 and "internal error" not in err


def test_a_strategy_module_that_hangs_at_import_is_reported_not_waited_for(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from workbench.cli import options

    monkeypatch.setattr(options, "IMPORT_TIMEOUT_S", 0.3)
    code, out, err = _cli(
        capsys, "run", "-s", "tests.hostile_import_sleep:Anything", "--runs", "1"
    )
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "took longer than 0.3s" in err


@pytest.mark.parametrize("strategy", list(BUILTIN))
def test_replay_of_the_sustained_workload_prints_events_fixture_and_verdicts(
    capsys: pytest.CaptureFixture[str], strategy: str
) -> None:
    # The exact flags an outside checker uses (issue 8).
    code, out, _ = _cli(
        capsys,
        "replay", "--workload", "sustained", "--writers", "2", "--readers", "4",
        "--keys", "1", "--duration", "0.05", "--strategy", strategy, "--seed", "7",
        "--run", "1", "--json",
    )  # fmt: skip
    assert code == 0
    report = json.loads(out)
    assert report["workload"] == "sustained" and report["strategy"] == strategy
    assert report["fixture"]["user:123"] == 0
    assert report["events"] and all("phase" in e and "span" in e for e in report["events"])
    verdicts = report["read_verdicts"]
    assert len(verdicts) == report["reads"] > 0
    stale = {v["read_span"] for v in verdicts if v["verdict"] == "stale"}
    assert stale == {s["read_span"] for s in report["stale_reads"]}
    for item in report["stale_reads"]:
        assert {"read_span", "missed_span", "missed_version", "explanation"} <= set(item)
