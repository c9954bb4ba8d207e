"""The streaming oracle against the independent linearizability checker, run for run.

For short runs of every built-in strategy (the story's scenario, and the sustained workload
with several writers, readers and keys) and of every race's strategies on its scenario
(docs/races.md), the oracle must report a stale read exactly when the run is not
linearizable, and what remains without the reads it flagged must be. For the counter race,
a lost update must be reported exactly when the store's counter ends short of the
increments that completed.
"""

from __future__ import annotations

import pytest

from cache import Simulation, StoryScenario, SustainedWorkload, load_strategy
from cache.events import Op, Phase
from cache.keys import KeySpace
from cache.linearizability import is_linearizable
from cache.scenarios.base import Scenario
from cache.scenarios.registry import RACES, scenario_named
from cache.strategies.registry import BUILTIN, strategies_for

SUSTAINED_RUNS = 1000  # per strategy
STORY_RUNS = 200
RACE_RUNS = 200  # per race strategy


def _disagreements(scenario_of: object, strategy: str, runs: int) -> tuple[list[str], int]:
    problems: list[str] = []
    failing = 0
    for seed in range(runs):
        scenario: Scenario = scenario_of(seed)  # type: ignore[operator]
        sim = Simulation(scenario, load_strategy(strategy), seed)
        sim.run()
        events = list(sim.history)
        flagged = {v.read.span for v in sim.oracle.stale_reads}
        linearizable = is_linearizable(events)
        failing += not linearizable
        if bool(flagged) == linearizable:
            problems.append(f"seed {seed}: {len(flagged)} flagged, linearizable={linearizable}")
        elif flagged and not is_linearizable(events, without=flagged):
            problems.append(f"seed {seed}: not linearizable without the {len(flagged)} flagged")
    return problems, failing


def _sustained(seed: int) -> SustainedWorkload:
    return SustainedWorkload(
        writers=2 + seed % 3,
        readers=2 + seed % 5,
        keys=KeySpace(1 + seed % 2),
        duration=0.05,
        write_think_ms=(20.0, 10.0, 5.0)[seed % 3],  # from a few overlapping updates to many
    )


@pytest.mark.parametrize("strategy", sorted(BUILTIN))
def test_oracle_agrees_with_the_checker_on_sustained_runs(strategy: str) -> None:
    problems, failing = _disagreements(_sustained, strategy, SUSTAINED_RUNS)
    assert problems == []
    if strategy == "naive-async":
        assert failing > SUSTAINED_RUNS // 2  # the comparison had failing runs to judge


@pytest.mark.parametrize("strategy", sorted(BUILTIN))
def test_oracle_agrees_with_the_checker_on_story_runs(strategy: str) -> None:
    story = StoryScenario(readers=3, reads=2)
    problems, failing = _disagreements(lambda seed: story, strategy, STORY_RUNS)
    assert problems == []
    if strategy == "naive-async":
        assert 0 < failing < STORY_RUNS // 2


@pytest.mark.parametrize(
    ("race", "strategy"),
    [(race, cls.name) for race in RACES if race != "lost-update" for cls in strategies_for(race)],
)
def test_oracle_agrees_with_the_checker_on_race_runs(race: str, strategy: str) -> None:
    scenario = scenario_named(race)
    problems, failing = _disagreements(lambda seed: scenario, strategy, RACE_RUNS)
    assert problems == []
    if strategy == strategies_for(race)[0].name:  # the broken one
        assert failing > 0


@pytest.mark.parametrize("strategy", [cls.name for cls in strategies_for("lost-update")])
def test_a_lost_update_is_reported_exactly_when_the_counter_ends_short(strategy: str) -> None:
    scenario = scenario_named("lost-update")
    short = 0
    for seed in range(RACE_RUNS):
        sim = Simulation(scenario, load_strategy(strategy), seed)
        sim.run()
        completed = sum(
            1 for e in sim.history if e.op is Op.INCREMENT and e.phase is Phase.COMPLETE
        )
        final = sim.backend.data["user:123"]
        assert (sim.oracle.lost > 0) == (final < completed), f"seed {seed}"
        assert final <= completed - sim.oracle.lost, f"seed {seed}"
        assert is_linearizable(sim.history)  # no read judges a counter: nothing to flag
        short += final < completed
    if strategy == "counter-rmw":
        assert short > 0


class _StoreLog(dict[str, int]):
    """The simulated store's data, noting the order in which primaries are written."""

    def __init__(self, data: dict[str, int], primaries: tuple[str, ...]) -> None:
        super().__init__(data)
        self.primaries = primaries
        self.applied: list[tuple[str, int]] = []

    def __setitem__(self, key: str, version: int) -> None:
        if key in self.primaries:
            self.applied.append((key, version))
        super().__setitem__(key, version)


@pytest.mark.parametrize("strategy", sorted(BUILTIN))
def test_the_simulated_store_applies_writes_in_the_order_they_are_acknowledged(
    strategy: str,
) -> None:
    # What lets the oracle take the acknowledgements' order for the store's order.
    for seed in range(50):
        scenario = _sustained(seed)
        sim = Simulation(scenario, load_strategy(strategy), seed)
        log = _StoreLog(sim.backend.data, scenario.keys.primaries)
        sim.backend.data = log
        sim.run()
        started = {e.span: e for e in sim.history if e.phase is Phase.START}
        acknowledged = [
            (e.key, started[e.span].version)
            for e in sim.history
            if e.op in (Op.SET, Op.EXEC)
            and e.phase is Phase.COMPLETE
            and e.note != "aborted"
            and started[e.span].version is not None
        ]
        assert acknowledged and log.applied == acknowledged
