"""Shrinking a failing schedule to a minimal one that still fails.

Each candidate is re-run and re-judged by the oracle; a change is kept only if the run
still returns stale data. In order: drop the background traffic (prewarm, TTL refresh),
the test's closing read, every reader but the one that read stale, and extra reads; then
keep the shortest prefix of the schedule after which running each task for as long as
it can (no further preemption) still fails, and remove preemptions one at a time.
Candidates run with unbounded skew, so a recorded order of steps replays whatever the
drawn timings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cache.explore.schedule import NonPreemptive, Played, play
from cache.explore.spec import ExploreSpec
from cache.explore.token import Token
from cache.scenarios.changes import Change

__all__ = ["Shrunk", "shrink"]

_BACKGROUND = ("prewarm", "ttl-refresh")


@dataclass(slots=True)
class Shrunk:
    """The minimal failing schedule: its spec, seed, steps, and its run."""

    spec: ExploreSpec
    seed: int
    played: Played
    tried: int

    @property
    def steps(self) -> list[str]:
        return self.played.steps

    @property
    def preemptions(self) -> int:
        return self.played.steered.preemptions

    @property
    def token(self) -> Token:
        return Token(self.spec, self.seed, {"name": "shrunk"}, tuple(self.steps))


def shrink(
    spec: ExploreSpec,
    seed: int,
    steps: list[str],
    cancelled: Callable[[], bool] = lambda: False,
) -> Shrunk | None:
    """A minimal failing version of the schedule ``steps`` of ``spec`` (None if it does not
    fail once replayed with unbounded skew)."""
    tried = 0

    def attempt(candidate: ExploreSpec, script: list[str]) -> Played | None:
        nonlocal tried
        tried += 1
        played = play(candidate, seed, NonPreemptive(), script, lenient=True)
        return played if played.failed and not played.abandoned else None

    spec = spec.with_skew(None)
    best = attempt(spec, steps)
    if best is None:
        return None
    script = best.steps

    def keep(candidate: ExploreSpec, new_script: list[str]) -> None:
        nonlocal spec, script, best
        if cancelled():
            return
        played = attempt(candidate, new_script)
        if played is not None:
            spec, script, best = candidate, played.steps, played

    story = spec.scenario
    if Change.ASYNC in story.changes and story.changes != {Change.ASYNC}:
        keep(
            spec.with_scenario(changes=frozenset({Change.ASYNC})),
            [s for s in script if s not in _BACKGROUND],
        )
    if spec.scenario.final_read:
        keep(spec.with_scenario(final_read=False), script)
    if spec.scenario.readers > 1:
        reader = best.stale[0].read.task
        keep(
            spec.with_scenario(readers=1),
            ["reader-1" if s == reader else s for s in script
             if not (s.startswith("reader-") and s != reader)],
        )
    if spec.scenario.reads > 1:
        keep(spec.with_scenario(reads=1), script)
    for length in range(len(script) + 1):
        if cancelled():
            break
        played = attempt(spec, script[:length])
        if played is not None:
            best = played
            break
    improved = True
    while improved and not cancelled():
        improved = False
        steps, options = best.steps, best.steered.options
        for i in range(1, len(steps)):
            if steps[i] == steps[i - 1] or steps[i - 1] not in options[i]:
                continue  # not a preemption
            # Defer the preempting step to just before its task's next one, let the
            # preempted task run one step longer, or switch a step earlier.
            later = next((j for j in range(i + 1, len(steps)) if steps[j] == steps[i]), None)
            deferred = (
                [*steps[:i], *steps[i + 1 : later], steps[i], *steps[later:]]
                if later is not None
                else [*steps[:i], *steps[i + 1 :], steps[i]]
            )
            for script in (
                deferred,
                [*steps[:i], steps[i - 1], *steps[i:]],
                [*steps[: i - 1], steps[i]],
            ):
                played = attempt(spec, script)
                if played is not None and played.steered.preemptions < best.steered.preemptions:
                    best, improved = played, True
                    break
            if improved:
                break
    return Shrunk(spec, seed, best, tried)
