"""``workbench explore``: hunt a failing schedule, shrink it, export it; and the body of
``workbench replay --token``.

Exit codes, for CI: 0 no stale read found within the budget, 1 a stale read was found
(the report and its replay token say which schedule), 2 bad input (one line on stderr).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from cache.explore import (
    POLICIES,
    ExploreSpec,
    SpecError,
    TokenError,
    explore,
    history_jsonl,
    regression_source,
    render_replay,
    render_report,
    replay_token,
    trace_json,
    write_atomic,
)
from cache.scenarios.changes import Change
from cache.strategies.base import Strategy
from workbench.cli.exits import die
from workbench.cli.options import CHANGES, STRATEGY, FilePath, combine, option_for
from workbench.session.settings import (
    BOUND,
    DEPTH,
    MAX_SCHEDULES,
    READERS,
    SEED,
    SKEW_MS,
    WIDEN_MS,
)

__all__ = ["explore_command", "replay_from_token"]

FOUND = 1


def _fix_name(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """The fix's name as given, checked now: not only once a failure is found to export."""
    from cache.strategies.registry import StrategyNotFound, load_strategy

    try:
        load_strategy(value)
    except StrategyNotFound as error:
        raise click.BadParameter(str(error), ctx, param) from None
    return value


@click.command("explore")
@combine(
    STRATEGY,
    click.option(
        "--policy",
        type=click.Choice(POLICIES),
        default="pct",
        show_default=True,
        help="How schedules are chosen: seeded random, PCT, or exhaustive within --bound.",
    ),
    option_for(DEPTH, 3),
    option_for(BOUND, 2),
    option_for(SEED, 1, "base seed"),
    option_for(MAX_SCHEDULES, 1000),
    click.option("--all", "all_", is_flag=True, help="Keep going after the first failure."),
    option_for(READERS, 2, "concurrent reads racing the update"),
    option_for(WIDEN_MS, 0.0),
    CHANGES,
    option_for(
        SKEW_MS,
        None,
        "how far a task may run ahead of the oldest pending event "
        "(default: random 0, pct 50, exhaustive unbounded)",
    ),
    click.option("--json", "as_json", is_flag=True, help="Print one JSON object."),
    click.option(
        "--export-jsonl",
        type=FilePath(),
        default=None,
        help="Write the minimal failing history as JSON Lines.",
    ),
    click.option(
        "--export-trace",
        type=FilePath(),
        default=None,
        help="Write the minimal failing run as Perfetto / Chrome trace JSON.",
    ),
    click.option(
        "--export-test",
        type=FilePath(),
        default=None,
        help="Write a pytest regression test replaying the failure.",
    ),
    click.option(
        "--fix",
        default="transaction",
        callback=_fix_name,
        show_default=True,
        help="With --export-test: the strategy the test expects to pass.",
    ),
)
def explore_command(
    strategy: type[Strategy],
    changes: frozenset[Change],
    skew_ms: float | None,
    as_json: bool,
    export_jsonl: str | None,
    export_trace: str | None,
    export_test: str | None,
    fix: str,
    readers: int,
    widen_ms: float,
    all_: bool,
    **search: Any,
) -> None:
    """Search schedules for a stale read; exit 1 if one is found, 0 if none."""
    try:
        spec = ExploreSpec.story(
            _strategy_name(strategy), readers=readers, widen_ms=widen_ms, changes=changes
        )
        report = explore(
            spec,
            all=all_,
            skew_ms="policy-default" if skew_ms is None else skew_ms,
            **search,
        )
    except ValueError as error:
        die(str(error), code=2)
    token = report.minimal.token if report.minimal else report.token
    try:
        _exports(token, export_jsonl, export_trace, export_test, fix)
    except (OSError, ValueError) as error:
        die(f"cannot export: {error}", code=2)
    click.echo(json.dumps(report.to_json()) if as_json else render_report(report))
    sys.exit(FOUND if report.found else 0)


def _strategy_name(strategy: type[Strategy]) -> str:
    """What a token records: the built-in name, or ``module:Class`` for a user's own."""
    from cache.strategies.registry import BUILTIN

    if BUILTIN.get(strategy.name) is strategy:
        return strategy.name
    return f"{strategy.__module__}:{strategy.__qualname__}"


def _exports(
    token: str | None, jsonl: str | None, trace: str | None, test: str | None, fix: str
) -> None:
    if not (jsonl or trace or test):
        return
    if token is None:
        click.echo("nothing to export: no failing schedule", err=True)
        return
    replayed = replay_token(token)
    sim = replayed.played.sim
    if jsonl:
        write_atomic(jsonl, history_jsonl(sim.scenario.fixture(), sim.history))
    if trace:
        title = sim.scenario.describe()
        write_atomic(trace, trace_json(sim.history, replayed.played.stale, title=title))
    if test:
        source = regression_source(token, fix, path=test)
        compile(source, test, "exec")
        write_atomic(test, source)


def replay_from_token(token: str, as_json: bool = False) -> int:
    """``workbench replay --token``: print the replay, return the exit code (1 if stale)."""
    try:
        replayed = replay_token(token)
    except (TokenError, SpecError) as error:
        die(str(error), code=2)
    played = replayed.played
    if as_json:
        divergence = replayed.divergence
        report = {
            "found": played.failed,
            "steps": len(played.steps),
            "diverged": None if divergence is None else divergence.to_json(),
            "stale": [s.explain() for s in played.stale],
        }
        click.echo(json.dumps(report))
    else:
        click.echo(render_replay(replayed))
    return FOUND if played.failed else 0
