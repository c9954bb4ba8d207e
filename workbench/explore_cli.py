"""``workbench explore``: hunt a failing schedule, shrink it, export it.

Exit codes, for CI: 0 no stale read found within the budget, 1 a stale read was found
(the report and its replay token say which schedule), 2 bad input (one line on stderr).
The lead registers ``explore`` on the ``workbench`` group; ``replay_token_command`` is the
body of ``workbench replay --token``.
"""

from __future__ import annotations

import json
import sys

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
from cache.scenarios.changes import ALL_CHANGES, format_changes, parse_changes

__all__ = ["explore_command", "replay_token_command"]

FOUND = 1
BAD_INPUT = 2


def _fail(message: str) -> None:
    click.echo(f"workbench: error: {message}", err=True)
    sys.exit(BAD_INPUT)


@click.command("explore")
@click.option("--strategy", "-s", default="naive-async", show_default=True,
              help="A built-in strategy or module:Class.")
@click.option("--policy", type=click.Choice(POLICIES), default="pct", show_default=True,
              help="How schedules are chosen.")
@click.option("--depth", type=click.IntRange(1, 10), default=3, show_default=True,
              help="PCT's bug depth d (d-1 priority change points).")
@click.option("--bound", type=click.IntRange(0, 10), default=2, show_default=True,
              help="Exhaustive: most preemptions per schedule.")
@click.option("--seed", type=int, default=1, show_default=True, help="Base seed.")
@click.option("--max-schedules", type=click.IntRange(1, 10_000_000), default=1000,
              show_default=True, help="Give up after this many schedules.")
@click.option("--all", "all_", is_flag=True, help="Keep going after the first failure.")
@click.option("--readers", type=click.IntRange(1, 100), default=2, show_default=True,
              help="Concurrent reads racing the update.")
@click.option("--widen-ms", type=click.FloatRange(min=0.0), default=0.0, show_default=True,
              help="Extra delay between the steps of an update.")
@click.option("--changes", default=format_changes(ALL_CHANGES), show_default=True,
              help="Recent changes applied (exhaustive search wants: async).")
@click.option("--skew-ms", type=click.FloatRange(min=0.0), default=None,
              help="How far a task may run ahead of the oldest pending event "
              "(default: random 0, pct 50, exhaustive unbounded).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--export-jsonl", type=click.Path(dir_okay=False), default=None,
              help="Write the minimal failing history as JSON Lines.")
@click.option("--export-trace", type=click.Path(dir_okay=False), default=None,
              help="Write the minimal failing run as Perfetto / Chrome trace JSON.")
@click.option("--export-test", type=click.Path(dir_okay=False), default=None,
              help="Write a pytest regression test replaying the failure.")
@click.option("--fix", default="transaction", show_default=True,
              help="With --export-test: the strategy the test expects to pass.")
def explore_command(
    strategy: str, policy: str, depth: int, bound: int, seed: int, max_schedules: int,
    all_: bool, readers: int, widen_ms: float, changes: str, skew_ms: float | None,
    as_json: bool, export_jsonl: str | None, export_trace: str | None,
    export_test: str | None, fix: str,
) -> None:
    """Search schedules for a stale read; exit 1 if one is found, 0 if none."""
    try:
        spec = ExploreSpec.story(strategy, readers=readers, widen_ms=widen_ms,
                                 changes=parse_changes(changes))
        report = explore(
            spec, policy=policy, depth=depth, bound=bound, seed=seed,
            max_schedules=max_schedules, all=all_,
            skew_ms="policy-default" if skew_ms is None else skew_ms,
        )
    except ValueError as error:
        _fail(str(error))
        return
    try:
        _exports(report.minimal.token if report.minimal else report.token,
                 export_jsonl, export_trace, export_test, fix)
    except (OSError, ValueError) as error:
        _fail(f"cannot export: {error}")
    click.echo(json.dumps(report.to_json()) if as_json else render_report(report))
    sys.exit(FOUND if report.found else 0)


def _exports(token: str | None, jsonl: str | None, trace: str | None, test: str | None,
             fix: str) -> None:
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
        write_atomic(trace, trace_json(sim.history, replayed.played.stale,
                                       title=sim.scenario.describe()))
    if test:
        source = regression_source(token, fix, path=test)
        compile(source, test, "exec")
        write_atomic(test, source)


def replay_token_command(token: str, as_json: bool = False) -> int:
    """``workbench replay --token``: print the replay, return the exit code (1 if stale)."""
    try:
        replayed = replay_token(token)
    except (TokenError, SpecError) as error:
        click.echo(f"workbench: error: {error}", err=True)
        return BAD_INPUT
    played = replayed.played
    if as_json:
        click.echo(json.dumps({
            "found": played.failed,
            "steps": len(played.steps),
            "diverged": None if replayed.divergence is None else replayed.divergence.to_json(),
            "stale": [s.explain() for s in played.stale],
        }))
    else:
        click.echo(render_replay(replayed))
    return FOUND if played.failed else 0
