"""What a headless command asks to run: a workload, a strategy, the knobs and the seed.

The command line only parses; turning the request into a ``RunSpec`` for a target (and
saying which settings do not apply to the chosen workload) happens here, once.
"""

from __future__ import annotations

from dataclasses import dataclass

from cache.batch import RunSpec
from cache.keys import KeySpace
from cache.knobs import Knobs
from cache.scenarios.changes import ALL_CHANGES, Change
from cache.scenarios.registry import check_fits, scenario_named
from cache.scenarios.sustained import SustainedWorkload
from cache.strategies.base import Strategy
from cache.strategies.naive import NaiveAsyncStrategy
from cache.strategies.registry import strategies_for
from cache.targets import SIMULATOR, Target
from workbench.session.settings import SCENARIOS, WORKLOADS

__all__ = ["DEFAULT_DURATION", "RunRequest"]

DEFAULT_DURATION = 1.0  # virtual seconds of sustained workload per run, unless given
_SUSTAINED_ONLY = ("writers", "keys", "duration")


@dataclass(frozen=True, slots=True)
class RunRequest:
    """One run's or one batch's settings as a user gave them (``None``: not given)."""

    strategy: type[Strategy] = NaiveAsyncStrategy
    workload: str = "story"
    widen_ms: float = 0.0
    latency_scale: float | None = None
    jitter: float | None = None
    changes: frozenset[Change] = ALL_CHANGES
    readers: int | None = None
    writers: int | None = None
    keys: int | None = None
    duration: float | None = None
    # "story" runs ``workload``; any other is a race of docs/races.md, with its default
    # sizes. With a race, the default strategy (naive-async) stands for the race's broken one.
    scenario: str = "story"

    def __post_init__(self) -> None:
        if self.scenario != "story":
            self._check_race()
        if self.workload not in WORKLOADS:
            raise ValueError(
                f"workload must be one of {', '.join(WORKLOADS)}, not {self.workload!r}"
            )
        if self.workload == "story":
            given = [name for name in _SUSTAINED_ONLY if getattr(self, name) is not None]
            if given:
                flags = ", ".join("--" + name for name in given)
                verb = "applies" if len(given) == 1 else "apply"
                raise ValueError(f"{flags} {verb} to --workload sustained only")
        elif (self.writers or 0) + (self.readers if self.readers is not None else 1) == 0:
            raise ValueError("a sustained workload needs at least one writer or reader")

    def _check_race(self) -> None:
        if self.scenario not in SCENARIOS:
            raise ValueError(
                f"scenario must be one of {', '.join(SCENARIOS)}, not {self.scenario!r}"
            )
        given = [n for n in ("readers", *_SUSTAINED_ONLY) if getattr(self, n) is not None]
        if self.workload != "story" or given:
            flags = ", ".join("--" + n for n in given) or "--workload"
            raise ValueError(f"{flags} cannot be combined with --scenario {self.scenario}")
        scenario = scenario_named(self.scenario)
        if self.strategy is NaiveAsyncStrategy:
            race = str(getattr(scenario, "race", "story"))
            object.__setattr__(self, "strategy", strategies_for(race)[0])
        check_fits(scenario, self.strategy)

    def knobs(self) -> Knobs:
        defaults = Knobs()
        return Knobs(
            widen_ms=self.widen_ms,
            latency_scale=defaults.latency_scale
            if self.latency_scale is None
            else self.latency_scale,
            jitter=defaults.jitter if self.jitter is None else self.jitter,
        )

    def spec(self, target: Target = SIMULATOR) -> RunSpec:
        """The run spec for ``target``: the story sized for it, the sustained workload, or
        a race (the same sizes on every target)."""
        if self.scenario != "story":
            return RunSpec(scenario_named(self.scenario), self.strategy, self.knobs())
        if self.workload == "story":
            sizes: dict[str, object] = {"changes": self.changes}
            if self.readers is not None:
                sizes["readers"] = self.readers
            scenario = target.story(**sizes)
            return RunSpec(scenario, self.strategy, self.knobs())
        defaults = SustainedWorkload()
        workload = SustainedWorkload(
            writers=defaults.writers if self.writers is None else self.writers,
            readers=defaults.readers if self.readers is None else self.readers,
            keys=defaults.keys if self.keys is None else KeySpace(self.keys),
            duration=DEFAULT_DURATION if self.duration is None else self.duration,
            changes=self.changes,
        )
        return RunSpec(workload, self.strategy, self.knobs())
