"""What the scheduler runs and what its tasks await: tasks, the commands that yield them
back to the scheduler, wait queues, the blocking section, and the ways a run can fail."""

from __future__ import annotations

import types
from collections.abc import Awaitable, Coroutine, Generator
from contextlib import AbstractAsyncContextManager
from enum import Enum
from types import TracebackType
from typing import TYPE_CHECKING, Any

from cache.errors import RunFailed, describe

if TYPE_CHECKING:
    from cache.scheduler.core import Scheduler

__all__ = [
    "Cancelled",
    "Deadlock",
    "SimTask",
    "Status",
    "StepLimitExceeded",
    "TaskFailed",
    "WaitQueue",
]


class Status(Enum):
    """Why ``Scheduler.run`` returned."""

    IDLE = "idle"  # every task has finished
    TIME_LIMIT = "time-limit"  # the clock reached ``until``
    AWAITING_CHOICE = "awaiting-choice"  # the policy deferred the choice to its caller


class TaskFailed(RunFailed):
    """A task raised; the scheduler stops rather than hide it."""

    def __init__(self, task: str, error: BaseException) -> None:
        super().__init__(f"task {task!r} raised {describe(error)}")
        self.task = task
        self.error = error


class Cancelled(BaseException):
    """Raised inside the tasks of an abandoned run (``Scheduler.close``). A BaseException, so
    that code catching ``Exception`` does not swallow it, as with asyncio's CancelledError."""


class Deadlock(RunFailed):
    """Tasks are waiting on each other and no timer can wake any of them."""


class StepLimitExceeded(RunFailed):
    """More steps than allowed: a livelock, or a task spinning on zero-time checkpoints."""


class _State(Enum):
    READY = 0
    SLEEPING = 1
    PARKED = 2
    DONE = 3


# Module constants: a global lookup is cheaper than an enum attribute in the hot loop.
_READY, _SLEEPING, _PARKED, _DONE = _State.READY, _State.SLEEPING, _State.PARKED, _State.DONE


class SimTask:
    """A coroutine under the scheduler's control."""

    __slots__ = (
        "_waiters",
        "coro",
        "error",
        "gen",
        "id",
        "name",
        "parked_on",
        "pending_error",
        "result",
        "state",
        "wake_at",
    )

    def __init__(self, tid: int, name: str, coro: Coroutine[Any, Any, Any]) -> None:
        self.id = tid
        self.name = name
        self.coro = coro
        self.state = _State.READY
        self.wake_at = 0.0
        # Bumped whenever the task resumes, so a timer set for an earlier wait is ignored.
        self.gen = 0
        self.parked_on: WaitQueue | None = None
        # Raised into the coroutine at its next step instead of resuming it normally.
        self.pending_error: BaseException | None = None
        self.result: Any = None
        self.error: BaseException | None = None
        self._waiters: list[SimTask] = []

    @property
    def done(self) -> bool:
        return self.state is _State.DONE

    def __repr__(self) -> str:
        return f"<SimTask {self.id} {self.name!r} {self.state.name.lower()}>"


# --- commands: awaitables that yield themselves to the scheduler ------------------------


@types.coroutine
def sleep_for(seconds: float) -> Generator[float, Any, None]:
    """Sleep ``seconds`` (a float, at least 0) of virtual time. The command is the float
    itself: a round trip of the simulated store is one of these, so it costs no object."""
    yield seconds


class _Checkpoint:
    __slots__ = ()

    def __await__(self) -> Generator[Any, Any, None]:
        yield self


_CHECKPOINT = _Checkpoint()


class _Park:
    __slots__ = ("queue", "timeout")

    def __init__(self, queue: WaitQueue, timeout: float | None) -> None:
        self.queue = queue
        self.timeout = timeout

    def __await__(self) -> Generator[Any, Any, None]:
        yield self


class _Join:
    __slots__ = ("task",)

    def __init__(self, task: SimTask) -> None:
        self.task = task

    def __await__(self) -> Generator[Any, Any, None]:
        yield self


class WaitQueue:
    """Tasks parked until someone calls ``wake_all`` (a condition without a lock)."""

    __slots__ = ("_parked", "_scheduler")

    def __init__(self, scheduler: Scheduler) -> None:
        self._scheduler = scheduler
        self._parked: list[SimTask] = []

    def wait(self, timeout: float | None = None) -> Awaitable[None]:
        """Park the calling task until ``wake_all``, or until ``timeout`` seconds pass."""
        return _Park(self, timeout)

    def wake_all(self) -> int:
        parked, self._parked = self._parked, []
        for task in parked:
            task.parked_on = None
            self._scheduler._make_ready(task)
        return len(parked)

    def __len__(self) -> int:
        return len(self._parked)


class _BlockingSection(AbstractAsyncContextManager[None]):
    __slots__ = ("_scheduler",)

    def __init__(self, scheduler: Scheduler) -> None:
        self._scheduler = scheduler

    async def __aenter__(self) -> None:
        from cache.scheduler import blocking

        blocking.enter(self._scheduler)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        from cache.scheduler import blocking

        blocking.leave(self._scheduler)
