"""The guided walkthrough: its steps (data, in ``guide/walkthrough.toml``) and the learner's
progress through them, all derived from the session's journal.

After every journal entry each checkpoint is judged; one that passes is latched, with the
time and the entry that passed it, and stays passed. A step is done when all its checkpoints
have passed (a reading step: when the learner said they read it). Hints, revealed steps and
reading marks are journal entries too, so undo is "drop the last entry" and resuming is
"load the journal".
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from workbench.session import progress
from workbench.session.checkpoints import CHECKPOINTS, Outcome, Verdict, judge
from workbench.session.journal import Entry, Journal

__all__ = ["GUIDE", "SAVE_VERSION", "Step", "Walkthrough", "load_steps"]

GUIDE = Path(__file__).with_name("guide") / "walkthrough.toml"
SAVE_VERSION = 1


class Step(NamedTuple):
    id: str
    title: str
    body: str
    reading: bool = False
    checkpoints: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    show_me: str = ""


def load_steps(path: Path = GUIDE) -> tuple[str, tuple[Step, ...]]:
    """The guide's title and steps; ``ValueError`` (one line) if the file is not valid."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        steps = tuple(
            Step(
                id=str(s["id"]),
                title=str(s["title"]),
                body=str(s["body"]).strip(),
                reading=bool(s.get("reading", False)),
                checkpoints=tuple(s.get("checkpoints", ())),
                hints=tuple(s.get("hints", ())),
                show_me=str(s.get("show_me", "")),
            )
            for s in raw["step"]
        )
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as error:
        raise ValueError(f"cannot read the guide {path}: {error}") from None
    for step in steps:
        unknown = [c for c in step.checkpoints if c not in CHECKPOINTS]
        if unknown:
            raise ValueError(f"step {step.id!r} names unknown checkpoints: {', '.join(unknown)}")
        if step.reading == bool(step.checkpoints):
            raise ValueError(f"step {step.id!r} must be either reading or have checkpoints")
    return str(raw.get("title", "")), steps


class Walkthrough:
    """The learner's progress through the steps, kept up to date from the journal."""

    def __init__(
        self,
        journal: Journal,
        save_to: Path | None = None,
        *,
        state: Callable[[], Mapping[str, Any]] = dict,
        guide: Path = GUIDE,
    ) -> None:
        self.title, self.steps = load_steps(guide)
        self.journal = journal
        self.save_to = save_to
        self._state = state
        self.passed: dict[str, dict[str, float]] = {}  # id -> {"at": seconds, "entry": index}
        self.fails: dict[str, int] = {}  # step id -> failed checks while it was current
        self.outcomes: dict[str, Outcome] = {}
        self.listeners: list[Callable[[], None]] = []
        journal.listeners.append(self._heard)
        self.evaluate()

    # -- state ----------------------------------------------------------------------------------

    def step(self, sid: str) -> Step:
        for step in self.steps:
            if step.id == sid:
                return step
        raise ValueError(f"no step {sid!r}")

    def read_steps(self) -> set[str]:
        return {d["step"] for d in self.journal.of("read_step")}

    def revealed(self) -> list[str]:
        return list(dict.fromkeys(d["step"] for d in self.journal.of("revealed")))

    def hints_used(self, sid: str) -> int:
        return sum(1 for d in self.journal.of("hint") if d["step"] == sid)

    def done(self, step: Step) -> bool:
        if step.reading:
            return step.id in self.read_steps()
        return all(c in self.passed for c in step.checkpoints)

    @property
    def current(self) -> Step | None:
        """The first step not done (None: the walkthrough is complete)."""
        return next((s for s in self.steps if not self.done(s)), None)

    @property
    def finished(self) -> bool:
        return self.current is None

    def outcome(self, cid: str) -> Outcome:
        if cid in self.passed:
            return Outcome(Verdict.PASS, self.outcomes.get(cid, Outcome(Verdict.PASS, "")).reason)
        return self.outcomes.get(cid, Outcome(Verdict.UNKNOWN, ""))

    # -- evaluation -----------------------------------------------------------------------------

    def _heard(self, entry: Entry) -> None:
        current = self.current
        self.evaluate()
        if current is not None and entry.kind not in ("hint", "revealed", "read_step"):
            failed = [c for c in current.checkpoints if self.outcome(c).verdict is Verdict.FAIL]
            if failed:
                self.fails[current.id] = self.fails.get(current.id, 0) + 1
        self.save()
        for listener in list(self.listeners):
            listener()

    def evaluate(self) -> None:
        """Judge every checkpoint against the journal as it is; latch the ones that pass."""
        self.outcomes = judge(self.journal, self._state())
        at, index = self.journal.now(), len(self.journal) - 1
        for cid, outcome in self.outcomes.items():
            if outcome.verdict is Verdict.PASS and cid not in self.passed:
                self.passed[cid] = {"at": round(at, 3), "entry": index}

    # -- what the learner asks ------------------------------------------------------------------

    def next(self) -> str:
        """Mark the current reading step read. Doing steps have no Next: one line why not."""
        step = self.current
        if step is None:
            return "The walkthrough is complete."
        if not step.reading:
            return f"{step.title}: do it for real; the guide sees when it is done."
        self.journal.record("read_step", step=step.id)
        return ""

    def hint(self) -> str:
        """The next hint for the current step: more specific the more hints were asked for
        and the more checks failed on it."""
        step = self.current
        if step is None or not step.hints:
            return "No hint here."
        tier = min(len(step.hints) - 1, self.hints_used(step.id) + self.fails.get(step.id, 0))
        self.journal.record("hint", step=step.id, tier=tier + 1)
        return step.hints[tier]

    def reveal(self, step: Step) -> None:
        """The learner asked to be shown: the step will be reported as revealed."""
        self.journal.record("revealed", step=step.id)

    def undo(self) -> bool:
        """Take back the last thing done; passes it latched are dropped."""
        if not self.journal.entries:
            return False
        last = len(self.journal) - 1
        self.journal.restore(self.journal.entries[:-1], self.journal.now())
        self.passed = {c: p for c, p in self.passed.items() if p["entry"] < last}
        self.evaluate()
        self.save()
        for listener in list(self.listeners):
            listener()
        return True

    def reset(self) -> None:
        self.journal.restore([], 0.0)
        self.passed.clear()
        self.fails.clear()
        self.evaluate()
        self.save()
        for listener in list(self.listeners):
            listener()

    # -- saving and resuming --------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": SAVE_VERSION,
            **progress.journal_fields(self.journal),
            "passed": self.passed,
            "fails": self.fails,
        }

    def save(self) -> None:
        progress.save(self.save_to, self.to_dict())

    def resume(self) -> bool:
        """Load saved progress (False if there is none); ``ValueError`` if it is unreadable."""
        raw = progress.load(self.save_to)
        if raw is None:
            return False
        try:
            if raw.get("version") != SAVE_VERSION:
                raise ValueError(f"saved with format {raw.get('version')!r}")
            passed = {str(c): dict(p) for c, p in raw["passed"].items()}
            fails = {str(s): int(n) for s, n in raw.get("fails", {}).items()}
            progress.restore_journal(self.journal, raw)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"cannot resume from {self.save_to}: {error}") from None
        self.passed = {c: p for c, p in passed.items() if c in CHECKPOINTS}
        self.fails = fails
        self.evaluate()
        return True
