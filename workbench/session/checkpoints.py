"""Checkpoints: predicates over the journal of what the learner did, never over keys pressed.

Each checkpoint has a stable id (a later challenge pack names it), a title, and a predicate
answering pass, fail or unknown ("not yet known": nothing to judge yet), with a one-line
reason the guide shows. Any path that reaches the state passes; nothing passes without
evidence of concurrency: a fix counts only against a failure rate of the broken code measured
under the same settings, because clean runs of a workload where reads never meet an update
prove nothing.

Parameters travel in ``state`` (a challenge pack sets them per goal): ``broken`` names the
code under suspicion (default: the story's ``naive-async``), ``workload`` restricts the
batches judged to one scenario (default: any; the culprit hunt: the story's), and
``confidence`` is what a verified fix must reach (``fix_tried`` 0.95, ``fix_verified`` 0.99).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, NamedTuple

from cache.scenarios.changes import Change
from workbench.session.bisect import find_culprit
from workbench.session.confidence import clean_runs_needed
from workbench.session.explanations import CORRECT
from workbench.session.journal import Journal

__all__ = ["BROKEN", "CHECKPOINTS", "PARAMS", "Checkpoint", "Outcome", "Verdict", "judge"]

BROKEN = "naive-async"
PARAMS = ("broken", "workload", "confidence")


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"


class Outcome(NamedTuple):
    verdict: Verdict
    reason: str


def _pass(reason: str) -> Outcome:
    return Outcome(Verdict.PASS, reason)


def _fail(reason: str) -> Outcome:
    return Outcome(Verdict.FAIL, reason)


def _unknown(reason: str) -> Outcome:
    return Outcome(Verdict.UNKNOWN, reason)


Predicate = Callable[[Journal, Mapping[str, Any]], Outcome]


class Checkpoint(NamedTuple):
    """A named goal: ``check(journal, state)`` says whether the learner has reached it."""

    id: str
    title: str
    check: Predicate


class _Batch:
    """A journal's batch record, read the way ``find_culprit`` reads a ``BatchResult``."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.failures = int(data["failures"])
        self.completed = int(data["completed"])

    @property
    def rate(self) -> float:
        return self.failures / self.completed if self.completed else 0.0

    def settings(self) -> tuple[float, tuple[str, ...]]:
        return float(self.data["widen_ms"]), tuple(self.data["changes"])


def _broken(state: Mapping[str, Any]) -> str:
    return str(state.get("broken", BROKEN))


def _batches(
    journal: Journal, strategy: str | None = None, state: Mapping[str, Any] | None = None
) -> list[_Batch]:
    workload = (state or {}).get("workload")
    return [
        _Batch(d)
        for d in journal.of("batch")
        if d["completed"] > 0
        and (strategy is None or d["strategy"] == strategy)
        and (workload is None or d.get("workload", "story") == workload)
    ]


def _broken_rate(
    journal: Journal, settings: tuple[float, tuple[str, ...]], state: Mapping[str, Any]
) -> float | None:
    """The broken code's failure rate under ``settings``, pooled over its batches."""
    failures = completed = 0
    for batch in _batches(journal, _broken(state), state):
        if batch.settings() == settings:
            failures += batch.failures
            completed += batch.completed
    if not failures:
        return None
    return failures / completed


# -- the predicates ---------------------------------------------------------------------------


def batch_failed(journal: Journal, state: Mapping[str, Any]) -> Outcome:
    batches = _batches(journal, None, state)
    if not batches:
        return _unknown("no batch run yet")
    failing = [b for b in batches if b.failures]
    if failing:
        b = failing[0]
        return _pass(f"{b.failures} of {b.completed} runs of {b.data['strategy']} failed")
    return _fail(f"every batch so far passed: run the code under suspicion ({_broken(state)})")


def run_replayed(journal: Journal, state: Mapping[str, Any]) -> Outcome:
    replays = journal.of("replay")
    if not replays:
        return _unknown("no run opened yet")
    if any(r["stale"] for r in replays):
        return _pass("a failing run opened as a replay")
    return _fail("the runs opened so far had no stale read")


def stale_read_selected(journal: Journal, state: Mapping[str, Any]) -> Outcome:
    selected = journal.of("stale_selected")
    if selected:
        return _pass(f"a stale read selected ({selected[0]['where']})")
    return _unknown("no stale read selected yet")


def stale_by_hand(journal: Journal, state: Mapping[str, Any]) -> Outcome:
    runs = journal.of("by_hand")
    if not runs:
        return _unknown("no read finished by hand yet")
    if any(r["stale"] for r in runs):
        return _pass("you scheduled the stale read yourself")
    return _fail("your reads so far were fresh: let the read start after the set is "
                 "acknowledged and finish before the invalidation")


