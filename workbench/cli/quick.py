"""``workbench run`` without click, for the plainest command lines.

Importing click and building every command's options costs about as much as the batch a
``workbench run --runs 1`` does, so a ``run`` whose every argument is a simulator setting
given once (``--runs 1000 --seed 7 -s lock --json``) is parsed here, by the same specs and
parsers as click's options (``workbench.cli.options``), and printed by the same code
(``workbench.cli.report``). Anything else (help, a Redis target, a ``module:Class``
strategy, a value that does not parse, an argument given twice) returns ``None`` before
anything has been done, and click parses the line as always, errors included: this path
never says anything click would not. A test holds the two parsers to the same values.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

from cache.scenarios.changes import ALL_CHANGES, parse_changes
from cache.strategies.registry import StrategyNotFound, load_strategy
from cache.targets import SIMULATOR
from workbench.cli.exits import echo
from workbench.cli.report import batch, parallel_target, report, wants_progress
from workbench.session.request import RunRequest
from workbench.session.settings import (
    DURATION,
    JOBS,
    KEYS,
    READERS,
    RUNS,
    SCENARIOS,
    SEED,
    WIDEN_MS,
    WORKLOADS,
    WRITERS,
    Setting,
    setting,
)

__all__ = ["DEFAULTS", "quick_params", "quick_run"]


def _number(spec: Setting) -> Callable[[str], Any]:
    return spec.parse


def _choice(choices: Sequence[str]) -> Callable[[str], Any]:
    def parse(text: str) -> str:
        if text not in choices:
            raise ValueError(text)  # click words the error
        return text

    return parse


def _builtin_strategy(text: str) -> Any:
    if ":" in text:  # a user's module: importing it is click's path (with its time limit)
        raise ValueError(text)
    return load_strategy(text)


# ``run``'s parameters as click passes them when not given (``workbench.cli.runs``).
DEFAULTS: dict[str, Any] = {
    "runs": RUNS.check(100),
    "jobs": None,
    "workers": None,
    "fail_on_stale": False,
    "strategy": load_strategy("naive-async"),
    "seed": SEED.check(1),
    "widen_ms": WIDEN_MS.check(0.0),
    "changes": ALL_CHANGES,
    "workload": "story",
    "scenario": "story",
    "readers": None,
    "writers": None,
    "keys": None,
    "duration": None,
    "latency_scale": None,
    "jitter": None,
    "as_json": False,
    "backend": "sim",
    "allow_remote": False,
}
_NUMBERS = (
    RUNS,
    JOBS,
    SEED,
    WIDEN_MS,
    READERS,
    WRITERS,
    KEYS,
    DURATION,
    setting("latency_scale"),
    setting("jitter"),
)
# flag -> (parameter, parser); flags that take no value are in _FLAGS.
_OPTIONS: dict[str, tuple[str, Callable[[str], Any]]] = {
    **{spec.flag: (spec.name, _number(spec)) for spec in _NUMBERS},
    "-n": ("runs", _number(RUNS)),
    "--strategy": ("strategy", _builtin_strategy),
    "-s": ("strategy", _builtin_strategy),
    "--changes": ("changes", parse_changes),
    "--workload": ("workload", _choice(WORKLOADS)),
    "--scenario": ("scenario", _choice(SCENARIOS)),
}
_FLAGS = {"--json": "as_json", "--fail-on-stale": "fail_on_stale"}


def quick_params(args: Sequence[str]) -> dict[str, Any] | None:
    """``run``'s parameters from ``args`` (``["run", ...]``), or ``None`` for a line that
    click must parse."""
    if not args or args[0] != "run":
        return None
    params = dict(DEFAULTS)
    given: set[str] = set()
    rest = list(args[1:])
    while rest:
        arg = rest.pop(0)
        if arg in _FLAGS:
            name, value = _FLAGS[arg], True
        else:
            flag, equals, text = arg.partition("=")
            if flag not in _OPTIONS or (equals and not flag.startswith("--")):
                return None
            if not equals:
                if not rest:
                    return None
                text = rest.pop(0)
            if text.startswith("-"):  # a negative number, or a forgotten value: click's
                return None
            name, parse = _OPTIONS[flag]
            try:
                value = parse(text)
            except (ValueError, StrategyNotFound):
                return None
        if name in given:
            return None
        given.add(name)
        params[name] = value
    return params


def quick_run(args: Sequence[str]) -> Callable[[], None] | None:
    """The batch ``args`` asks for, ready to run and print, or ``None`` (click's to parse).
    Nothing is printed or started before it is called."""
    params = quick_params(args)
    if params is None:
        return None
    fields = ("strategy", "workload", "widen_ms", "latency_scale", "jitter", "changes", "scenario")
    sizes = ("readers", "writers", "keys", "duration")
    try:  # as ``workbench.cli.options.request_from`` builds it
        request = RunRequest(**{name: params[name] for name in (*fields, *sizes)})
        spec = request.spec(SIMULATOR)
    except ValueError:  # click says what is wrong
        return None
    runs, jobs, as_json = params["runs"], params["jobs"], params["as_json"]
    target = SIMULATOR if jobs == 1 else parallel_target(runs, jobs)
    if wants_progress(runs, target) and sys.stderr.isatty() and not as_json:
        return None  # click draws the progress bar

    def command() -> None:
        result = batch(spec, runs, params["seed"], target)
        report(
            result,
            spec,
            target,
            as_json=as_json,
            fail_on_stale=params["fail_on_stale"],
            echo=echo,
        )

    return command
