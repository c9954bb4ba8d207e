"""The real world as a ``Runtime``: asyncio tasks on the wall clock.

The simulator picks every interleaving from a seed; here the event loop and the network pick
them, so a run is never repeatable, only measurable. The recorder stamps events with
``now()`` (monotonic seconds since the run began) and the oracle judges them by the order in
which this one process observed them, which is all it needs.

``blocking()`` models the synchronous client the story had before its async optimization:
while one task holds it, no other task of the run may have a cache call in flight. Backends
that talk to a real server take part by entering ``BlockingGate.admit()`` around each round
trip; see ``BlockingGate`` for the exact rule.

A strategy that blocks the loop itself (``time.sleep`` in async code) is caught by
``cache.watchdog``: the run fails with ``RunStalled`` naming the task that blocked.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from cache import watchdog
from cache.errors import RunFailed

__all__ = ["BlockingGate", "RealtimeRuntime", "RealtimeTask", "RunStalled"]

# How long ``wait`` gives cancelled tasks to unwind (each is at most in one socket read,
# which the client's own timeout bounds anyway).
_CANCEL_GRACE_S = 2.0


class RunStalled(RunFailed):
    """A run did not finish in the time allowed: a task waits forever (a lock never
    released, a blocking section that joins another task) or the server stopped answering."""


class RealtimeTask:
    """An asyncio task started by ``RealtimeRuntime.spawn`` (a ``cache.runtime.TaskHandle``)."""

    __slots__ = ("task",)

    def __init__(self, task: asyncio.Task[Any]) -> None:
        self.task = task

    @property
    def name(self) -> str:
        return self.task.get_name()

    @property
    def done(self) -> bool:
        return self.task.done()

    def __repr__(self) -> str:
        return f"<RealtimeTask {self.name!r} {'done' if self.done else 'running'}>"


def _current() -> asyncio.Task[Any] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no running loop: called from plain synchronous code
        return None


class BlockingGate:
    """The synchronous client's rule on an asyncio loop: one blocking task at a time, and
    while it holds the gate no other task's cache call is in flight.

    * ``hold()`` (what ``Runtime.blocking()`` returns) waits until no other task holds the
      gate and no other task's call is in flight, then owns the gate; it is re-entrant, as
      the simulator's blocking section is (``CacheService`` and ``SyncStrategy`` nest).
    * ``admit()`` wraps one round trip: the owner passes straight through; any other task
      waits until the gate is free. Once a task is waiting to hold the gate, new calls wait
      too, so a steady stream of calls cannot starve it.

    Calls are admitted one round trip at a time, not one strategy step, so a task polling
    for a Redis lock never keeps the gate busy while it sleeps between attempts.
    """

    __slots__ = ("_depth", "_holders_waiting", "_in_flight", "_owner", "_waiters")

    def __init__(self) -> None:
        self._owner: asyncio.Task[Any] | None = None
        self._depth = 0
        self._in_flight = 0
        self._holders_waiting = 0
        self._waiters: list[asyncio.Future[None]] = []

    @property
    def held(self) -> bool:
        return self._owner is not None

    def _changed(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def _until(self, ready: Callable[[], bool]) -> None:
        loop = asyncio.get_running_loop()
        while not ready():
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.append(waiter)
            await waiter

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        """Block every other task's cache calls until the block exits."""
        me = _current()
        if me is None:
            raise RuntimeError("blocking() is only for tasks of a running event loop")
        if self._owner is not me:
            self._holders_waiting += 1
            try:
                await self._until(lambda: self._owner is None and self._in_flight == 0)
            except BaseException:
                # Cancelled while waiting: calls held back for us may go ahead now.
                self._holders_waiting -= 1
                self._changed()
                raise
            self._holders_waiting -= 1
            self._owner = me
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0:
                self._owner = None
                self._changed()

    @asynccontextmanager
    async def admit(self) -> AsyncIterator[None]:
        """One cache round trip: waits while another task holds (or waits to hold) the gate."""
        me = _current()
        if me is not None and self._owner is me:
            yield
            return
        await self._until(lambda: self._owner is None and self._holders_waiting == 0)
        self._in_flight += 1
        try:
            yield
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._changed()

    def __repr__(self) -> str:
        owner = self._owner.get_name() if self._owner is not None else None
        return (
            f"<BlockingGate owner={owner!r} in_flight={self._in_flight} "
            f"holders_waiting={self._holders_waiting}>"
        )


