"""``workbench run``'s quick path (``workbench.cli.quick``) parses a line as click would, or
leaves it to click: never a different value, never a different output."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import click
import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.cli import main
from workbench.cli.quick import quick_params, quick_run
from workbench.cli.runs import run


def _clicks(args: list[str]) -> dict[str, Any] | None:
    """``run``'s parameters as click parses ``args`` (after ``run``), or ``None`` if click
    refuses them."""
    try:
        with run.make_context("run", list(args)) as ctx:
            return dict(ctx.params)
    except (click.ClickException, click.exceptions.Exit):
        return None


def _agree(args: list[str]) -> None:
    quick = quick_params(["run", *args])
    if quick is None:
        return
    clicks = _clicks(args)
    assert clicks is not None, f"quick took {args}, click refuses it"
    assert quick == {name: clicks[name] for name in quick}, args


# Lines the quick path takes (each is checked to be taken, so none of these is vacuous).
TAKEN = [
    [],
    ["--runs", "1"],
    ["-n", "5", "--seed", "7", "-s", "lock", "--json"],
    ["--runs=3", "--widen-ms", "2.5", "--changes", "async,prewarm", "--fail-on-stale"],
    ["--workload", "sustained", "--writers", "2", "--keys", "3", "--duration", "0.5"],
    ["--scenario", "lost-update", "-s", "counter-incr", "--jobs", "1"],
    ["--latency-scale", "2", "--jitter", "0.1", "--changes", "none", "--strategy", " sync"],
    ["--seed", "1_000", "--changes", "all"],
]
# Lines click must parse: help, a Redis target, a user's module, a bad value, repeats.
LEFT = [
    ["--help"],
    ["--backend", "sim"],
    ["--backend", "redis"],
    ["--redis-url", "redis://127.0.0.1:1/0"],
    ["-s", "tests.user_strategies:Fixed"],
    ["--runs", "x"],
    ["--runs", "0"],
    ["--seed", "-3"],
    ["--seed=-3"],
    ["-n5"],
    ["--runs", "1", "--runs", "2"],
    ["--runs"],
    ["--workload", "Story"],
    ["--scenario", "stale-set", "-s", "lock"],  # a strategy of another race
    ["--workers", "2"],
    ["--", "--runs", "1"],
    ["extra"],
]


@pytest.mark.parametrize("args", TAKEN, ids=" ".join)
def test_the_quick_path_takes_plain_lines_with_clicks_values(args: list[str]) -> None:
    assert quick_run(["run", *args]) is not None
    _agree(args)


@pytest.mark.parametrize("args", LEFT, ids=" ".join)
def test_the_quick_path_leaves_everything_else_to_click(args: list[str]) -> None:
    assert quick_run(["run", *args]) is None


WORDS = st.sampled_from(
    [
        "--runs", "-n", "--seed", "--jobs", "--widen-ms", "--readers", "--writers", "--keys",
        "--duration", "--latency-scale", "--jitter", "-s", "--strategy", "--changes",
        "--workload", "--scenario", "--json", "--fail-on-stale", "--runs=2", "--seed=0",
        "1", "0", "2.5", "-1", "1e3", "nan", "x", "", " 3 ", "lock", "naive-async",
        "counter-incr", "story", "sustained", "lost-update", "async", "none", "all,bogus",
    ]
)  # fmt: skip


@given(st.lists(WORDS, max_size=6))
def test_whatever_the_line_the_quick_path_agrees_with_click(args: list[str]) -> None:
    _agree(args)


def test_the_quick_path_prints_what_click_prints(capsys: pytest.CaptureFixture[str]) -> None:
    # ``--backend sim`` changes nothing but sends the line through click.
    line = ["run", "-n", "200", "--seed", "3", "--fail-on-stale"]
    assert quick_run(line) is not None and quick_run([*line, "--backend", "sim"]) is None
    printed = []
    for args in (line, [*line, "--backend", "sim"]):
        with pytest.raises(SystemExit) as exited:
            main(args)
        printed.append((exited.value.code, capsys.readouterr()))
    assert printed[0] == printed[1]
    assert printed[0][0] == 1 and "Failed: " in printed[0][1].out  # something to compare


def test_the_quick_path_loads_no_click() -> None:
    code = "import sys\nfrom workbench.cli import main\ntry:\n    main(['run', '-n', '3'])\n"
    code += "except SystemExit:\n    print('click' in sys.modules)\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    out = done.stdout
    assert out.splitlines()[-1] == "False"
