"""Exporting the investigation's failing run as a pytest regression test.

The file is the user's: it is never written outside the working directory, nor over a
file that exists, unless they confirmed that (``export_concerns`` says what to confirm), and
it appears whole or not at all (written beside its place, then linked or renamed there).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from cache.batch import RunSpec, drive
from cache.regression import RegressionCase, regression_test_source
from cache.scenarios.changes import ALL_CHANGES
from cache.scenarios.story import StoryScenario
from cache.strategies.registry import load_strategy
from workbench.session.atomic import write_atomic
from workbench.session.state import Session

__all__ = ["BROKEN", "check_export_name", "export_concerns", "export_regression_test"]

BROKEN = "naive-async"
SEARCH_RUNS = 1000


def check_export_name(path: Path) -> None:
    """``ValueError`` unless pytest would collect the file: ``test_*.py``."""
    if not (path.name.startswith("test_") and path.name.endswith(".py")):
        raise ValueError("the file name must look like test_something.py so pytest finds it")


def export_concerns(path: Path, cwd: Path | None = None) -> list[str]:
    """What the user must confirm before ``path`` is written: it is outside the working
    directory, or a file is already there. Empty if it can simply be written."""
    here = (cwd or Path.cwd()).resolve()
    target = (here / path).resolve()
    concerns = []
    if not target.is_relative_to(here):
        concerns.append(f"{target} is outside the working directory ({here})")
    if target.exists():
        concerns.append(f"{target} exists and would be replaced")
    return concerns


async def export_regression_test(
    path: Path, session: Session, fix: str, *, overwrite: bool = False
) -> tuple[Path, int]:
    """Write a pytest file pinning a failing run; returns where it went and which run.

    The run is the first failing one of the evidence, if Evidence ran on the simulator with
    the session's seed; otherwise the first that fails when the broken strategy is run
    afresh with it. Raises ``FileExistsError`` if the file exists (unless ``overwrite``),
    ``OSError`` if it cannot be written and ``ValueError`` if no run fails. The caller
    checks ``export_concerns`` first."""
    check_export_name(path)
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
    source = regression_test_source(case, path.name)
    compile(source, str(path), "exec")  # a bug of ours must not become the user's file
    if overwrite:
        write_atomic(path, source)
    else:
        write_new(path, source)
    return path, run


def write_new(path: Path, text: str) -> Path:
    """Write ``path`` whole, only if no file is there: written beside it, then hard-linked
    into place, which fails (``FileExistsError``) rather than replace a file that appeared
    meanwhile."""
    directory = path.parent if str(path.parent) else Path(".")
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temp, path)
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links: check, then rename
            if path.exists():
                raise FileExistsError(f"{path} exists") from None
            os.replace(temp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
    return path
