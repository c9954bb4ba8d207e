"""A deterministic scheduler for coroutines on virtual time.

Why not asyncio: its ready queue is first in, first out, so two tasks that each yield once
always interleave the same way, and a race that needs the other order never shows. Here every
``await`` of a scheduling command hands control back to the scheduler, which picks the next
ready task through a pluggable ``Policy`` and jumps the clock straight to the next timer when
nobody is ready. Same seed, same policy: same interleaving, same history, in microseconds of
real time per step.

Tasks are plain coroutines driven with ``send``; the commands they await are tiny objects
whose ``__await__`` yields themselves (the way trio and curio talk to their kernels).
"""

from __future__ import annotations

import heapq
from collections.abc import Awaitable, Coroutine
from contextlib import AbstractAsyncContextManager
from random import Random
from typing import Any

from cache.errors import safe_repr
from cache.scheduler import blocking
from cache.scheduler import skew as skewed
from cache.scheduler.budget import UNLIMITED, Budget, BudgetExceeded
from cache.scheduler.policies import Policy, RandomPolicy
from cache.scheduler.tasks import (
    _CHECKPOINT,
    _DONE,
    _PARKED,
    _READY,
    _SLEEPING,
    Cancelled,
    Deadlock,
    SimTask,
    Status,
    StepLimitExceeded,
    TaskFailed,
    WaitQueue,
    _BlockingSection,
    _Checkpoint,
    _Join,
    _Park,
    _State,
    sleep_for,
)
from cache.scheduler.unkillable import awaiting, bury

__all__ = [
    "Cancelled",
    "Deadlock",
    "Scheduler",
    "SimTask",
    "Status",
    "StepLimitExceeded",
    "TaskFailed",
    "WaitQueue",
]

_CHOICE_SALT = 0x5DEECE66D
_CLEANUP_STEPS = 1_000


# --- the scheduler ------------------------------------------------------------------------


