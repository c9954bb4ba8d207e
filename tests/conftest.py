"""Shared fixtures. Tests are deterministic: every run is seeded, time is virtual."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from cache import Knobs, RunSpec, StoryScenario, load_strategy

# Property tests explore a fixed sequence of examples: the same on every machine and every
# run, so a failure is reproducible and never a flake.
# HYPOTHESIS_PROFILE=explore searches afresh, for a developer hunting new counterexamples.
settings.register_profile("deterministic", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("explore", max_examples=3000, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))


@pytest.fixture
def story() -> StoryScenario:
    return StoryScenario()


def spec(strategy: str, widen_ms: float = 0.0, **scenario: object) -> RunSpec:
    """A run spec for the story scenario with the given strategy."""
    return RunSpec(StoryScenario(**scenario), load_strategy(strategy), Knobs(widen_ms=widen_ms))  # type: ignore[arg-type]
