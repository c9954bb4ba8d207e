"""``workbench run`` and ``workbench replay``: batches and single runs, headless."""

from __future__ import annotations

import sys
from typing import Any

import click

from cache.batch import BatchResult, derive_seed
from cache.errors import RunFailed
from cache.targets import Target
from workbench.cli.exits import die
from workbench.cli.options import RUN_SETTINGS, SettingType, option_for, request_from, target_from
from workbench.cli.report import batch, parallel_target, report, wants_progress
from workbench.session.settings import JOBS, RUNS, WORKERS

__all__ = ["replay", "run"]

@click.command()
@option_for(RUNS, 100, "how many times to run the scenario", short="-n")
@option_for(JOBS, None, "processes to share the runs among (default: all cores; same results)")
@option_for(
    WORKERS,
    None,
    "with --backend redis: processes that play each run at once on its keys, their "
    "histories merged and judged as one (docs/redis.md)",
)
@click.option(
    "--fail-on-stale",
    is_flag=True,
    help="Exit 1 if any run failed (a stale read, or a lost update): for CI.",
)
@RUN_SETTINGS
@click.pass_context
def run(
    ctx: click.Context,
    /,
    runs: int,
    jobs: int | None,
    workers: int | None,
    seed: int,
    as_json: bool,
    fail_on_stale: bool,
    **options: Any,
) -> None:
    """Run the scenario N times and report the failing runs and the failure rate.

    With --backend redis the runs go to a live server, with the story sized for real time
    (3 readers, or --readers, each reading 3 times around an update about 1 ms in; see
    docs/redis.md). The interleavings are the network's, so the same seed gives similar,
    not equal, figures.
    """
    target = target_from(ctx, options)
    if jobs is not None and target.kind != "sim":
        raise click.UsageError("--jobs is for the simulator; a server's runs share one client")
    if workers is not None:
        target = _workers_target(target, workers)
    spec = request_from(options).spec(target)
    if target.kind == "sim" and jobs != 1:
        target = parallel_target(runs, jobs)
    if wants_progress(runs, target) and sys.stderr.isatty() and not as_json:
        with click.progressbar(
            length=runs, label=spec.strategy.name, file=sys.stderr, show_pos=True, show_eta=True
        ) as bar:

            def advance(result: BatchResult) -> None:
                bar.update(result.completed - bar.pos)

            result = batch(spec, runs, seed, target, advance)
    else:
        result = batch(spec, runs, seed, target)
    report(result, spec, target, as_json=as_json, fail_on_stale=fail_on_stale, echo=click.echo)


def _workers_target(target: Target, workers: int) -> Target:
    from cache.redis_run import RedisServerTarget

    if not isinstance(target, RedisServerTarget):
        raise click.UsageError("--workers needs --backend redis")
    from cache.redis_workers import RedisWorkersTarget

    return RedisWorkersTarget(target.url, workers=workers)


@click.command()
@click.option(
    "--run",
    "run_number",
    type=SettingType(RUNS),
    default=None,
    help="Which run of the batch to replay (1-based, as `run` prints it).",
)
@click.option(
    "--token",
    default=None,
    help="Replay the schedule a token names (from `workbench explore`); the other "
    "settings come from the token.",
)
@click.option("--verbose", "-v", is_flag=True, help="Every event, not just the story-shaped lines.")
@RUN_SETTINGS
@click.pass_context
def replay(
    ctx: click.Context,
    /,
    run_number: int | None,
    token: str | None,
    seed: int,
    as_json: bool,
    verbose: bool,
    **options: Any,
) -> None:
    """Replay one run as a timestamped log, stale reads marked with the write they missed.

    With --token, replays an explored schedule exactly, saying where the code has changed
    since the token was made (exit 1 if the replay ends stale).

    With --backend redis this is NOT a replay: it performs one new live run on the server
    with run N's seed, which fixes the scenario's timings but not the interleaving (the
    event loop and the network choose that), and logs it with real timestamps. Only the
    simulated store replays a run exactly.
    """
    from workbench.session.replay import replay_run

    if (run_number is None) == (token is None):
        raise click.UsageError(
            "give --run N (a run of a batch) or --token TOKEN (a schedule from explore)"
        )
    if token is not None:
        from workbench.cli.explore import replay_from_token

        sys.exit(replay_from_token(token, as_json))
    assert run_number is not None

    target = target_from(ctx, options)
    request = request_from(options)
    try:
        shown = replay_run(request, seed, run_number, target)
    except RunFailed as error:
        die(str(error), code=1)
    if as_json:
        import json

        click.echo(json.dumps(shown.to_json()))
        return
    click.echo(
        f"{shown.title} (seed {seed}, run seed {derive_seed(seed, run_number)}): "
        f"{request.strategy.name}, widen {request.widen_ms:g}ms"
    )
    if shown.note:
        click.echo(shown.note)
    click.echo(f"# {shown.spec.scenario.describe()}")
    from cache.logfmt import LogFormatter

    oracle = shown.oracle
    stale = {verdict.read.span: verdict for verdict in oracle.stale_reads}
    for line in LogFormatter(stale.get, verbose=verbose).lines(shown.history):
        click.echo(line)
    verdict = "FAILED" if oracle.stale else "passed"
    click.echo(f"# {verdict}: {oracle.stale} stale of {oracle.reads} reads")
    for v in oracle.stale_reads:
        click.echo(f"# stale: {v.explain()}")
