"""``workbench``: the command line. Click declarations and printing only: the options come
from the settings' specs (``workbench.session.settings``) and the work from the session layer
and the engine. Headless subcommands never import Textual; with no subcommand it opens the
TUI.

Errors are one line on stderr: exit code 2 for bad input (saying what is allowed), 1 for a
failure while running (a strategy that raised, an unreachable server), 130 for Ctrl+C.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

import click

from cache.batch import BatchResult, Progress, RunSpec, derive_seed, run_batch
from cache.errors import RunFailed
from cache.logfmt import LogFormatter
from cache.redis_url import BadRedisUrl, RemoteRedisRefused, check_redis_url
from cache.scenarios.changes import ALL_CHANGES, Change, format_changes, parse_changes
from cache.strategies.registry import BUILTIN, StrategyNotFound, load_strategy
from cache.targets import SIMULATOR, Target
from workbench.session.request import RunRequest
from workbench.session.settings import (
    DEFAULT_REDIS_URL,
    DURATION,
    KEYS,
    LIVE_SETTINGS,
    READERS,
    RUNS,
    SEED,
    WIDEN_MS,
    WORKLOADS,
    WRITERS,
    LiveSettings,
    Setting,
    setting,
)

__all__ = ["cli", "main"]

FAILED_RUNS_SHOWN = 50
PROGRESS_FROM_SECONDS = 2.0  # show a progress bar for batches expected to take longer

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]
if TYPE_CHECKING:
    ParamType = click.ParamType[Any]  # generic in the stubs of click 8.2 and later
else:
    ParamType = click.ParamType


class SettingType(ParamType):
    """A setting's value, checked by its spec: the same words as the app's fields."""

    def __init__(self, spec: Setting) -> None:
        self.spec = spec
        self.name = "integer" if spec.integer else "number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            if isinstance(value, int | float) and not isinstance(value, bool):
                return self.spec.check(value)
            return self.spec.parse(str(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)


def _option(
    spec: Setting, default: float | None = None, help: str | None = None, short: str = ""
) -> Decorator:
    about = help or spec.help
    return click.option(
        spec.flag,
        *([short] if short else []),
        spec.name,
        type=SettingType(spec),
        default=default,
        show_default=default is not None,
        metavar="N" if spec.integer else "X",
        help=f"{about[0].upper()}{about[1:]} ({spec.describe_range()}).",
    )


def _parsed(parse: Callable[[str], Any]) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def convert(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        try:
            return parse(value)
        except (StrategyNotFound, ValueError) as error:
            raise click.BadParameter(str(error), ctx, param) from None

    return convert


def _options(*decorators: Decorator) -> Decorator:
    def apply(func: Callable[..., Any]) -> Callable[..., Any]:
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return apply


STRATEGY = click.option(
    "--strategy",
    "-s",
    default="naive-async",
    show_default=True,
    callback=_parsed(load_strategy),
    shell_complete=lambda ctx, param, text: [n for n in BUILTIN if n.startswith(text)],
    help=f"One of {', '.join(BUILTIN)}, or module:Class for your own.",
)
CHANGES = click.option(
    "--changes",
    default=format_changes(ALL_CHANGES),
    show_default=True,
    callback=_parsed(parse_changes),
    help="Recent changes applied: any of async, prewarm, ttl-refresh (or all, none).",
)
TARGET = _options(
    click.option(
        "--backend",
        type=click.Choice(("sim", "redis")),
        default="sim",
        show_default=True,
        help="sim: the simulated store (deterministic, seeded); "
        "redis: a live Redis server (real time, real interleavings).",
    ),
    click.option(
        "--redis-url",
        envvar="REDIS_URL",
        default=DEFAULT_REDIS_URL,
        show_default=True,
        help="With --backend redis: the server (redis://, rediss:// or unix://; also from "
        "$REDIS_URL). Only loopback or a unix socket unless --allow-remote. Keys go "
        "under a fresh rwb:<random>: prefix and are deleted after; nothing else is touched.",
    ),
    click.option(
        "--allow-remote",
        is_flag=True,
        help="With --backend redis: allow a server that is not on this machine.",
    ),
)
RUN_SETTINGS = _options(
    STRATEGY,
    _option(SEED, 1, "base seed: the same seed gives the same interleavings"),
    _option(WIDEN_MS, 0.0),
    CHANGES,
    click.option(
        "--workload",
        type=click.Choice(WORKLOADS),
        default="story",
        show_default=True,
        help="story: the story's test (one update racing a few reads); sustained: writers "
        "and readers on shared keys for --duration virtual seconds.",
    ),
    _option(READERS, None, "concurrent readers (default: the workload's own)"),
    _option(WRITERS, None, "sustained: tasks that update keys (default 4)"),
    _option(KEYS, None, "sustained: distinct primary keys (default 8)"),
    _option(DURATION, None, "sustained: virtual seconds per run (default 1)"),
    _option(setting("latency_scale"), None),
    _option(setting("jitter"), None),
    click.option("--json", "as_json", is_flag=True, help="Print one JSON object."),
    TARGET,
)


def _target(ctx: click.Context, options: dict[str, Any]) -> Target:
    """The simulator, or the checked server for ``--backend redis`` (a bad or remote URL
    is a usage error, raised before anything connects)."""
    backend, url, allow_remote = (
        options.pop("backend"),
        options.pop("redis_url"),
        options.pop("allow_remote"),
    )
    if backend != "redis":
        given = ctx.get_parameter_source("redis_url") is click.core.ParameterSource.COMMANDLINE
        if given or allow_remote:
            raise click.UsageError("--redis-url and --allow-remote need --backend redis")
        return SIMULATOR
    from cache.redis_run import RedisServerTarget  # only this path pays for redis-py

    try:
        return RedisServerTarget(check_redis_url(url, allow_remote=allow_remote))
    except (BadRedisUrl, RemoteRedisRefused) as error:
        raise click.BadParameter(str(error), ctx, param_hint="'--redis-url'") from None


def _request(options: dict[str, Any]) -> RunRequest:
    fields = ("strategy", "workload", "widen_ms", "latency_scale", "jitter", "changes")
    sizes = ("readers", "writers", "keys", "duration")
    try:
        return RunRequest(**{name: options.pop(name) for name in (*fields, *sizes)})
    except ValueError as error:
        raise click.UsageError(str(error)) from None


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@STRATEGY
@_options(*(_option(spec, None, f"live run: {spec.help}") for spec in LIVE_SETTINGS))
@CHANGES
@click.option("--start", "autostart", is_flag=True, help="Start the live workload at once.")
@TARGET
@click.pass_context
def cli(ctx: click.Context, /, autostart: bool, **options: Any) -> None:
    """Race Workbench: reproduce, explain and fix a cache race condition.

    With no command, opens the workbench (the terminal UI); its options preset the live run.
    """
    if ctx.invoked_subcommand is not None:
        return
    target = _target(ctx, options)
    allow_remote = target.kind == "redis" and bool(ctx.params.get("allow_remote"))
    values = {name: value for name, value in options.items() if value is not None}
    try:
        settings = LiveSettings(**values)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    from workbench.tui.app import WorkbenchApp  # only the TUI pays for importing Textual

    WorkbenchApp(settings, autostart=autostart, target=target, allow_remote=allow_remote).run()


@cli.command()
@_option(RUNS, 100, "how many times to run the scenario", short="-n")
@RUN_SETTINGS
@click.pass_context
def run(ctx: click.Context, /, runs: int, seed: int, as_json: bool, **options: Any) -> None:
    """Run the scenario N times and report the failing runs and the failure rate.

    With --backend redis the runs go to a live server, with the story sized for real time
    (3 readers, or --readers, each reading 3 times around an update about 1 ms in; see
    docs/redis.md). The interleavings are the network's, so the same seed gives similar,
    not equal, figures.
    """
    target = _target(ctx, options)
    spec = _request(options).spec(target)
    slow = runs * (0.3e-3 if target.kind == "sim" else 5e-3) > PROGRESS_FROM_SECONDS
    if slow and sys.stderr.isatty() and not as_json:
        with click.progressbar(
            length=runs, label=spec.strategy.name, file=sys.stderr, show_pos=True, show_eta=True
        ) as bar:

            def advance(result: BatchResult) -> None:
                bar.update(result.completed - bar.pos)

            result = _batch(spec, runs, seed, target, advance)
    else:
        result = _batch(spec, runs, seed, target)
    if as_json:
        click.echo(json.dumps(result.to_json()))
    else:
        where = "" if target.kind == "sim" else f" · on {target.describe()}"
        click.echo(
            f"{result.strategy} · {spec.scenario.describe()} · widen {result.widen_ms:g}ms · "
            f"{result.runs} runs · seed {result.seed}{where}"
        )
        _print_batch(result)
    if result.stopped_by:
        _die(f"run {result.stopped_at}: {result.stopped_by}", code=1)
    if result.interrupted:
        sys.exit(130)


def _batch(
    spec: RunSpec, runs: int, seed: int, target: Target, progress: Progress | None = None
) -> BatchResult:
    try:
        return run_batch(spec, runs, seed, target, progress=progress)
    except RunFailed as error:  # the target could not open: nothing was measured
        _die(str(error), code=1)


def _print_batch(result: BatchResult) -> None:
    for run_number in result.failed_runs[:FAILED_RUNS_SHOWN]:
        click.echo(f"Failed: {run_number}")
    hidden = result.failures - FAILED_RUNS_SHOWN
    if hidden > 0:
        click.echo(f"... and {hidden} more failing runs (--json lists them all)")
    if result.interrupted:
        why = "an error" if result.stopped_by else "the user"
        click.echo(
            f"Stopped by {why} after {result.completed} of {result.runs} runs; figures cover those."
        )
    click.echo(f"{result.failures} of {result.completed} runs failed: {result.rate}")
    kinds = ", ".join(f"{n} {k.value}" for k, n in sorted(result.by_kind.items()))
    click.echo(
        f"reads: {result.reads}, stale: {result.stale_reads}" + (f" ({kinds})" if kinds else "")
    )
    if result.reads:
        click.echo(f"stale reads per read (another measure): {result.stale_rate}")
    if result.detected or result.repaired:
        click.echo(f"inconsistencies detected: {result.detected}, repaired: {result.repaired}")
    if result.abandoned:
        click.echo(f"updates abandoned after too many retries: {result.abandoned}")


@cli.command()
@click.option(
    "--run",
    "run_number",
    type=SettingType(RUNS),
    required=True,
    help="Which run of the batch to replay (1-based, as `run` prints it).",
)
@click.option("--verbose", "-v", is_flag=True, help="Every event, not just the story-shaped lines.")
@RUN_SETTINGS
@click.pass_context
def replay(
    ctx: click.Context, /, run_number: int, seed: int, as_json: bool, verbose: bool, **options: Any
) -> None:
    """Replay one run as a timestamped log, stale reads marked with the write they missed.

    With --backend redis this is NOT a replay: it performs one new live run on the server
    with run N's seed, which fixes the scenario's timings but not the interleaving (the
    event loop and the network choose that), and logs it with real timestamps. Only the
    simulated store replays a run exactly.
    """
    from workbench.session.replay import replay_run

    target = _target(ctx, options)
    request = _request(options)
    try:
        shown = replay_run(request, seed, run_number, target)
    except RunFailed as error:
        _die(str(error), code=1)
    if as_json:
        click.echo(json.dumps(shown.to_json()))
        return
    click.echo(
        f"{shown.title} (seed {seed}, run seed {derive_seed(seed, run_number)}): "
        f"{request.strategy.name}, widen {request.widen_ms:g}ms"
    )
    if shown.note:
        click.echo(shown.note)
    click.echo(f"# {shown.spec.scenario.describe()}")
    oracle = shown.oracle
    stale = {verdict.read.span: verdict for verdict in oracle.stale_reads}
    for line in LogFormatter(stale.get, verbose=verbose).lines(shown.history):
        click.echo(line)
    verdict = "FAILED" if oracle.stale else "passed"
    click.echo(f"# {verdict}: {oracle.stale} stale of {oracle.reads} reads")
    for v in oracle.stale_reads:
        click.echo(f"# stale: {v.explain()}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def strategies(as_json: bool) -> None:
    """List the strategies, each with what it does and what it guarantees."""
    listed = [
        {"name": s.name, "description": s.description, "guarantee": s.guarantee}
        for s in BUILTIN.values()
    ]
    if as_json:
        click.echo(json.dumps(listed))
        return
    for s in listed:
        click.echo(f"{s['name']}\n  does:       {s['description']}\n  guarantees: {s['guarantee']}")


@cli.command()
def changes() -> None:
    """List the story's recent changes (the suspects) and what each does here."""
    for change in Change:
        click.echo(f"{change.commit} {change.value:<12} {change.summary}\n  {change.effect}")


@cli.command()
@_option(SEED, 1, "base seed for every row")
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
    except (click.exceptions.Abort, KeyboardInterrupt):
        _die("interrupted", code=130)
    sys.exit(status if isinstance(status, int) else 0)
