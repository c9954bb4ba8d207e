"""The explorer as the app uses it: a search request with the session's seed, what it found
(the report plus the shrunk schedule replayed, ready to draw and open), and tokens pasted
back in. Headless: the Explore pane runs ``Exploration.run`` in a thread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cache.explore import ExploreReport, ExploreSpec, Played, Replayed, explore, replay_token
from cache.explore.table import Row, schedule_rows
from cache.scenarios.changes import ALL_CHANGES, Change

__all__ = [
    "CHANGE_SETS",
    "Exploration",
    "Found",
    "explore_entry",
    "inevitable_from",
]

# The scenario's recent changes, as the pane offers them. Exhaustive search wants only the
# async change: with prewarm and TTL refresh on, its bounded space is far larger.
CHANGE_SETS: dict[str, frozenset[Change]] = {
    "all": ALL_CHANGES,
    "async": frozenset({Change.ASYNC}),
}


@dataclass(slots=True)
class Found:
    """The shrunk failing schedule, replayed from its token: its steps, rows, and run."""

    replayed: Replayed

    @property
    def played(self) -> Played:
        return self.replayed.played

    @property
    def steps(self) -> list[str]:
        return self.played.steps

    @property
    def tasks(self) -> list[str]:
        return list(dict.fromkeys(row.task for row in self.rows))

    @property
    def rows(self) -> list[Row]:
        return schedule_rows(list(self.played.sim.history), self.played.stale)


@dataclass(frozen=True, slots=True)
class Exploration:
    """One search the user asked for; ``seed`` is the session's."""

    strategy: str
    policy: str
    depth: int
    bound: int
    max_schedules: int
    seed: int
    changes: str = "all"
    all: bool = False

    def spec(self) -> ExploreSpec:
        return ExploreSpec.story(self.strategy, changes=CHANGE_SETS[self.changes])

    def run(
        self,
        progress: Callable[[ExploreReport], None] | None = None,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> tuple[ExploreReport, Found | None]:
        """Search, shrink, and replay the shrunk schedule (the table and the timeline need
        its events); ``SpecError`` for a strategy the explorer cannot run."""
        report = explore(
            self.spec(),
            policy=self.policy,
            depth=self.depth,
            bound=self.bound,
            seed=self.seed,
            max_schedules=self.max_schedules,
            all=self.all,
            progress=progress,
            cancelled=cancelled,
        )
        found = None
        if report.minimal is not None:
            found = Found(replay_token(report.minimal.token))
        return report, found


def inevitable_from(causality: list[float]) -> int | None:
    """The first step (from 1) after which every continuation fails, for good; None if the
    failure never becomes certain."""
    step = None
    for i in range(len(causality) - 1, -1, -1):
        if causality[i] < 1.0:
            break
        step = i + 1
    return step


def explore_entry(request: Exploration, report: ExploreReport) -> dict[str, Any]:
    """The journal's record of a search."""
    minimal = report.minimal
    return {
        "strategy": request.strategy,
        "policy": request.policy,
        "changes": request.changes,
        "seed": request.seed,
        "found": report.found,
        "schedules": report.schedules,
        "seconds": round(report.seconds, 3),
        "cancelled": report.cancelled,
        "token": report.token,
        "minimal_token": None if minimal is None else minimal.token,
        "minimal_steps": None if minimal is None else minimal.steps,
        **{k: v for k, v in report.facts.items() if isinstance(v, int | float | bool)},
    }