class RealtimeRuntime:
    """``cache.runtime.Runtime`` on the running asyncio loop and the monotonic clock.

    A run spawns its tasks, then awaits ``wait``, which returns when every task spawned so
    far (and every task those spawn) has finished. The first task to raise ends the run:
    the others are cancelled and awaited, and its exception is raised from ``wait``, as the
    simulator stops at the first failing task.
    """

    def __init__(self, *, blocked_after: float | None = None) -> None:
        """``blocked_after``: seconds the loop may go without turning before the run fails
        as blocked (default ``cache.watchdog.BLOCKED_AFTER_S``)."""
        self.gate = BlockingGate()
        self.blocked_after = (
            blocked_after if blocked_after is not None else watchdog.BLOCKED_AFTER_S
        )
        self._began = time.perf_counter()
        self._tasks: list[asyncio.Task[Any]] = []
        self._live = 0
        self._failure: BaseException | None = None
        self._changed: asyncio.Event | None = None

    # -- Runtime ---------------------------------------------------------------------------

    def now(self) -> float:
        # perf_counter is monotonic and has sub-microsecond resolution: round trips on
        # loopback take tens of microseconds, and time.monotonic() is coarser on some hosts.
        return time.perf_counter() - self._began

    def sleep(self, seconds: float) -> Awaitable[None]:
        if seconds < 0:
            raise ValueError(f"cannot sleep a negative time ({seconds})")
        return asyncio.sleep(seconds)

    def checkpoint(self) -> Awaitable[None]:
        return asyncio.sleep(0)

    def task_name(self) -> str:
        task = _current()
        return task.get_name() if task is not None else "main"

    def blocking(self) -> AbstractAsyncContextManager[None]:
        return self.gate.hold()

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> RealtimeTask:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.append(task)
        self._live += 1
        task.add_done_callback(self._on_done)
        return RealtimeTask(task)

    async def join(self, task: Any) -> None:
        if not isinstance(task, RealtimeTask):
            raise TypeError(f"cannot join {task!r}: not a task of this runtime")
        # asyncio.wait, not ``await task``: a failure is reported once, by ``wait``, and the
        # joining task is cancelled with the others instead of re-raising it.
        await asyncio.wait((task.task,))

    # -- running a run -----------------------------------------------------------------------

    def start(self) -> None:
        """Set the clock's zero: call just before spawning the run's first task."""
        self._began = time.perf_counter()

    @property
    def tasks(self) -> tuple[RealtimeTask, ...]:
        return tuple(RealtimeTask(task) for task in self._tasks)

    def _on_done(self, task: asyncio.Task[Any]) -> None:
        self._live -= 1
        # Reading the exception here also marks it retrieved, so asyncio never logs
        # "Task exception was never retrieved" for a failure that ``wait`` reports.
        if not task.cancelled():
            error = task.exception()
            if error is not None and self._failure is None:
                self._failure = error
        if self._changed is not None:
            self._changed.set()

    def owns(self, task: asyncio.Task[Any]) -> bool:
        return task in self._tasks

    def loop_blocked(self, message: str) -> None:
        """The watchdog saw one of this run's tasks block the loop: the run has failed."""
        if self._failure is None:
            self._failure = RunStalled(message)
        if self._changed is not None:
            self._changed.set()

    async def wait(self, limit: float) -> None:
        """Until every task has finished; raises the first task's failure, or
        ``RunStalled`` after ``limit`` seconds or when a task blocked the loop. Either way
        no task is left running."""
        dog = watchdog.LoopWatchdog.of(asyncio.get_running_loop(), self.blocked_after)
        dog.watch(self)
        try:
            await self._wait(limit)
        finally:
            dog.unwatch(self)

    async def _wait(self, limit: float) -> None:
        changed = self._changed = asyncio.Event()
        try:
            async with asyncio.timeout(limit):
                while self._live and self._failure is None:
                    changed.clear()
                    await changed.wait()
        except TimeoutError:
            running = ", ".join(t.get_name() for t in self._tasks if not t.done()) or "none"
            await self.cancel()
            raise RunStalled(
                f"the run did not finish within {limit:g}s (still running: {running})"
            ) from None
        except BaseException:
            await self.cancel()  # cancelled from outside (Ctrl+C): take the tasks down too
            raise
        if self._failure is not None:
            await self.cancel()
            raise self._failure

    async def cancel(self) -> None:
        """Cancel every unfinished task and wait (bounded) until they have unwound."""
        pending = [task for task in self._tasks if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=_CANCEL_GRACE_S)

    def __repr__(self) -> str:
        return (
            f"<RealtimeRuntime t={self.now() * 1000:.3f}ms tasks={len(self._tasks)} "
            f"live={self._live} {self.gate!r}>"
        )
