"""The streaming oracle against the independent linearizability checker, run for run.

For short runs of every built-in strategy (the story's scenario, and the sustained workload
with several writers, readers and keys), the oracle must report a stale read exactly when
the run is not linearizable, and what remains without the reads it flagged must be.
"""

from __future__ import annotations

import pytest

from cache import Simulation, StoryScenario, SustainedWorkload, load_strategy
from cache.events import Op, Phase
from cache.keys import KeySpace
from cache.linearizability import is_linearizable
from cache.scenarios.base import Scenario
from cache.strategies import BUILTIN

SUSTAINED_RUNS = 1000  # per strategy
STORY_RUNS = 200


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
