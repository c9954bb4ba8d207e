"""``workbench``: the command line. Headless subcommands run the core without importing
Textual (so they start fast and work in CI); with no subcommand it opens the TUI.

Errors are one line on stderr: exit code 2 for bad input (saying what is allowed), 1 for a
failure while running (a strategy that raised, an unreachable server).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import click

from cache.backends.base import BackendError
from cache.batch import MAX_RUNS, BatchResult, RunSpec, derive_seed, run_batch
from cache.logfmt import LogFormatter
from cache.scenarios.changes import ALL_CHANGES, Change, format_changes, parse_changes
from cache.scenarios.story import StoryScenario
from cache.scheduler.core import Deadlock, StepLimitExceeded
from cache.service import StrategyFailed
from cache.simulation import Knobs
from cache.strategies.base import Strategy
from cache.strategies.registry import BUILTIN, StrategyNotFound, load_strategy
from workbench.settings import KNOBS, KnobSpec, LiveSettings, parse_knob

__all__ = ["cli", "main"]

FAILED_RUNS_SHOWN = 50
DEFAULT_READERS = StoryScenario().readers
PROGRESS_FROM_RUNS = 2_000


def _to_strategy(ctx: click.Context, param: click.Parameter, value: str) -> type[Strategy]:
    """A built-in strategy name or ``module:Class``."""
    try:
        return load_strategy(value)
    except StrategyNotFound as error:
        raise click.BadParameter(str(error), ctx, param) from None


def _to_changes(ctx: click.Context, param: click.Parameter, value: str) -> frozenset[Change]:
    """A comma-separated list of the story's recent changes."""
    try:
        return parse_changes(value)
    except ValueError as error:
        raise click.BadParameter(str(error), ctx, param) from None


