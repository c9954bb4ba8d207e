"""Bounded skew, for the schedule explorer: the choice policy may run any task due within
``skew`` of the oldest pending event, so it decides the order of round trips instead of the
drawn latencies. No task runs more than ``skew`` ahead, so none can starve the others."""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING

from cache.scheduler import blocking
from cache.scheduler.tasks import Deadlock, SimTask, Status, _State

if TYPE_CHECKING:
    from cache.scheduler.core import Scheduler

__all__ = ["candidates", "run_skewed", "take"]


def run_skewed(scheduler: Scheduler, until: float, skew: float) -> Status:
    """``run`` with bounded skew: the policy picks among every task that may run next."""
    policy = scheduler.policy
    rng = scheduler._choice_rng
    timers = scheduler._timers
    while True:
        if scheduler._owner is not None:
            if not blocking.run_owner(scheduler, until):
                return Status.TIME_LIMIT
            continue
        runnable = candidates(scheduler)
        if not runnable:
            # Only timed-out waits are left (or nothing): fire the next one in time order.
            while timers and timers[0][2] != timers[0][3].gen:
                heapq.heappop(timers)
            if not timers:
                if any(t.state is _State.PARKED for t in scheduler._tasks):
                    raise Deadlock(scheduler._describe_parked())
                return Status.IDLE
            when = timers[0][0]
            if when > until:
                scheduler._now = until
                return Status.TIME_LIMIT
            scheduler._now = max(scheduler._now, when)
            scheduler._fire(heapq.heappop(timers))
            continue
        if min(t.wake_at for t in runnable) > until:
            scheduler._now = until
            return Status.TIME_LIMIT
        # The policy sees every step here, even a forced one, so a recorded schedule is
        # the whole order in which tasks ran and replays under any skew wide enough.
        index = policy.choose(runnable, rng, scheduler.steps)
        if index is None:
            scheduler._candidates = runnable
            scheduler._pending_choice = True
            return Status.AWAITING_CHOICE
        if len(runnable) > 1:
            scheduler.choices += 1
        take(scheduler, runnable[index])


def candidates(scheduler: Scheduler) -> list[SimTask]:
    """With a skew: the tasks that may run next, in task order (what a choice index
    refers to). Ready tasks, and sleepers due within ``skew`` of the oldest pending event."""
    skew = scheduler.skew if scheduler.skew is not None else 0.0
    pending = [t for t in scheduler._tasks if t.state is _State.SLEEPING] + scheduler._ready
    if not pending:
        return []
    oldest = min(t.wake_at for t in pending)
    for _, _, gen, task in scheduler._timers:
        if gen == task.gen and task.state is _State.PARKED and task.wake_at < oldest:
            oldest = task.wake_at
    limit = oldest + skew
    chosen = [t for t in pending if t.wake_at <= limit]
    chosen.sort(key=lambda t: t.id)
    return chosen


def take(scheduler: Scheduler, task: SimTask) -> None:
    """Run ``task`` now: a sleeper wakes early or late, and the clock never goes back."""
    if task.state is _State.SLEEPING:
        task.gen += 1  # its timer entry is now stale
        task.state = _State.READY
        scheduler._now = max(scheduler._now, task.wake_at)
    else:
        scheduler._ready.remove(task)
    scheduler._step(task)
