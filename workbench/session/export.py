"""Exporting the investigation's failing run as a pytest regression test."""

from __future__ import annotations

from pathlib import Path

from cache.batch import RunSpec, drive
from cache.regression import RegressionCase, regression_test_source
from cache.scenarios.changes import ALL_CHANGES
from cache.scenarios.story import StoryScenario
from cache.strategies.registry import load_strategy
from workbench.session.state import Session

__all__ = ["BROKEN", "export_regression_test"]

BROKEN = "naive-async"
SEARCH_RUNS = 1000


async def export_regression_test(path: Path, session: Session, fix: str) -> tuple[Path, int]:
    """Write a pytest file pinning a failing run; returns where it went and which run.

    The run is the first failing one of the evidence, if Evidence ran on the simulator with
    the session's seed; otherwise the first that fails when the broken strategy is run
    afresh with it. Raises ``OSError`` if the file cannot be written and ``ValueError`` if
    no run fails."""
    evidence = session.casebook.evidence
    usable = (
        evidence is not None
        and evidence.backend == "sim"
        and evidence.seed == session.seed
        and evidence.failed_runs
    )
    if usable and evidence is not None:
        run, broken = evidence.failed_runs[0], evidence.strategy
    else:
        spec = RunSpec(StoryScenario(), load_strategy(BROKEN))
        found = await drive(spec, SEARCH_RUNS, session.seed)
        if not found.failed_runs:
            raise ValueError("no failing run to pin: the broken strategy never failed")
        run, broken = found.failed_runs[0], BROKEN
    case = RegressionCase(seed=session.seed, run=run, broken=broken, fix=fix, changes=ALL_CHANGES)
    path.write_text(regression_test_source(case, path.name), encoding="utf-8")  # noqa: ASYNC240 - one small file
    return path, run
