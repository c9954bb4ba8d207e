"""The four debugging stages and their task states: pending, in progress, done.

As in the story, finishing a stage marks it done and puts the next one in progress; a user
may also start any stage early by acting in it. Nothing ever goes back to pending: results
stay on record after you move on.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Stage", "StageBoard", "StageState"]


class Stage(StrEnum):
    EVIDENCE = "evidence"
    ISOLATE = "isolate"
    HYPOTHESIS = "hypothesis"
    VERIFY = "verify"

    @property
    def heading(self) -> str:
        return _TITLES[self]

    @property
    def number(self) -> int:
        return list(Stage).index(self) + 1

    @property
    def goal(self) -> str:
        """What it takes to finish the stage."""
        return _GOALS[self]


_TITLES = {
    Stage.EVIDENCE: "Collect evidence",
    Stage.ISOLATE: "Isolate variables",
    Stage.HYPOTHESIS: "Form and test a hypothesis",
    Stage.VERIFY: "Verify the fix",
}
_GOALS = {
    Stage.EVIDENCE: "run the test many times, then open a failing run in the timeline",
    Stage.ISOLATE: "find the recent change that brings the stale reads",
    Stage.HYPOTHESIS: "write a hypothesis, widen the window, and try a fix",
    Stage.VERIFY: "run a fix 1000 times without a single stale read",
}


class StageState(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in progress"
    DONE = "done"

    @property
    def icon(self) -> str:
        return {"pending": "○", "in progress": "◐", "done": "●"}[self.value]


class StageBoard:
    """The task list: which stage is where."""

    def __init__(self) -> None:
        self._states = {stage: StageState.PENDING for stage in Stage}
        self._states[Stage.EVIDENCE] = StageState.IN_PROGRESS

    def __getitem__(self, stage: Stage) -> StageState:
        return self._states[stage]

    def begin(self, stage: Stage) -> bool:
        """Mark ``stage`` in progress if it was pending; True if that changed anything."""
        if self._states[stage] is StageState.PENDING:
            self._states[stage] = StageState.IN_PROGRESS
            return True
        return False

    def finish(self, stage: Stage) -> bool:
        """Mark ``stage`` done and the next pending one in progress; True if changed."""
        if self._states[stage] is StageState.DONE:
            return False
        self._states[stage] = StageState.DONE
        stages = list(Stage)
        position = stages.index(stage)
        if position + 1 < len(stages):
            self.begin(stages[position + 1])
        return True

    @property
    def current(self) -> Stage | None:
        """The first stage not yet done."""
        for stage in Stage:
            if self._states[stage] is not StageState.DONE:
                return stage
        return None

    def summary(self) -> str:
        return "  ".join(f"{self._states[s].icon} {s.number} {s.heading}" for s in Stage)

    def __repr__(self) -> str:
        states = ", ".join(f"{s.value}={self._states[s].value}" for s in Stage)
        return f"<StageBoard {states}>"
