"""``workbench``: the command line. Headless subcommands run the core without importing
Textual (so they start fast and work in CI); with no subcommand it opens the TUI.

Errors are one line on stderr: exit code 2 for bad input (saying what is allowed), 1 for a
failure while running (a strategy that raised, an unreachable server).

``run`` and ``replay`` take ``--backend redis --redis-url redis://127.0.0.1:PORT/DB`` to run
against a live Redis server instead of the simulated store (``docs/redis.md``). The Redis
modules (and redis-py) are imported only on that path.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

import click
from click.core import ParameterSource

from cache.backends.base import BackendError
from cache.batch import MAX_RUNS, BatchResult, RunSpec, derive_seed, run_batch
from cache.logfmt import LogFormatter
from cache.redis_url import BadRedisUrl, RedisTarget, RemoteRedisRefused, check_redis_url
from cache.scenarios.changes import ALL_CHANGES, Change, format_changes, parse_changes
from cache.scenarios.live import live_story
from cache.scenarios.story import StoryScenario
from cache.scheduler.core import Deadlock, StepLimitExceeded
from cache.service import StrategyFailed
from cache.simulation import Knobs
from cache.strategies.base import Strategy
from cache.strategies.registry import BUILTIN, StrategyNotFound, load_strategy
from workbench.settings import KNOBS, KnobSpec, LiveSettings, parse_knob

if TYPE_CHECKING:
    from cache.redis_run import RedisRun

__all__ = ["cli", "main"]

FAILED_RUNS_SHOWN = 50
DEFAULT_READERS = StoryScenario().readers
PROGRESS_FROM_RUNS = 2_000
REDIS_PROGRESS_FROM_RUNS = 200  # a live run takes milliseconds, not microseconds
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
BACKENDS = ("sim", "redis")


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


def _backend_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Where the runs run: the simulated store, or a live Redis server."""
    options = [
        click.option(
            "--backend",
            type=click.Choice(BACKENDS),
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


def _redis_target(
    ctx: click.Context, backend: str, redis_url: str, allow_remote: bool
) -> RedisTarget | None:
    """The checked server for ``--backend redis`` (None for sim); a bad or remote URL is a
    usage error (exit 2), raised before anything connects."""
    if backend != "redis":
        if ctx.get_parameter_source("redis_url") is ParameterSource.COMMANDLINE or allow_remote:
            raise click.UsageError("--redis-url and --allow-remote need --backend redis")
        return None
    try:
        return check_redis_url(redis_url, allow_remote=allow_remote)
    except (BadRedisUrl, RemoteRedisRefused) as error:
        raise click.BadParameter(str(error), ctx, param_hint="'--redis-url'") from None


def _live_spec(
    ctx: click.Context,
    strategy: type[Strategy],
    widen_ms: float,
    changes: frozenset[Change],
    readers: int,
) -> RunSpec:
    """The story sized for a real server (``live_story``); ``--readers`` overrides
    its reader count only when given."""
    scenario = live_story(changes=changes)
    if ctx.get_parameter_source("readers") is not ParameterSource.DEFAULT:
        scenario = live_story(readers=readers, changes=changes)
    return RunSpec(scenario, strategy, Knobs(widen_ms=widen_ms))


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
@_backend_options
@click.pass_context
def cli(
    ctx: click.Context,
    /,
    strategy: type[Strategy],
    changes: frozenset[Change],
    autostart: bool,
    backend: str,
    redis_url: str,
    allow_remote: bool,
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
    target = _redis_target(ctx, backend, redis_url, allow_remote)
    from workbench.app import WorkbenchApp  # only the TUI pays for importing Textual
    from workbench.backend_choice import BackendChoice

    WorkbenchApp(
        settings,
        autostart=autostart,
        separate_process=True,
        backend=BackendChoice(target),
        allow_remote=allow_remote,
    ).run()


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
@_backend_options
@click.pass_context
def run(
    ctx: click.Context,
    strategy: type[Strategy],
    runs: int,
    seed: int,
    widen_ms: float,
    changes: frozenset[Change],
    readers: int,
    as_json: bool,
    backend: str,
    redis_url: str,
    allow_remote: bool,
) -> None:
    """Run the story's test N times and report the failing runs and the failure rate.

    With --backend redis the runs go to a live server, with the story sized for real time
    (3 readers, or --readers, each reading 3 times around an update about 1 ms in; see
    docs/redis.md). The interleavings are the network's, so the same seed gives similar,
    not equal, figures.
    """
    target = _redis_target(ctx, backend, redis_url, allow_remote)
    if target is not None:
        spec = _live_spec(ctx, strategy, widen_ms, changes, readers)
        _run_on_redis(spec, runs, seed, target, as_json=as_json)
        return
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


def _run_on_redis(
    spec: RunSpec, runs: int, seed: int, target: RedisTarget, *, as_json: bool
) -> None:
    """``run --backend redis``: what was measured is printed even when the server is lost
    part-way; then the error is one line on stderr and the exit code 1."""
    from cache.redis_run import run_on_redis

    chunk = max(10, runs // 200)

    def batch(progress: Callable[[BatchResult], None] | None = None) -> BatchResult:
        return run_on_redis(
            spec, runs, seed, target.url, allow_remote=True, progress=progress, chunk=chunk
        )

    if runs >= REDIS_PROGRESS_FROM_RUNS and sys.stderr.isatty() and not as_json:
        with click.progressbar(
            length=runs, label=spec.strategy.name, file=sys.stderr, show_pos=True, show_eta=True
        ) as bar:
            done = 0

            def advance(result: BatchResult) -> None:
                nonlocal done
                bar.update(result.completed - done)
                done = result.completed

            result = _guarded(lambda: batch(advance))
    else:
        result = _guarded(batch)
    if as_json:
        click.echo(json.dumps(result.to_json()))
    else:
        _print_batch(result, spec, where=f"Redis at {target.display}")
    if result.stopped_by:
        _die(result.stopped_by, code=1)
    if result.interrupted:
        sys.exit(130)


def _guarded(call: Callable[[], BatchResult]) -> BatchResult:
    try:
        return call()
    except (StrategyFailed, Deadlock, StepLimitExceeded, BackendError) as error:
        _die(str(error), code=1)


def _print_batch(result: BatchResult, spec: RunSpec, where: str = "") -> None:
    click.echo(
        f"{result.strategy} · {spec.scenario.describe()} · widen {result.widen_ms:g}ms · "
        f"{result.runs} runs · seed {result.seed}" + (f" · on {where}" if where else "")
    )
    for run_number in result.failed_runs[:FAILED_RUNS_SHOWN]:
        click.echo(f"Failed: {run_number}")
    hidden = result.failures - FAILED_RUNS_SHOWN
    if hidden > 0:
        click.echo(f"... and {hidden} more failing runs (--json lists them all)")
    if result.stopped_by:
        click.echo(
            f"Stopped by an error after {result.completed} of {result.runs} runs; "
            "figures cover those."
        )
    elif result.interrupted:
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
@_backend_options
@click.pass_context
def replay(
    ctx: click.Context,
    strategy: type[Strategy],
    run_number: int,
    seed: int,
    widen_ms: float,
    changes: frozenset[Change],
    readers: int,
    as_json: bool,
    verbose: bool,
    backend: str,
    redis_url: str,
    allow_remote: bool,
) -> None:
    """Replay one run as a timestamped log, stale reads marked with the write they missed.

    With --backend redis this is NOT a replay: it performs one new live run on the server
    with run N's seed, which fixes the scenario's timings but not the interleaving (the
    event loop and the network choose that), and logs it with real timestamps. Only the
    simulated store replays a run exactly.
    """
    target = _redis_target(ctx, backend, redis_url, allow_remote)
    run_seed = derive_seed(seed, run_number)
    if target is not None:
        spec = _live_spec(ctx, strategy, widen_ms, changes, readers)
        live = _live_run(spec, run_seed, target)
        history, oracle = live.history, live.oracle
        title = f"# one live run on Redis at {target.display} with run {run_number}'s seed"
        note = (
            "# not a deterministic replay: the seed fixes when each task starts; "
            "the event loop and the network chose this interleaving"
        )
    else:
        spec = _spec(strategy, widen_ms, changes, readers)
        sim = spec.simulate(run_seed)
        try:
            sim.run()
        except (StrategyFailed, Deadlock, StepLimitExceeded, BackendError) as error:
            _die(str(error), code=1)
        history, oracle = sim.history, sim.oracle
        title = f"# replay of run {run_number}"
        note = ""
    stale = {verdict.read.span: verdict for verdict in oracle.stale_reads}
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
                    "backend": backend,
                    "events": [event.to_dict() for event in history],
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
                        for v in oracle.stale_reads
                    ],
                }
            )
        )
        return
    click.echo(
        f"{title} (seed {seed}, run seed {run_seed}): {spec.strategy.name}, widen {widen_ms:g}ms"
    )
    if note:
        click.echo(note)
    click.echo(f"# {spec.scenario.describe()}")
    for line in LogFormatter(stale.get, verbose=verbose).lines(history):
        click.echo(line)
    verdict = "FAILED" if oracle.stale else "passed"
    click.echo(f"# {verdict}: {oracle.stale} stale of {oracle.reads} reads")
    for v in oracle.stale_reads:
        click.echo(f"# stale: {v.explain()}")


def _live_run(spec: RunSpec, run_seed: int, target: RedisTarget) -> RedisRun:
    """One run on the server for ``replay --backend redis``; errors exit 1 with one line."""
    import asyncio

    from cache.backends.redis_server import RedisServer
    from cache.realtime import RunStalled
    from cache.redis_run import RedisRun

    async def main() -> RedisRun:
        server = await RedisServer.connect(target)
        try:
            live = RedisRun(spec.scenario, spec.strategy, run_seed, spec.knobs, server=server)
            await live.run()
            return live
        finally:
            await server.close()

    try:
        return asyncio.run(main())
    except (StrategyFailed, BackendError, RunStalled) as error:
        _die(str(error), code=1)


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
