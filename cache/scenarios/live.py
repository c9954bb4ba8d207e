"""The story's test, sized for a real server: milliseconds, and readers that keep reading.

On loopback Redis a round trip takes a fraction of a millisecond, so the naive update's race
window (from the SET's reply to the last DEL's) is a few hundred microseconds wide. The
simulated story spreads two single reads over 200 ms; on a real server that would almost
never hit the window and every run would take a fifth of a second. Here the update comes
about a millisecond in and each reader reads several times back to back from a seeded
start, so the reads overlap the update and a batch of a thousand runs takes seconds.
``docs/redis.md`` explains the chosen defaults and what they measure. It is the same
``StoryScenario`` as the simulator's, with other sizes.
"""

from __future__ import annotations

from typing import Any

from cache.scenarios.story import StoryScenario

__all__ = ["LIVE_STORY", "live_story"]

# One update of user:123 about a millisecond in; three readers starting within the first
# millisecond, each reading three times back to back; TTL refresh every millisecond.
LIVE_STORY: dict[str, Any] = {
    "readers": 3,
    "reads": 3,
    "spread_ms": 1.0,
    "update_from_ms": 0.5,
    "update_to_ms": 1.5,
    "refresh_every_ms": 1.0,
    "name": "story-live",
}


def live_story(**overrides: Any) -> StoryScenario:
    """The story's test sized for a real server (``overrides`` replace any of its sizes)."""
    return StoryScenario(**{**LIVE_STORY, **overrides})
