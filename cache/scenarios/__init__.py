"""Scenarios: the story's test, and a sustained workload for the live view."""

from __future__ import annotations

from cache.scenarios.base import Scenario, Versions
from cache.scenarios.changes import ALL_CHANGES, Change, format_changes, parse_changes
from cache.scenarios.story import StoryScenario
from cache.scenarios.sustained import SustainedWorkload

__all__ = [
    "ALL_CHANGES",
    "Change",
    "Scenario",
    "StoryScenario",
    "SustainedWorkload",
    "Versions",
    "format_changes",
    "parse_changes",
]
