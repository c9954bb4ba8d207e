"""Exports: JSONL round-trips into the oracle, the trace is well-formed Trace Event Format,
the generated regression test compiles, and the command line keeps its exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cache.explore import (
    ExploreSpec,
    explore,
    history_jsonl,
    oracle_from_jsonl,
    regression_source,
    replay_token,
    trace_json,
    write_atomic,
)
from cache.oracle import Oracle
from workbench.cli import main
from workbench.cli.explore import explore_command, replay_from_token


@pytest.fixture(scope="module")
def token() -> str:
    report = explore(ExploreSpec.story("naive-async"), policy="pct", causality_k=0)
    assert report.token is not None
    return report.token


def test_jsonl_round_trips_with_the_same_verdicts(token: str) -> None:
    sim = replay_token(token).played.sim
    text = history_jsonl(sim.scenario.fixture(), sim.history)
    again = oracle_from_jsonl(text, sim.scenario.keys.primaries)

    def verdicts(oracle: Oracle) -> list[tuple[int, int, str]]:
        return [(s.read.span, s.missed.span, s.kind.value) for s in oracle.stale_reads]

    assert again.reads == sim.oracle.reads and again.stale == sim.oracle.stale > 0
    assert verdicts(again) == verdicts(sim.oracle)


def test_trace_follows_the_trace_event_format(token: str) -> None:
    played = replay_token(token).played
    events = json.loads(trace_json(played.sim.history, played.stale))["traceEvents"]
    stacks: dict[tuple[int, int], list[str]] = {}
    flows: dict[int, list[str]] = {}
    last: dict[tuple[int, int], float] = {}
    for event in events:
        assert event["ph"] in {"M", "B", "E", "s", "f", "C"}
        if event["ph"] == "M":
            continue
        ts = event["ts"]
        assert isinstance(ts, (int, float)) and ts >= 0
        where = (event["pid"], event["tid"])
        if event["ph"] == "B":
            assert ts >= last.get(where, 0.0)
            stacks.setdefault(where, []).append(event["name"])
        elif event["ph"] == "E":
            assert stacks[where], "an end without a begin"
            stacks[where].pop()
        elif event["ph"] in "sf":
            flows.setdefault(event["id"], []).append(event["ph"])
        else:
            assert isinstance(event["args"]["stale"], int)
        if event["ph"] in "BE":
            last[where] = ts
    assert all(not stack for stack in stacks.values())
    assert flows and all(phases == ["s", "f"] for phases in flows.values())
    # Microseconds: the story's update happens tens of milliseconds in.
    assert max(e.get("ts", 0) for e in events) > 10_000


def test_regression_test_compiles_and_names_the_bug(token: str) -> None:
    source = regression_source(token, fix="lock")
    compile(source, "test_regression.py", "exec")
    assert "RACE_STRATEGY=naive-async" in source


def test_exports_are_atomic(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    write_atomic(target, "one")
    write_atomic(target, "two")
    assert target.read_text() == "two"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_command_finds_exports_and_exits_one(tmp_path: Path) -> None:
    paths = {name: tmp_path / name for name in ("h.jsonl", "t.json", "test_r.py")}
    result = CliRunner().invoke(
        explore_command,
        ["--json", "--export-jsonl", str(paths["h.jsonl"]), "--export-trace",
         str(paths["t.json"]), "--export-test", str(paths["test_r.py"])],
    )
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["found"] is True and data["token"].startswith("rwb1.")
    assert all(path.exists() for path in paths.values())
    compile(paths["test_r.py"].read_text(), "test_r.py", "exec")


def test_command_exits_zero_when_nothing_is_found() -> None:
    result = CliRunner().invoke(
        explore_command,
        ["-s", "transaction", "--policy", "exhaustive", "--changes", "async", "--readers", "1"],
    )
    assert result.exit_code == 0, result.output
    assert "no stale read" in result.output and "schedules covered (all of them)" in result.output


@pytest.mark.parametrize(
    "args", [["-s", "nope"], ["--changes", "bogus"], ["--depth", "0"], ["--skew-ms", "inf"]]
)
def test_command_bad_input_is_one_line_and_exit_two(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["explore", *args])
    assert exited.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("workbench: error: ")


def test_replay_token_command(token: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert replay_from_token(token) == 1
    for args in (["replay", "--token", token], ["replay", "--token", "garbage"]):
        with pytest.raises(SystemExit) as exited:
            main(args)
        assert exited.value.code == (1 if args[-1] == token else 2)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("workbench: error: ")
