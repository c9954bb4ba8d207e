"""The blocking section: the world before the async change, where one task's call held up
every other task until it returned (``Scheduler.blocking``). While a task owns it, only that
task runs; timers still fire, but the tasks they wake wait for the owner."""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING

from cache.scheduler.tasks import Deadlock, _State

if TYPE_CHECKING:
    from cache.scheduler.core import Scheduler

__all__ = ["enter", "leave", "run_owner"]


def run_owner(scheduler: Scheduler, until: float) -> bool:
    """One step of the task holding the blocking section; False if ``until`` stops it."""
    owner = scheduler._owner
    assert owner is not None
    if owner.state is _State.READY:
        scheduler._ready.remove(owner)
        scheduler._step(owner)
        return True
    # Timers that fire before the owner wakes make their tasks ready, but they cannot
    # run: the program is blocked.
    timers = scheduler._timers
    while timers:
        if timers[0][0] > scheduler._deadline and until > scheduler._deadline:
            raise scheduler._over_time(timers[0][3], timers[0][0])
        if timers[0][0] > until:
            scheduler._now = until
            return False
        entry = heapq.heappop(timers)
        scheduler._now = entry[0]
        if scheduler._fire(entry) is owner:
            scheduler._ready.remove(owner)
            scheduler._step(owner)
            return True
    raise Deadlock(f"task {owner.name!r} waits on another task while it blocks everything else")


def enter(scheduler: Scheduler) -> None:
    current = scheduler._current
    if current is None:
        raise RuntimeError("blocking() is only for tasks of this scheduler")
    if scheduler._owner is not None and scheduler._owner is not current:
        raise RuntimeError("two tasks cannot block at once")
    scheduler._owner = current
    scheduler._owner_depth += 1


def leave(scheduler: Scheduler) -> None:
    scheduler._owner_depth -= 1
    if scheduler._owner_depth == 0:
        scheduler._owner = None
