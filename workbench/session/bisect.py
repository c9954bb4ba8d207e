"""Which recent change brings the stale reads: a real bisection, and a reading of any
measurements a user made by toggling changes by hand."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Protocol

from cache.scenarios.changes import Change

if TYPE_CHECKING:  # the app's first screen imports this module, not the engine
    from cache.batch import BatchResult

__all__ = ["COMMIT_ORDER", "Measured", "bisect_changes", "find_culprit"]

# Oldest first: the story's log lists the newest commit first, as ``Change`` does.
COMMIT_ORDER: tuple[Change, ...] = tuple(reversed(Change))

class Measured(Protocol):
    """What ``find_culprit`` reads of a batch (a ``BatchResult``, or a journal's record)."""

    @property
    def failures(self) -> int: ...

    @property
    def completed(self) -> int: ...


Measure = Callable[[frozenset[Change]], Awaitable["BatchResult"]]


async def bisect_changes(measure: Measure) -> Change | None:
    """``git bisect`` over the recent commits: with all of them the test must fail and with
    none of them pass; then halve the range of commits applied until one commit separates
    a passing configuration from a failing one. ``None`` when the ends do not hold."""
    if not (await measure(frozenset(COMMIT_ORDER))).failures:
        return None
    if (await measure(frozenset())).failures:
        return None  # it fails without any of them: not one of these commits
    good, bad = 0, len(COMMIT_ORDER)
    while bad - good > 1:
        middle = (good + bad) // 2
        if (await measure(frozenset(COMMIT_ORDER[:middle]))).failures:
            bad = middle
        else:
            good = middle
    return COMMIT_ORDER[bad - 1]


def find_culprit(measured: Mapping[frozenset[Change], Measured]) -> Change | None:
    """A change whose removal, from a configuration that fails, leaves one that never does
    (however the configurations were chosen: bisecting or by hand)."""
    for changes, result in measured.items():
        if not result.failures:
            continue
        for change in changes:
            without = measured.get(changes - {change})
            if without is not None and without.completed and without.failures == 0:
                return change
    return None
