"""How much a simulated run may take before it is stopped as stuck.

A run of the story takes a few dozen scheduling steps and well under a virtual second; a
strategy that loops in virtual time, sleeps forever or spins on zero-time awaits would run
(and record events, and grow memory) forever. Three limits stop it, each with a message that
says which was hit and what usually causes it:

* ``virtual_seconds``: the clock may not pass this (a sleep beyond it fails at once, so
  ``sleep(inf)`` is reported immediately rather than after it "returns");
* ``steps``: scheduling steps in the whole run (a loop with tiny sleeps);
* ``steps_at_instant``: steps in a row without the clock moving (a spin).

An endless workload (the live view's) gets only the last: it is meant to run until stopped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cache.errors import RunFailed

__all__ = ["DEFAULT_STEPS_AT_INSTANT", "UNLIMITED", "Budget", "BudgetExceeded"]

DEFAULT_STEPS_AT_INSTANT = 1_000_000
# Generous beyond any honest run (the story: ~30 steps, ~1 virtual second even with the
# window widened to a second), small enough that a stuck one ends in about a second.
_BASE_SECONDS = 300.0
_BASE_STEPS = 500_000
# A workload with a duration gets this much more per virtual second it is meant to last
# (the sustained workload at its largest takes ~45,000 steps per virtual second).
_STEPS_PER_SECOND = 100_000


class BudgetExceeded(RunFailed):
    """A simulated run went past its budget of virtual time or scheduling steps."""


@dataclass(frozen=True, slots=True)
class Budget:
    """Limits for one simulated run; see the module's docstring."""

    virtual_seconds: float = math.inf
    steps: int | None = None
    steps_at_instant: int = DEFAULT_STEPS_AT_INSTANT

    def __post_init__(self) -> None:
        if not self.virtual_seconds > 0:  # also refuses NaN
            raise ValueError(f"virtual_seconds must be positive, not {self.virtual_seconds}")
        if self.steps is not None and self.steps < 1:
            raise ValueError(f"steps must be at least 1, not {self.steps}")
        if self.steps_at_instant < 1:
            raise ValueError(f"steps_at_instant must be at least 1, not {self.steps_at_instant}")

    @classmethod
    def for_scenario(cls, scenario: object) -> Budget:
        """The default for ``scenario``: unlimited but for spins if it is endless (a
        ``duration`` of None), else generous limits scaled by its duration, if it has one."""
        if not hasattr(scenario, "duration"):
            return cls(_BASE_SECONDS, _BASE_STEPS)
        duration = scenario.duration
        if duration is None:
            return UNLIMITED
        seconds = float(duration)
        return cls(_BASE_SECONDS + 2 * seconds, _BASE_STEPS + int(_STEPS_PER_SECOND * seconds))

    def describe(self) -> str:
        parts = []
        if math.isfinite(self.virtual_seconds):
            parts.append(f"{self.virtual_seconds:g} virtual seconds")
        if self.steps is not None:
            parts.append(f"{self.steps:,} steps")
        parts.append(f"{self.steps_at_instant:,} steps without time moving")
        return ", ".join(parts)


UNLIMITED = Budget()
