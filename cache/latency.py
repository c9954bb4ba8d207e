"""How long each simulated round trip takes.

The base figures follow the story's timing log: a SET acknowledged about 5 ms after the update
began, a read taking about 2 ms, the invalidation of related entries about 5 ms. Each draw is
uniform in ``base * scale * (1 ± jitter)`` from the run's seeded stream, so the same seed gives
the same latencies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from random import Random

__all__ = ["BASE_MS", "Latency"]

# Milliseconds per kind of round trip, before scale and jitter.
BASE_MS: dict[str, float] = {
    "read": 2.0,
    "set": 5.0,
    "delete": 5.0,
    "rebuild": 3.0,
    "exec": 6.0,
    "version": 1.5,
    "lock": 1.5,
    "unlock": 1.0,
    "touch": 1.0,
    "fill": 5.0,
    "lease": 1.5,
    "tombstone": 5.0,
    "cached": 2.0,
    "incr": 2.0,
}


@dataclass(frozen=True, slots=True)
class Latency:
    """Round-trip times: a base per operation, a common ``scale``, and a ``jitter`` fraction."""

    scale: float = 1.0
    jitter: float = 0.6
    base_ms: dict[str, float] = field(default_factory=lambda: dict(BASE_MS))
    # Each operation's ``base_ms * scale`` in seconds, computed once: every round trip of
    # every run draws from it.
    seconds: dict[str, float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.scale <= 0:
            raise ValueError(f"latency scale must be positive, not {self.scale}")
        if not 0.0 <= self.jitter < 1.0:
            raise ValueError(f"jitter must be in [0, 1), not {self.jitter}")
        seconds = {op: ms * self.scale / 1000.0 for op, ms in self.base_ms.items()}
        object.__setattr__(self, "seconds", seconds)

    def draw(self, op: str, rng: Random) -> float:
        """One round trip of ``op``, in seconds."""
        base = self.seconds[op]
        if self.jitter == 0.0:
            return base
        return base * (1.0 + self.jitter * (2.0 * rng.random() - 1.0))
