"""Rates with their uncertainty: every rate we show comes with a 95% interval."""

from __future__ import annotations

import math
from typing import NamedTuple

__all__ = ["Rate", "wilson"]

Z95 = 1.959963984540054


class Rate(NamedTuple):
    """``successes`` of ``trials``, with a Wilson score interval."""

    successes: int
    trials: int
    low: float
    high: float

    @property
    def value(self) -> float:
        return self.successes / self.trials if self.trials else 0.0

    def __str__(self) -> str:
        if not self.trials:
            return "no data yet"
        return (
            f"{self.value * 100:.1f}% ({self.successes}/{self.trials}; "
            f"95% CI {self.low * 100:.1f}-{self.high * 100:.1f}%)"
        )


def wilson(successes: int, trials: int, z: float = Z95) -> Rate:
    """The Wilson score interval, which stays inside [0, 1] and behaves at 0 and n
    successes, where the textbook normal interval collapses to a point."""
    if trials < 0 or not 0 <= successes <= max(trials, 0):
        raise ValueError(f"need 0 <= successes <= trials, got {successes}/{trials}")
    if trials == 0:
        return Rate(0, 0, 0.0, 1.0)
    p = successes / trials
    z2 = z * z
    denom = 1.0 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / denom
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return Rate(successes, trials, low, high)
