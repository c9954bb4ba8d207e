"""What the user has dialled in: strategy, knobs, seed, speed. Shared by the CLI and the TUI.

Each knob has a range, checked here once, so the command line and the input fields say the
same thing about a bad value.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from cache.keys import KeySpace
from cache.scenarios.changes import ALL_CHANGES, Change
from cache.scenarios.sustained import SustainedWorkload
from cache.simulation import Knobs
from cache.strategies.base import Strategy
from cache.strategies.naive import NaiveAsyncStrategy

__all__ = ["KNOBS", "KnobSpec", "LiveSettings", "parse_knob"]


class KnobSpec(NamedTuple):
    """One numeric knob: its field, label, range and whether it is an integer."""

    name: str
    label: str
    low: float
    high: float
    integer: bool
    help: str

    def describe_range(self) -> str:
        if self.low <= -(2**62):
            return "any whole number"
        fmt = "{:.0f}" if self.integer else "{:g}"
        return f"{fmt.format(self.low)}-{fmt.format(self.high)}"


KNOBS: tuple[KnobSpec, ...] = (
    KnobSpec("writers", "writers", 0, 64, True, "tasks that update keys"),
    KnobSpec("readers", "readers", 0, 256, True, "tasks that read keys"),
    KnobSpec("keys", "keys", 1, 1000, True, "distinct primary keys"),
    KnobSpec("latency", "latency x", 0.1, 20, False, "scale of every round trip"),
    KnobSpec("jitter", "jitter", 0, 0.95, False, "random spread of round trips"),
    KnobSpec("widen_ms", "widen ms", 0, 1000, False, "extra delay between update steps"),
    KnobSpec("seed", "seed", -(2**63), 2**63 - 1, True, "the same seed replays the same run"),
    KnobSpec("speed", "speed x", 0.001, 1000, False, "virtual seconds per real second"),
)


def parse_knob(spec: KnobSpec, text: str) -> float | int:
    """The value of ``text`` for ``spec``; ``ValueError`` says what is allowed."""
    text = text.strip()
    try:
        value: float | int = int(text) if spec.integer else float(text)
    except ValueError:
        kind = "a whole number" if spec.integer else "a number"
        raise ValueError(f"{spec.label}: {text!r} is not {kind}") from None
    if not spec.low <= value <= spec.high or value != value:  # noqa: PLR0124 (NaN)
        raise ValueError(f"{spec.label} must be {spec.describe_range()}, not {text}")
    return value


@dataclass(frozen=True, slots=True)
class LiveSettings:
    """Everything that defines a live run; a new value means a new run."""

    strategy: type[Strategy] = NaiveAsyncStrategy
    writers: int = 2
    readers: int = 8
    keys: int = 1
    latency: float = 1.0
    jitter: float = 0.6
    widen_ms: float = 0.0
    seed: int = 1
    speed: float = 0.02
    changes: frozenset[Change] = field(default=ALL_CHANGES)

    def __post_init__(self) -> None:
        for spec in KNOBS:
            value = getattr(self, spec.name)
            if not spec.low <= value <= spec.high:
                raise ValueError(f"{spec.label} must be {spec.describe_range()}, not {value}")
        if self.writers + self.readers == 0:
            raise ValueError("a workload needs at least one writer or reader")

    def with_value(self, name: str, value: Any) -> LiveSettings:
        """A copy with one field changed (validated like the original)."""
        changes: dict[str, Any] = {name: value}
        return replace(self, **changes)

    def knobs(self) -> Knobs:
        return Knobs(widen_ms=self.widen_ms, latency_scale=self.latency, jitter=self.jitter)

    def workload(self) -> SustainedWorkload:
        return SustainedWorkload(
            writers=self.writers,
            readers=self.readers,
            keys=KeySpace(self.keys),
            duration=None,
            changes=self.changes,
        )
