"""``workbench run``'s batch and what it prints, without click: the same lines whether click
parsed the command line (``workbench.cli.runs``) or the quick path did
(``workbench.cli.quick``)."""

from __future__ import annotations

from collections.abc import Callable

from cache.batch import BatchResult, Progress, RunSpec, run_batch
from cache.errors import BadInput, RunFailed
from cache.targets import SIMULATOR, Target
from workbench.cli.exits import die

__all__ = ["FAILED_RUNS_SHOWN", "Echo", "batch", "parallel_target", "report", "wants_progress"]

Echo = Callable[[str], None]

FAILED_RUNS_SHOWN = 50
PROGRESS_FROM_SECONDS = 2.0  # show a progress bar for batches expected to take longer


def wants_progress(runs: int, target: Target) -> bool:
    """Whether the batch is expected to take long enough for a progress bar."""
    return runs * (0.3e-3 if target.kind == "sim" else 5e-3) > PROGRESS_FROM_SECONDS


def parallel_target(runs: int, jobs: int | None) -> Target:
    """The simulator on ``jobs`` processes (all cores by default), unless the batch is too
    small to be worth starting them."""
    from cache.parallel import CHUNK, ParallelSimulatorTarget, all_cores

    jobs = jobs if jobs is not None else all_cores()
    if jobs == 1 or runs <= CHUNK:
        return SIMULATOR
    return ParallelSimulatorTarget(jobs)


def batch(
    spec: RunSpec, runs: int, seed: int, target: Target, progress: Progress | None = None
) -> BatchResult:
    try:
        return run_batch(spec, runs, seed, target, progress=progress)
    except RunFailed as error:  # the target could not open: nothing was measured
        die(str(error), code=1)
    except BadInput as error:  # found out on connecting: no such database, a remote node
        die(str(error), code=2)


def report(
    result: BatchResult,
    spec: RunSpec,
    target: Target,
    *,
    as_json: bool,
    fail_on_stale: bool,
    echo: Echo,
) -> None:
    """Print the batch's figures (or its JSON), then exit as they say: 1 if a run stopped
    it, 130 if interrupted, 1 for stale reads with ``fail_on_stale``."""
    if as_json:
        import json

        echo(json.dumps(result.to_json()))
    else:
        where = "" if target.kind == "sim" else f" · on {target.describe()}"
        echo(
            f"{result.strategy} · {spec.scenario.describe()} · widen {result.widen_ms:g}ms · "
            f"{result.runs} runs · seed {result.seed}{where}"
        )
        _print_batch(result, echo)
    if result.stopped_by:
        die(f"run {result.stopped_at}: {result.stopped_by}", code=1)
    if result.interrupted:
        raise SystemExit(130)
    if fail_on_stale and result.failures:
        die(f"{result.failures} of {result.completed} runs failed (--fail-on-stale)", code=1)


def _print_batch(result: BatchResult, echo: Echo) -> None:
    for run_number in result.failed_runs[:FAILED_RUNS_SHOWN]:
        echo(f"Failed: {run_number}")
    hidden = result.failures - FAILED_RUNS_SHOWN
    if hidden > 0:
        echo(f"... and {hidden} more failing runs (--json lists them all)")
    if result.interrupted:
        why = "an error" if result.stopped_by else "the user"
        echo(
            f"Stopped by {why} after {result.completed} of {result.runs} runs; "
            "figures cover those."
        )
    echo(f"{result.failures} of {result.completed} runs failed: {result.rate}")
    kinds = ", ".join(f"{n} {k.value}" for k, n in sorted(result.by_kind.items()))
    echo(f"reads: {result.reads}, stale: {result.stale_reads}" + (f" ({kinds})" if kinds else ""))
    if result.reads:
        echo(f"stale reads per read (another measure): {result.stale_rate}")
    if result.detected or result.repaired:
        echo(f"inconsistencies detected: {result.detected}, repaired: {result.repaired}")
    if result.lost_updates:
        echo(f"lost updates (increments that vanished): {result.lost_updates}")
    if result.abandoned:
        echo(f"updates abandoned after too many retries: {result.abandoned}")
