"""Scenarios: the story's test, and a sustained workload for the live view.

Each name loads its module on first use (``cache.lazy``): ``cache.scenarios.changes``, which
the app's settings need, comes without the scenarios and the cache service.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cache.lazy import exports

if TYPE_CHECKING:
    from cache.scenarios.base import Scenario as Scenario
    from cache.scenarios.base import Versions as Versions
    from cache.scenarios.changes import ALL_CHANGES as ALL_CHANGES
    from cache.scenarios.changes import Change as Change
    from cache.scenarios.changes import format_changes as format_changes
    from cache.scenarios.changes import parse_changes as parse_changes
    from cache.scenarios.story import StoryScenario as StoryScenario
    from cache.scenarios.sustained import SustainedWorkload as SustainedWorkload

__getattr__, __dir__ = exports(
    __name__,
    {
        "cache.scenarios.base": ("Scenario", "Versions"),
        "cache.scenarios.changes": ("ALL_CHANGES", "Change", "format_changes", "parse_changes"),
        "cache.scenarios.story": ("StoryScenario",),
        "cache.scenarios.sustained": ("SustainedWorkload",),
    },
)
