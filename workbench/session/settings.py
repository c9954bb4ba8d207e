"""Every setting a user can give, specified once: name, label, range and help.

The command line builds its options from these specs and the app builds its input fields from
them, so both accept and refuse exactly the same values, with the same message. One name per
setting everywhere: the field, the flag (``--latency-scale``) and the label say the same.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, NamedTuple

from cache.keys import KeySpace
from cache.knobs import Knobs
from cache.limits import MAX_RUNS
from cache.redis_url import mask_secrets
from cache.scenarios.changes import ALL_CHANGES, Change
from cache.scenarios.registry import RACES
from cache.strategies.base import Strategy
from cache.strategies.naive import NaiveAsyncStrategy

if TYPE_CHECKING:  # the app's first screen imports this module, not the workloads
    from cache.scenarios.sustained import SustainedWorkload

__all__ = [
    "BOUND",
    "DEFAULT_REDIS_URL",
    "DEPTH",
    "DURATION",
    "JOBS",
    "KEYS",
    "LIVE_SETTINGS",
    "MAX_SCHEDULES",
    "READERS",
    "RUNS",
    "SCENARIOS",
    "SEED",
    "SETTINGS",
    "SKEW_MS",
    "WIDEN_MS",
    "WORKERS",
    "WORKLOADS",
    "WRITERS",
    "LiveSettings",
    "Setting",
]

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
WORKLOADS = ("story", "sustained")
# The story (with its workloads), then the races of docs/races.md.
SCENARIOS = ("story", *RACES)
_SEED_BITS = 63


class Setting(NamedTuple):
    """One numeric setting and the values it accepts (a named tuple: the app defines these
    before its first screen, and a frozen dataclass costs ten times as much to define)."""

    name: str  # the field's name; the flag is the same with dashes
    label: str  # what the app's field and every message call it
    low: float
    high: float
    integer: bool
    help: str

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def describe_range(self) -> str:
        if self.name == "seed":
            return "a whole number from -2^63 to 2^63-1"
        fmt = "{:,.0f}" if self.integer else "{:g}"
        return f"{fmt.format(self.low)}-{fmt.format(self.high)}"

    def parse(self, text: str) -> float | int:
        """The value of ``text``; ``ValueError`` says what is wrong and what is allowed."""
        text = text.strip()
        try:
            value: float | int = int(text.replace("_", "")) if self.integer else float(text)
        except ValueError:
            kind = "a whole number" if self.integer else "a number"
            # Masked before it is cut: a cut URL no longer looks like one to the masker.
            shown = mask_secrets(text)
            shown = shown if len(shown) <= 24 else shown[:21] + "..."
            raise ValueError(
                f"{self.label}: {shown!r} is not {kind} ({self.describe_range()})"
            ) from None
        return self.check(value, text)

    def check(self, value: float | int, shown: str | None = None) -> float | int:
        """``value`` if it is in range, else ``ValueError`` in the same words as ``parse``."""
        if isinstance(value, float) and not math.isfinite(value):
            ok = False
        else:
            ok = self.low <= value <= self.high
        if not ok:
            text = (
                shown
                if shown is not None
                else f"{value:g}"
                if isinstance(value, float)
                else str(value)
            )
            if len(text) > 24:
                text = text[:21] + "..."
            raise ValueError(f"{self.label} must be {self.describe_range()}, not {text}")
        return value


WRITERS = Setting("writers", "writers", 0, 64, True, "tasks that update keys")
READERS = Setting("readers", "readers", 1, 256, True, "tasks that read keys")
KEYS = Setting("keys", "keys", 1, 1000, True, "distinct primary keys")
LATENCY_SCALE = Setting("latency_scale", "latency x", 0.1, 20, False, "scale of every round trip")
JITTER = Setting("jitter", "jitter", 0, 0.95, False, "random spread of round trips")
WIDEN_MS = Setting("widen_ms", "widen ms", 0, 1000, False, "extra delay between update steps")
SEED = Setting(
    "seed", "seed", -(2**_SEED_BITS), 2**_SEED_BITS - 1, True, "the same seed replays the same run"
)
SPEED = Setting("speed", "speed x", 0.001, 1000, False, "virtual seconds per real second")
RUNS = Setting("runs", "runs", 1, MAX_RUNS, True, "how many times to run the test")
JOBS = Setting("jobs", "jobs", 1, 1024, True, "processes a batch's runs are shared among")
WORKERS = Setting(
    "workers", "workers", 1, 64, True, "processes that play each run against one server at once"
)
DURATION = Setting("duration", "duration s", 0.001, 3600, False, "virtual seconds of workload")
# The schedule explorer's own settings.
DEPTH = Setting("depth", "depth", 1, 10, True, "PCT's bug depth d (d-1 priority change points)")
BOUND = Setting("bound", "bound", 0, 10, True, "exhaustive: most preemptions per schedule")
MAX_SCHEDULES = Setting(
    "max_schedules", "max schedules", 1, MAX_RUNS, True, "give up after this many schedules"
)
SKEW_MS = Setting(
    "skew_ms", "skew ms", 0, 10_000, False, "how far a task may run ahead of the oldest event"
)

# The live run's settings, in the order the app's sidebar shows them.
LIVE_SETTINGS: tuple[Setting, ...] = (
    WRITERS,
    READERS,
    KEYS,
    LATENCY_SCALE,
    JITTER,
    WIDEN_MS,
    SEED,
    SPEED,
)
SETTINGS: tuple[Setting, ...] = (
    *LIVE_SETTINGS,
    RUNS,
    JOBS,
    WORKERS,
    DURATION,
    DEPTH,
    BOUND,
    MAX_SCHEDULES,
    SKEW_MS,
)


def setting(name: str) -> Setting:
    return next(s for s in SETTINGS if s.name == name)


@dataclass(frozen=True, slots=True)
class LiveSettings:
    """Everything that defines a live run; a new value means a new run. Its seed is the
    session's seed: the stages' batches, replays and exported tests use it too."""

    strategy: type[Strategy] = NaiveAsyncStrategy
    writers: int = 2
    readers: int = 8
    keys: int = 1
    latency_scale: float = 1.0
    jitter: float = 0.6
    widen_ms: float = 0.0
    seed: int = 1
    speed: float = 0.02
    changes: frozenset[Change] = field(default=ALL_CHANGES)

    def __post_init__(self) -> None:
        for spec in LIVE_SETTINGS:
            spec.check(getattr(self, spec.name))

    def with_value(self, name: str, value: Any) -> LiveSettings:
        """A copy with one field changed (validated like the original)."""
        changes: dict[str, Any] = {name: value}
        return replace(self, **changes)

    def knobs(self) -> Knobs:
        return Knobs(widen_ms=self.widen_ms, latency_scale=self.latency_scale, jitter=self.jitter)

    def workload(self, duration: float | None = None) -> SustainedWorkload:
        from cache.scenarios.sustained import SustainedWorkload

        return SustainedWorkload(
            writers=self.writers,
            readers=self.readers,
            keys=KeySpace(self.keys),
            duration=duration,
            changes=self.changes,
        )
