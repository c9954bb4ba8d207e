"""The walkthrough's headless parts: the witness of a stale read, the by-hand scheduler,
the clean-runs math, checkpoints that refuse empty passes, the report and its schema."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cache.batch import RunSpec
from cache.byhand import ByHand
from cache.knobs import Knobs
from cache.strategies.registry import load_strategy
from cache.witness import is_minimal, witness_of
from tests.conftest import spec
from workbench.session.confidence import CleanRuns, clean_runs_needed
from workbench.session.replay import replay_run
from workbench.session.report import report_data, write_report
from workbench.session.request import RunRequest
from workbench.session.state import Session
from workbench.session.walkthrough import Walkthrough

SCHEMA = Path(__file__).parent.parent / "schemas" / "session-report.schema.json"


def test_clean_runs_needed_at_the_storys_rate() -> None:
    assert clean_runs_needed(0.08, 0.95) == 36
    assert clean_runs_needed(0.08, 0.99) == 56
    assert CleanRuns(0.08, 40).reached() == "95%"
    with pytest.raises(ValueError, match="between 0 and 1"):
        clean_runs_needed(0.0, 0.95)


def test_the_readme_replay_has_a_witness_of_four_events_that_fails_alone() -> None:
    replayed = replay_run(RunRequest(), 1, 35)  # `workbench replay --run 35`
    stale = replayed.oracle.stale_reads[0]
    witness = witness_of(stale, replayed.oracle.fixture, replayed.history)
    assert len(witness.events) <= 4
    assert witness.replays_stale()
    assert is_minimal(witness.events, witness.fixture)
    assert "invalidation of user:123:summary lands" in witness.lines()[-1]
    assert "related entry" in witness.terms()


@settings(max_examples=60)
@given(st.integers(min_value=1, max_value=2**32))
def test_every_stale_reads_witness_is_minimal_and_still_stale(seed: int) -> None:
    sim = spec("naive-async", widen_ms=100.0).simulate(seed)
    sim.run()
    for stale in sim.oracle.stale_reads:
        for history in (sim.history, None):  # recorded, or rebuilt as for a live run
            witness = witness_of(stale, sim.oracle.fixture, history)
            assert witness.replays_stale()
            assert is_minimal(witness.events, witness.fixture)


STALE = ["updater", "updater", "updater", "reader-1", "reader-1", "reader-1"]


def test_by_hand_the_learner_makes_the_stale_read_and_undoes_it() -> None:
    run = ByHand()
    assert [t.name for t in run.tasks()] == ["updater", "reader-1"]
    run.play(STALE)
    assert run.reads() == [("reader-1", 0, True)]
    witness = run.witness()
    assert witness is not None and witness.replays_stale() and len(witness.events) == 4
    assert run.undo()
    assert run.reads() == [] and run.choices == STALE[:-1]
    run.play(["updater", "updater"])  # let the invalidation land first
    assert run.reads() == [("reader-1", 1, False)] and run.finished
    with pytest.raises(ValueError, match="cannot take the next step"):
        run.step("updater")


def _batch(session: Session, strategy: str, runs: int, widen: float = 0.0) -> None:
    run_spec = RunSpec(session.story(), load_strategy(strategy), Knobs(widen_ms=widen))
    asyncio.run(session.batch(run_spec, runs))


def test_pressing_through_passes_nothing_and_a_fix_needs_evidence_of_concurrency() -> None:
    session = Session()
    walk = Walkthrough(session.journal)
    for _ in range(20):
        walk.next()
        walk.hint()
    assert walk.passed == {}
    assert walk.current is not None and walk.current.id == "reproduce"
    # A clean fix with nothing to compare it with proves nothing.
    _batch(session, "lock", 1000)
    assert "fix_verified" not in walk.passed
    assert "no evidence" in walk.outcome("fix_verified").reason
    _batch(session, "naive-async", 100)  # 4% at seed 1: 113 clean runs needed for 99%
    _batch(session, "lock", 50)
    assert "fix_verified" in walk.passed  # the 1000 clean runs now count


def test_the_report_validates_and_is_never_overwritten_without_asking(tmp_path: Path) -> None:
    session = Session()
    walk = Walkthrough(session.journal)
    _batch(session, "naive-async", 100)
    walk.hint()
    session.journal.record("explanation", id="window")
    data = report_data(walk, learner="ada")
    jsonschema.validate(data, json.loads(SCHEMA.read_text()))
    written = write_report(tmp_path / "report.md", data)
    assert [p.name for p in written] == ["report.md", "report.json"]
    assert json.loads(written[1].read_text())["batches"][0]["failures"] == 4
    with pytest.raises(FileExistsError):
        write_report(tmp_path / "report.md", data)
    write_report(tmp_path / "report.md", data, overwrite=True)


WRITER = """
import sys, time
from pathlib import Path
from workbench.session.atomic import write_atomic
def chunks():
    yield "new " * 1000
    print("half", flush=True)
    sys.stdin.readline()  # blocks until killed
    yield "rest"
write_atomic(Path(sys.argv[1]), chunks())
"""


def test_a_writer_killed_mid_write_leaves_the_old_file_intact(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old report")
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(target)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "half"
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert target.read_text() == "old report"
