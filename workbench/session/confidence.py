"""How many clean runs prove a fix: the consecutive runs without a failure after which a
bug that failed with rate ``p`` would, with confidence ``c``, have shown at least once.

If the bug were still there, each run would pass with probability ``1 - p``, so ``n`` clean
runs in a row happen with probability ``(1 - p) ** n``; asking that to be at most ``1 - c``
gives ``n = ceil(ln(1 - c) / ln(1 - p))``. At 8%: 36 runs for 95%, 56 for 99%.
"""

from __future__ import annotations

import math
from typing import NamedTuple

__all__ = ["CleanRuns", "clean_runs_needed"]


def clean_runs_needed(rate: float, confidence: float) -> int:
    """Consecutive clean runs for ``confidence`` that a bug failing at ``rate`` is gone."""
    if not 0.0 < rate < 1.0:
        raise ValueError(f"the failure rate must be between 0 and 1 (exclusive), not {rate:g}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1 (exclusive), not {confidence:g}")
    # Rounded first: 0.05 is not exact in binary, and 35.0000001 must not become 36.
    return math.ceil(round(math.log(1.0 - confidence) / math.log(1.0 - rate), 9))


class CleanRuns(NamedTuple):
    """What a verification of ``clean`` runs proves against a measured failure ``rate``."""

    rate: float
    clean: int

    @property
    def for_95(self) -> int:
        return clean_runs_needed(self.rate, 0.95)

    @property
    def for_99(self) -> int:
        return clean_runs_needed(self.rate, 0.99)

    def reached(self) -> str:
        """The highest confidence reached, in words."""
        if self.clean >= self.for_99:
            return "99%"
        if self.clean >= self.for_95:
            return "95%"
        return "neither"

    def describe(self) -> str:
        return (
            f"at a failure rate of {self.rate:.1%}: {self.for_95} clean runs in a row give 95% "
            f"confidence the bug is gone, {self.for_99} give 99%; {self.clean:,} clean runs "
            f"reach {self.reached()}"
        )

    def to_dict(self) -> dict[str, object]:
        return {"rate": self.rate, "clean_runs": self.clean, "needed_95": self.for_95,
                "needed_99": self.for_99, "reached": self.reached()}
