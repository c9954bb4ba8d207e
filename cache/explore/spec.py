"""What the explorer runs: the story scenario with its settings, a strategy, the knobs and
the skew, all of it plain data so that a replay token can carry it."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

from cache.knobs import Knobs
from cache.scenarios.changes import ALL_CHANGES, Change, format_changes, parse_changes
from cache.scenarios.story import StoryScenario
from cache.scheduler.policies import Policy
from cache.simulation import Simulation
from cache.strategies.registry import load_strategy

__all__ = ["DEFAULT_SKEW_MS", "ExploreSpec", "SpecError"]

# Per policy, how far (ms) a task may run ahead of the oldest pending event. Random keeps
# time order (its schedules are the batch's seeded runs); PCT reorders neighbouring round
# trips; exhaustive lets any task overtake any other (None: unbounded), so that a preemption
# bound, not the drawn timings, decides what is covered.
DEFAULT_SKEW_MS: dict[str, float | None] = {"random": 0.0, "pct": 50.0, "exhaustive": None}

_STORY_FIELDS = ("readers", "reads", "spread_ms", "update_from_ms", "update_to_ms",
                 "refresh_every_ms", "final_read", "name")
_KNOB_FIELDS = tuple(f.name for f in fields(Knobs))


class SpecError(ValueError):
    """A scenario, strategy or knob the explorer cannot run; one line."""


@dataclass(frozen=True, slots=True)
class ExploreSpec:
    """One scenario to explore: story settings, strategy name, knobs, skew (ms; None is
    unbounded)."""

    strategy: str = "naive-async"
    scenario: StoryScenario = field(default_factory=StoryScenario)
    knobs: Knobs = field(default_factory=Knobs)
    skew_ms: float | None = 0.0

    def __post_init__(self) -> None:
        if self.skew_ms is not None and self.skew_ms < 0:
            raise SpecError(f"skew must be 0 or more milliseconds, not {self.skew_ms:g}")

    @classmethod
    def story(
        cls,
        strategy: str = "naive-async",
        *,
        readers: int = 2,
        widen_ms: float = 0.0,
        changes: frozenset[Change] = ALL_CHANGES,
        skew_ms: float | None = 0.0,
    ) -> ExploreSpec:
        try:
            load_strategy(strategy)
            return cls(
                strategy,
                StoryScenario(readers=readers, changes=changes),
                Knobs(widen_ms=widen_ms),
                skew_ms,
            )
        except ValueError as error:
            raise SpecError(str(error)) from None

    def with_skew(self, skew_ms: float | None) -> ExploreSpec:
        return replace(self, skew_ms=skew_ms)

    def with_scenario(self, **changes: Any) -> ExploreSpec:
        return replace(self, scenario=replace(self.scenario, **changes))

    def simulate(self, seed: int, policy: Policy) -> Simulation:
        """A simulation of this spec whose every step ``policy`` chooses."""
        sim = Simulation(self.scenario, load_strategy(self.strategy), seed, self.knobs,
                         policy=policy)
        sim.scheduler.skew = float("inf") if self.skew_ms is None else self.skew_ms / 1000.0
        return sim

    def describe(self) -> str:
        skew = "unbounded" if self.skew_ms is None else f"{self.skew_ms:g}ms"
        return f"{self.scenario.describe()}; strategy {self.strategy}; skew {skew}"

    def to_dict(self) -> dict[str, Any]:
        story = {name: getattr(self.scenario, name) for name in _STORY_FIELDS}
        story["changes"] = format_changes(self.scenario.changes)
        knobs = {name: getattr(self.knobs, name) for name in _KNOB_FIELDS}
        return {"scenario": "story", "story": story, "strategy": self.strategy,
                "knobs": knobs, "skew_ms": self.skew_ms}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ExploreSpec:
        try:
            if data.get("scenario") != "story":
                raise SpecError(f"unknown scenario {data.get('scenario')!r}; only story")
            story = dict(data["story"])
            story["changes"] = parse_changes(str(story.get("changes", "all")))
            unknown = set(story) - {*_STORY_FIELDS, "changes"}
            if unknown:
                raise SpecError(f"unknown story settings: {', '.join(sorted(unknown))}")
            knobs = dict(data.get("knobs", {}))
            extra = sorted(set(knobs) - set(_KNOB_FIELDS))
            if extra:
                raise SpecError(f"unknown knobs: {', '.join(extra)}")
            skew = data.get("skew_ms")
            return cls.story_from(
                str(data["strategy"]), StoryScenario(**story), Knobs(**knobs),
                None if skew is None else float(skew),
            )
        except SpecError:
            raise
        except (KeyError, TypeError, ValueError) as error:
            raise SpecError(f"bad scenario in token: {error}") from None

    @classmethod
    def story_from(
        cls, strategy: str, scenario: StoryScenario, knobs: Knobs, skew_ms: float | None
    ) -> ExploreSpec:
        try:
            load_strategy(strategy)
        except ValueError as error:
            raise SpecError(str(error)) from None
        return cls(strategy, scenario, knobs, skew_ms)
