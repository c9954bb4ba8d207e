"""Shared fixtures. Tests are deterministic: every run is seeded, time is virtual."""

from __future__ import annotations

import pytest

from cache import Knobs, RunSpec, StoryScenario, load_strategy


@pytest.fixture
def story() -> StoryScenario:
    return StoryScenario()


def spec(strategy: str, widen_ms: float = 0.0, **scenario: object) -> RunSpec:
    """A run spec for the story scenario with the given strategy."""
    return RunSpec(StoryScenario(**scenario), load_strategy(strategy), Knobs(widen_ms=widen_ms))  # type: ignore[arg-type]