class Scheduler:
    """Runs tasks on virtual time; implements ``cache.runtime.Runtime``.

    ``rng`` is the stream everything random in a run draws from (latencies, offsets, keys);
    the policy gets its own stream so that a different choice policy does not shift them.
    """

    def __init__(
        self,
        seed: int,
        policy: Policy | None = None,
        *,
        max_steps: int | None = None,
        budget: Budget = UNLIMITED,
    ) -> None:
        self.seed = seed
        self.rng = Random(seed)
        self.policy: Policy = policy if policy is not None else RandomPolicy()
        self._choice_rng = Random(seed ^ _CHOICE_SALT)
        self._now = 0.0
        self._ready: list[SimTask] = []
        self._timers: list[tuple[float, int, int, SimTask]] = []
        self._timer_seq = 0
        self._tasks: list[SimTask] = []
        self._current: SimTask | None = None
        self._owner: SimTask | None = None
        self._owner_depth = 0
        self.steps = 0
        self.choices = 0
        # A livelock guard, not a length limit: steps in a row without the clock moving.
        # A healthy run of any length advances time; a task spinning on zero-time
        # checkpoints never does.
        self.max_steps = max_steps if max_steps is not None else budget.steps_at_instant
        self.budget = budget
        self._deadline = budget.virtual_seconds
        self._step_budget = budget.steps if budget.steps is not None else -1
        self._instant = -1.0
        self._steps_at_instant = 0
        self._pending_choice = False
        # Bounded skew (seconds) for the schedule explorer; None keeps strict time order.
        # With a skew, a task sleeping until at most ``skew`` past the oldest pending event
        # may run next (the clock jumps to its wake-up), so a choice policy decides the
        # order of round trips and offsets instead of the drawn latencies. No task ever runs
        # more than ``skew`` ahead of the oldest pending event, so a looping task cannot
        # starve the others and time never runs away (a lock's expiry stays honest).
        self.skew: float | None = None
        self._candidates: list[SimTask] | None = None

    # -- Runtime ---------------------------------------------------------------------------

    def now(self) -> float:
        return self._now

    def sleep(self, seconds: float) -> Awaitable[None]:
        if seconds < 0:
            raise ValueError(f"cannot sleep a negative time ({seconds})")
        return sleep_for(seconds if type(seconds) is float else float(seconds))

    def checkpoint(self) -> Awaitable[None]:
        return _CHECKPOINT

    def task_name(self) -> str:
        current = self._current
        return current.name if current is not None else "main"

    def blocking(self) -> AbstractAsyncContextManager[None]:
        return _BlockingSection(self)

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> SimTask:
        task = SimTask(len(self._tasks) + 1, name, coro)
        task.wake_at = self._now
        self._tasks.append(task)
        self._ready.append(task)
        if type(self.policy) is not RandomPolicy:  # whose on_spawn does nothing
            self.policy.on_spawn(task, self._choice_rng)
        return task

    def join(self, task: Any) -> Awaitable[None]:
        if not isinstance(task, SimTask):
            raise TypeError(f"cannot join {task!r}: not a task of this scheduler")
        return _Join(task)

    # -- what else the simulator's own parts use --------------------------------------------

    def wait_queue(self) -> WaitQueue:
        return WaitQueue(self)

    @property
    def tasks(self) -> tuple[SimTask, ...]:
        return tuple(self._tasks)

    @property
    def ready(self) -> tuple[SimTask, ...]:
        """Tasks that could run next, in the order a choice index refers to."""
        return tuple(self._ready)

    @property
    def idle(self) -> bool:
        return not self._ready and not self._timers

    def candidates(self) -> list[SimTask]:
        """With a skew: the tasks that may run next, in task order (what a choice index
        refers to)."""
        return skewed.candidates(self)

    def choose(self, index: int) -> None:
        """Run the ready task at ``index`` next (for a policy that deferred its choice)."""
        candidates = self._candidates
        if candidates is not None:
            if not 0 <= index < len(candidates):
                raise IndexError(f"no candidate task {index}; {len(candidates)} can run")
            self._candidates = None
            self._pending_choice = False
            skewed.take(self, candidates[index])
            return
        if not 0 <= index < len(self._ready):
            raise IndexError(f"no ready task {index}; {len(self._ready)} are ready")
        task = self._ready.pop(index)
        self._pending_choice = False
        self._step(task)

    def close(self) -> None:
        """Abandon the run: cancel every unfinished task.

        ``Cancelled`` is raised inside each task, so its ``finally`` blocks run (a lock
        strategy releases its lock); whatever they await completes at once, as time no
        longer moves. Then the coroutine is closed, so nothing warns of never being awaited.
        """
        for task in self._tasks:
            if task.state is _State.DONE:
                continue
            task.state = _State.DONE
            self._current = task
            coro = task.coro
            try:
                coro.throw(Cancelled())
                for _ in range(_CLEANUP_STEPS):
                    coro.send(None)
            except (StopIteration, Cancelled):
                pass
            except Exception:  # cleanup failing in an abandoned run has no one to tell
                pass
            finally:
                self._current = None
                # Its cleanup kept awaiting past _CLEANUP_STEPS, or swallowed GeneratorExit
                # (a RuntimeError, which the service may have wrapped): no one to tell.
                chain = awaiting(coro)
                try:
                    coro.close()
                except Exception:
                    bury(chain)
        self._ready.clear()
        self._timers.clear()
        self._owner = None

    # -- running ---------------------------------------------------------------------------

    def run(self, until: float = float("inf")) -> Status:
        """Run until every task is done, the clock reaches ``until``, or the policy defers."""
        if self.skew is not None:
            return skewed.run_skewed(self, until, self.skew)
        ready = self._ready
        timers = self._timers
        policy = self.policy
        rng = self._choice_rng
        # The random policy's choice, inlined: this loop is where a batch spends its time.
        draw = rng.random if type(policy) is RandomPolicy else None
        heappop = heapq.heappop
        step = self._step
        while True:
            if self._owner is not None:
                if not blocking.run_owner(self, until):
                    return Status.TIME_LIMIT
                continue
            if not ready:
                if not timers:
                    if any(t.state is _PARKED for t in self._tasks):
                        raise Deadlock(self._describe_parked())
                    return Status.IDLE
                when = timers[0][0]
                if when > self._deadline and until > self._deadline:
                    raise self._over_time(timers[0][3], when)
                if when > until:
                    self._now = until
                    return Status.TIME_LIMIT
                self._now = when
                while timers and timers[0][0] == when:
                    _, _, gen, task = heappop(timers)
                    if gen != task.gen:
                        continue
                    queue = task.parked_on
                    if queue is not None:  # a wait that timed out
                        queue._parked.remove(task)
                        task.parked_on = None
                    task.state = _READY
                    task.gen = gen + 1
                    task.wake_at = when
                    ready.append(task)
                continue
            if len(ready) == 1:
                task = ready.pop()
            else:
                chosen = int(draw() * len(ready)) if draw is not None else None
                if chosen is None:
                    chosen = policy.choose(ready, rng, self.steps)
                    if chosen is None:
                        self._pending_choice = True
                        return Status.AWAITING_CHOICE
                self.choices += 1
                task = ready.pop(chosen)
            step(task)

    def _make_ready(self, task: SimTask) -> None:
        task.state = _State.READY
        task.gen += 1
        task.wake_at = self._now
        self._ready.append(task)

    def _fire(self, entry: tuple[float, int, int, SimTask]) -> SimTask | None:
        """A timer went off: wake its task (returned) unless the task has moved on since."""
        _, _, gen, task = entry
        if gen != task.gen:
            return None
        queue = task.parked_on
        if queue is not None:  # a wait that timed out
            queue._parked.remove(task)
            task.parked_on = None
        self._make_ready(task)
        return task

    def _set_timer(self, task: SimTask, when: float) -> None:
        task.wake_at = when
        self._timer_seq += 1
        heapq.heappush(self._timers, (when, self._timer_seq, task.gen, task))

    def _over_time(self, task: SimTask, when: float) -> BudgetExceeded:
        # Name the task sleeping furthest past the budget: the next timer may be an
        # innocent one that kept running while the culprit slept.
        for other in self._tasks:
            if other.state is _State.SLEEPING and other.wake_at > when:
                task, when = other, other.wake_at
        wakes = "forever" if when == float("inf") else f"until t={when:g}s"
        self.close()
        return BudgetExceeded(
            f"the run passed its budget of {self._deadline:g} virtual seconds: task "
            f"{task.name!r} sleeps {wakes}; a strategy may be sleeping forever, "
            "looping in virtual time or waiting for a lock that is never released"
        )

    def _step(self, task: SimTask) -> None:
        self.steps += 1
        if self.steps == self._step_budget + 1:
            self.close()
            raise BudgetExceeded(
                f"the run passed its budget of {self._step_budget:,} scheduling steps at "
                f"t={self._now:g}s; a strategy may be looping (retrying or polling forever)"
            )
        now = self._now
        if now != self._instant:
            self._instant = now
            self._steps_at_instant = 0
        self._steps_at_instant += 1
        if self._steps_at_instant > self.max_steps:
            self.close()
            raise StepLimitExceeded(
                f"more than {self.max_steps} scheduling steps without time moving at "
                f"t={now * 1000:.3f}ms; a task may be spinning on zero-time awaits"
            )
        self._current = task
        try:
            error = task.pending_error
            if error is None:
                command = task.coro.send(None)
            else:
                task.pending_error = None
                command = task.coro.throw(error)
        except StopIteration as stop:
            self._current = None
            self._finish(task, stop.value)
            return
        except BaseException as error:
            self._current = None
            self._finish(task, None)
            task.error = error
            self.close()
            raise TaskFailed(task.name, error) from error
        self._current = None
        kind = type(command)
        if kind is float:  # sleep_for
            delay = command
            if delay <= 0.0:
                task.wake_at = now
                self._ready.append(task)
                return
            task.state = _SLEEPING
            when = task.wake_at = now + delay
            self._timer_seq += 1
            heapq.heappush(self._timers, (when, self._timer_seq, task.gen, task))
        elif kind is _Checkpoint:
            task.wake_at = now
            self._ready.append(task)
        elif kind is _Park:
            task.state = _PARKED
            task.parked_on = command.queue
            command.queue._parked.append(task)
            if command.timeout is not None:
                self._set_timer(task, now + max(command.timeout, 0.0))
        elif kind is _Join:
            target = command.task
            if target.state is _DONE:
                task.wake_at = now
                self._ready.append(task)
            else:
                task.state = _PARKED
                target._waiters.append(task)
        else:
            # Raised where the task awaited it, so the strategy that did is named for it.
            task.pending_error = TypeError(
                f"awaited {safe_repr(command)}: asyncio and anyio calls cannot run inside "
                "the simulator; await ctx.runtime.sleep() or ctx.store calls instead"
            )
            self._ready.append(task)

    def _finish(self, task: SimTask, result: Any) -> None:
        task.state = _State.DONE
        task.result = result
        if self._owner is task:
            self._owner = None
            self._owner_depth = 0
        for waiter in task._waiters:
            self._make_ready(waiter)
        task._waiters.clear()

    def _describe_parked(self) -> str:
        names = ", ".join(t.name for t in self._tasks if t.state is _State.PARKED)
        return f"no task can run and no timer is set; waiting forever: {names}"

    def __repr__(self) -> str:
        return (
            f"<Scheduler seed={self.seed} t={self._now * 1000:.3f}ms steps={self.steps} "
            f"ready={len(self._ready)} timers={len(self._timers)} policy={self.policy!r}>"
        )