def culprit_found(journal: Journal, state: Mapping[str, Any]) -> Outcome:
    measured = {
        frozenset(Change(c) for c in b.data["changes"]): b
        for b in _batches(journal, _broken(state))
        if b.data["widen_ms"] == 0
        and b.data.get("workload", "story") == state.get("workload", "story")
    }
    if len(measured) < 2:
        return _unknown("measure the broken code with different sets of recent changes")
    culprit = find_culprit(measured)
    if culprit is None:
        return _fail("no single change isolated yet: leave one out at a time")
    return _pass(f"culprit: {culprit.commit} {culprit.summary}")


def explanation_chosen(journal: Journal, state: Mapping[str, Any]) -> Outcome:
    chosen = journal.of("explanation")
    if not chosen:
        return _unknown("no explanation chosen yet")
    if chosen[-1]["id"] == CORRECT:
        return _pass("your explanation matches the mechanism")
    return _fail("that explanation does not fit the evidence")


def window_widened(journal: Journal, state: Mapping[str, Any]) -> Outcome:
    broken = _batches(journal, _broken(state), state)
    baselines = [b for b in broken if b.data["widen_ms"] == 0]
    widened = [b for b in broken if b.data["widen_ms"] > 0]
    if not baselines or not widened:
        return _unknown("measure the broken code with and without a widened window")
    for wide in widened:
        for base in baselines:
            if base.data["changes"] != wide.data["changes"]:
                continue
            if wide.data["rate"]["low"] > base.data["rate"]["high"]:
                return _pass(
                    f"widened by {wide.data['widen_ms']:g} ms the rate rose from "
                    f"{base.rate:.0%} to {wide.rate:.0%}, intervals apart"
                )
    return _fail("the widened rate's interval still overlaps the baseline's: widen more, "
                 "or run more")


def _clean_fix(
    journal: Journal, confidence: float, widened: bool, state: Mapping[str, Any]
) -> Outcome:
    confidence = float(state.get("confidence", confidence))
    fixes = [
        b for b in _batches(journal, None, state)
        if b.data["strategy"] != _broken(state) and (b.data["widen_ms"] > 0) == widened
    ]
    if not fixes:
        where = " with the window widened" if widened else " at production timing (no widening)"
        return _unknown(f"no fix run yet{where}")
    reasons = []
    for fix in reversed(fixes):
        name = fix.data["strategy"]
        if fix.failures:
            reasons.append(f"{name} still failed {fix.failures} times")
            continue
        rate = _broken_rate(journal, fix.settings(), state)
        if rate is None:
            reasons.append(
                f"{name} passed, but the broken code was never seen failing under the same "
                "settings: no evidence that reads met updates"
            )
            continue
        # Code that fails every run: one clean run already tells the fix apart.
        needed = 1 if rate >= 1 else clean_runs_needed(rate, confidence)
        if fix.completed < needed:
            reasons.append(f"{name}: {fix.completed} clean runs, {needed} needed")
            continue
        return _pass(f"{name}: {fix.completed} clean runs (needed {needed} at {rate:.1%})")
    return _fail(reasons[0])


def fix_tried(journal: Journal, state: Mapping[str, Any]) -> Outcome:
    return _clean_fix(journal, 0.95, widened=True, state=state)


def fix_verified(journal: Journal, state: Mapping[str, Any]) -> Outcome:
    # Where the bug lives: at production timing, where failures are rare and so many more
    # clean runs are needed than with the window widened.
    return _clean_fix(journal, 0.99, widened=False, state=state)


CHECKPOINTS: dict[str, Checkpoint] = {
    c.id: c
    for c in (
        Checkpoint("batch_failed", "A batch with failing runs, and its rate", batch_failed),
        Checkpoint("run_replayed", "A failing run opened as a replay", run_replayed),
        Checkpoint("stale_read_selected", "A stale read selected", stale_read_selected),
        Checkpoint("stale_by_hand", "The stale read, scheduled by hand", stale_by_hand),
        Checkpoint("culprit_found", "The change that brings the bug, found", culprit_found),
        Checkpoint("explanation_chosen", "The mechanism, explained", explanation_chosen),
        Checkpoint("window_widened", "The widened window raises the rate", window_widened),
        Checkpoint("fix_tried", "A fix holds with the window widened", fix_tried),
        Checkpoint("fix_verified", "A fix verified over enough clean runs", fix_verified),
    )
}


def judge(journal: Journal, state: Mapping[str, Any] | None = None) -> dict[str, Outcome]:
    """Every checkpoint's outcome now."""
    state = state or {}
    return {cid: c.check(journal, state) for cid, c in CHECKPOINTS.items()}
