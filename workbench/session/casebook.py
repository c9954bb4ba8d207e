"""What the four stages have found so far, shared by their panes (no Textual here).

The panes get this object when they are created ("attributes down") and post messages when
they add to it ("messages up"); the app moves the stage board.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cache.scenarios.changes import Change
from cache.stats import Rate
from workbench.session.stages import StageBoard

if TYPE_CHECKING:  # the app's first screen imports this module, not the engine
    from cache.batch import BatchResult, RunSpec

__all__ = ["Casebook"]


@dataclass
class Casebook:
    """The investigation's record."""

    board: StageBoard = field(default_factory=StageBoard)
    evidence: BatchResult | None = None
    evidence_spec: RunSpec | None = None
    replayed_runs: list[int] = field(default_factory=list)
    culprit: Change | None = None
    hypothesis: str = ""
    baseline: Rate | None = None
    widened: Rate | None = None
    candidate: tuple[str, Rate] | None = None
    verified: tuple[str, BatchResult] | None = None

    def first_failing_run(self) -> int | None:
        if self.evidence is None or not self.evidence.failed_runs:
            return None
        return self.evidence.failed_runs[0]

    @property
    def experiment_supports_hypothesis(self) -> bool:
        """Widening the window made failures clearly more common (intervals apart)."""
        if self.baseline is None or self.widened is None:
            return False
        return self.widened.low > self.baseline.high