def _complete_strategy(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    return [name for name in BUILTIN if name.startswith(incomplete)]


def _strategy_option(
    default: str = "naive-async",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--strategy",
        "-s",
        "strategy",
        default=default,
        show_default=True,
        callback=_to_strategy,
        shell_complete=_complete_strategy,
        help=f"One of {', '.join(BUILTIN)}, or module:Class for your own.",
    )


def _common(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options every simulated run takes."""
    options = [
        click.option(
            "--seed",
            type=int,
            default=1,
            show_default=True,
            help="Base seed: the same seed gives the same interleavings.",
        ),
        click.option(
            "--widen-ms",
            type=click.FloatRange(min=0.0),
            default=0.0,
            show_default=True,
            help="Extra delay between the steps of an update (widen the race window).",
        ),
        click.option(
            "--changes",
            callback=_to_changes,
            default=format_changes(ALL_CHANGES),
            show_default=True,
            help="Recent changes applied: any of async, prewarm, ttl-refresh (or all, none).",
        ),
        click.option(
            "--readers",
            type=click.IntRange(1, 1000),
            default=DEFAULT_READERS,
            show_default=True,
            help="Concurrent reads racing the update.",
        ),
        click.option("--json", "as_json", is_flag=True, help="Print one JSON object."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _spec(
    strategy: type[Strategy], widen_ms: float, changes: frozenset[Change], readers: int
) -> RunSpec:
    return RunSpec(
        StoryScenario(readers=readers, changes=changes), strategy, Knobs(widen_ms=widen_ms)
    )


def _knob_callback(spec: KnobSpec) -> Callable[[click.Context, click.Parameter, str | None], Any]:
    def convert(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
        if value is None:
            return None
        try:
            return parse_knob(spec, value)
        except ValueError as error:
            raise click.BadParameter(str(error), ctx, param) from None

    return convert


def _tui_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The TUI's presets: the same knobs, with the same ranges, as its input fields."""
    for spec in reversed(KNOBS):
        flag = "--" + {"latency": "latency-scale", "widen_ms": "widen-ms"}.get(
            spec.name, spec.name.replace("_", "-")
        )
        func = click.option(
            flag,
            spec.name,
            default=None,
            callback=_knob_callback(spec),
            metavar="N" if spec.integer else "X",
            help=f"Live run: {spec.help} ({spec.describe_range()}).",
        )(func)
    return func


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@_strategy_option()
@_tui_options
@click.option(
    "--changes",
    "changes",
    default=format_changes(ALL_CHANGES),
    callback=_to_changes,
    help="Live run: recent changes applied (async, prewarm, ttl-refresh, all, none).",
)
@click.option("--start", "autostart", is_flag=True, help="Start the live workload at once.")
@click.pass_context
def cli(
    ctx: click.Context,
    /,
    strategy: type[Strategy],
    changes: frozenset[Change],
    autostart: bool,
    **knobs: Any,
) -> None:
    """Race Workbench: reproduce, explain and fix a cache race condition.

    With no command, opens the workbench (the terminal UI); its options preset the live run.
    """
    if ctx.invoked_subcommand is not None:
        return
    values = {name: value for name, value in knobs.items() if value is not None}
    try:
        settings = LiveSettings(strategy=strategy, changes=changes, **values)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    from workbench.app import WorkbenchApp  # only the TUI pays for importing Textual

    WorkbenchApp(settings, autostart=autostart).run()


@cli.command()
@_strategy_option()
@click.option(
    "--runs",
    "-n",
    type=click.IntRange(1, MAX_RUNS),
    default=100,
    show_default=True,
    help="How many times to run the scenario.",
)
@_common
def run(
    strategy: type[Strategy],
    runs: int,
    seed: int,
    widen_ms: float,
    changes: frozenset[Change],
    readers: int,
    as_json: bool,
) -> None:
    """Run the story's test N times and report the failing runs and the failure rate."""
    spec = _spec(strategy, widen_ms, changes, readers)
    result = _run_with_progress(
        spec, runs, seed, show=runs >= PROGRESS_FROM_RUNS and sys.stderr.isatty()
    )
    if as_json:
        click.echo(json.dumps(result.to_json()))
    else:
        _print_batch(result, spec)
    if result.interrupted:
        sys.exit(130)


def _run_with_progress(spec: RunSpec, runs: int, seed: int, *, show: bool) -> BatchResult:
    if not show:
        return _guarded(lambda: run_batch(spec, runs, seed))
    with click.progressbar(
        length=runs, label=f"{spec.strategy.name}", file=sys.stderr, show_pos=True, show_eta=True
    ) as bar:
        done = 0

        def advance(result: BatchResult) -> None:
            nonlocal done
            bar.update(result.completed - done)
            done = result.completed

        return _guarded(
            lambda: run_batch(spec, runs, seed, progress=advance, chunk=max(100, runs // 200))
        )


def _guarded(call: Callable[[], BatchResult]) -> BatchResult:
    try:
        return call()
    except (StrategyFailed, Deadlock, StepLimitExceeded, BackendError) as error:
        _die(str(error), code=1)


def _print_batch(result: BatchResult, spec: RunSpec) -> None:
    click.echo(
        f"{result.strategy} · {spec.scenario.describe()} · widen {result.widen_ms:g}ms · "
        f"{result.runs} runs · seed {result.seed}"
    )
    for run_number in result.failed_runs[:FAILED_RUNS_SHOWN]:
        click.echo(f"Failed: {run_number}")
    hidden = result.failures - FAILED_RUNS_SHOWN
    if hidden > 0:
        click.echo(f"... and {hidden} more failing runs (--json lists them all)")
    if result.interrupted:
        click.echo(
            f"Interrupted after {result.completed} of {result.runs} runs; figures cover those."
        )
    click.echo(f"{result.failures} of {result.completed} runs failed: {result.rate}")
    kinds = ", ".join(f"{n} {k.value}" for k, n in sorted(result.by_kind.items()))
    click.echo(
        f"reads: {result.reads}, stale: {result.stale_reads}" + (f" ({kinds})" if kinds else "")
    )
    if result.detected or result.repaired:
        click.echo(f"inconsistencies detected: {result.detected}, repaired: {result.repaired}")
    if result.abandoned:
        click.echo(f"updates abandoned after too many retries: {result.abandoned}")


@cli.command()
@_strategy_option()
@click.option(
    "--run",
    "run_number",
    type=click.IntRange(1, MAX_RUNS),
    required=True,
    help="Which run of the batch to replay (1-based, as `run` prints it).",
)
@click.option("--verbose", "-v", is_flag=True, help="Every event, not just the story-shaped lines.")
@_common
def replay(
    strategy: type[Strategy],
    run_number: int,
    seed: int,
    widen_ms: float,
    changes: frozenset[Change],
    readers: int,
    as_json: bool,
    verbose: bool,
) -> None:
    """Replay one run as a timestamped log, stale reads marked with the write they missed."""
    spec = _spec(strategy, widen_ms, changes, readers)
    run_seed = derive_seed(seed, run_number)
    sim = spec.simulate(run_seed)
    try:
        sim.run()
    except (StrategyFailed, Deadlock, StepLimitExceeded, BackendError) as error:
        _die(str(error), code=1)
    stale = {verdict.read.span: verdict for verdict in sim.oracle.stale_reads}
    if as_json:
        click.echo(
            json.dumps(
                {
                    "strategy": spec.strategy.name,
                    "seed": seed,
                    "run": run_number,
                    "run_seed": run_seed,
                    "widen_ms": widen_ms,
                    "changes": format_changes(changes),
                    "events": [event.to_dict() for event in sim.history],
                    "stale_reads": [
                        {
                            "read_span": v.read.span,
                            "task": v.read.task,
                            "key": v.read.key,
                            "returned": v.read.version,
                            "kind": v.kind.value,
                            "missed_span": v.missed.span,
                            "missed_version": v.missed.version,
                            "missed_by": v.missed.task,
                            "explanation": v.explain(),
                        }
                        for v in sim.oracle.stale_reads
                    ],
                }
            )
        )
        return
    click.echo(
        f"# replay of run {run_number} (seed {seed}, run seed {run_seed}): {spec.strategy.name}, "
        f"widen {widen_ms:g}ms"
    )
    click.echo(f"# {spec.scenario.describe()}")
    for line in LogFormatter(stale.get, verbose=verbose).lines(sim.history):
        click.echo(line)
    oracle = sim.oracle
    verdict = "FAILED" if oracle.stale else "passed"
    click.echo(f"# {verdict}: {oracle.stale} stale of {oracle.reads} reads")
    for v in oracle.stale_reads:
        click.echo(f"# stale: {v.explain()}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def strategies(as_json: bool) -> None:
    """List the strategies, each with what it does and what it guarantees."""
    if as_json:
        click.echo(
            json.dumps(
                [
                    {"name": s.name, "description": s.description, "guarantee": s.guarantee}
                    for s in BUILTIN.values()
                ]
            )
        )
        return
    for s in BUILTIN.values():
        click.echo(f"{s.name}\n  does:       {s.description}\n  guarantees: {s.guarantee}")


@cli.command()
def changes() -> None:
    """List the story's recent changes (the suspects) and what each does here."""
    for change in Change:
        click.echo(f"{change.commit} {change.value:<12} {change.summary}\n  {change.effect}")


@cli.command()
@click.option("--seed", type=int, default=1, show_default=True, help="Base seed for every row.")
def reproduce(seed: int) -> None:
    """Regenerate the README's table: the story's figures beside ours (Markdown)."""
    from cache.reproduce import reproduce as rows

    click.echo(f"| what | the story | ours must show | ours (seed {seed}) | holds |")
    click.echo("|---|---|---|---|---|")
    all_hold = True
    for row in rows(seed):
        all_hold &= row.holds
        click.echo(
            f"| {row.row.what} | {row.row.story} | {row.row.requirement} | {row.ours()} | "
            f"{'yes' if row.holds else 'NO'} |"
        )
    if not all_hold:
        sys.exit(1)


def _die(message: str, code: int) -> NoReturn:
    click.echo(f"workbench: error: {message}", err=True)
    sys.exit(code)


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: click, with every error reduced to one line."""
    try:
        status = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="workbench",
            standalone_mode=False,
        )
    except click.UsageError as error:
        _die(error.format_message().replace("\n", " "), code=2)
    except click.ClickException as error:
        _die(error.format_message(), code=error.exit_code)
    except click.exceptions.Abort:
        _die("interrupted", code=130)
    except KeyboardInterrupt:
        _die("interrupted", code=130)
    sys.exit(status if isinstance(status, int) else 0)
