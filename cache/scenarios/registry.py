"""Scenarios by name, and which strategies each one runs.

The story's two workloads are built by their own code (they take the story's sizes and
changes); the races are here by name, each with its default sizes (``docs/races.md``).
A strategy is written for one race (``Strategy.race``), and a scenario runs only those.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the settings import the names below; the scenarios load when made
    from cache.scenarios.base import Scenario
    from cache.strategies.base import Strategy

__all__ = ["RACES", "check_fits", "race_of", "scenario_named"]



def _made_by(where: str) -> Callable[[], Scenario]:
    """The scenario class at ``module:Class``, imported when first made: building the races'
    dataclasses costs a story batch's start more than its run (``workbench run --runs 1``)."""
    module, _, name = where.partition(":")

    def make() -> Scenario:
        made: Scenario = getattr(import_module(module), name)()
        return made

    return make


RACES: dict[str, Callable[[], Scenario]] = {
    "stale-set": _made_by("cache.scenarios.races:StaleSetScenario"),
    "ttl-refresh": _made_by("cache.scenarios.races:TtlRefreshScenario"),
    "prewarm": _made_by("cache.scenarios.races:PrewarmScenario"),
    "lost-update": _made_by("cache.scenarios.counter:CounterScenario"),
    "replica-lag": _made_by("cache.scenarios.races:ReplicaLagScenario"),
}


def scenario_named(name: str) -> Scenario:
    """A race's scenario with its default sizes; ``ValueError`` names the choices."""
    make = RACES.get(name.strip())
    if make is None:
        raise ValueError(f"unknown scenario {name!r}; choose one of story, {', '.join(RACES)}")
    return make()


def race_of(scenario: Scenario) -> str:
    """The race a scenario stages (the story's workloads: ``story``)."""
    return str(getattr(scenario, "race", "story"))


def check_fits(scenario: Scenario, strategy: type[Strategy]) -> None:
    """``ValueError`` (one line, naming the strategies that fit) unless ``strategy`` was
    written for the race ``scenario`` stages."""
    race = race_of(scenario)
    if strategy.race == race:
        return
    from cache.strategies.registry import strategies_for

    fitting = ", ".join(cls.name for cls in strategies_for(race))
    raise ValueError(
        f"strategy {strategy.name!r} is written for the {strategy.race} race, not for "
        f"{scenario.name}; choose one of {fitting}"
    )
