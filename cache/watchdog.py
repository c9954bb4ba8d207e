"""Noticing a strategy that blocks the event loop (``time.sleep``, a synchronous client).

On a real server a run's tasks share one asyncio loop; a strategy that blocks it stalls
every task, and no timeout inside the loop can fire until it lets go. Two things watch:

* a heartbeat, a callback the loop runs every fraction of ``threshold``: when it runs late
  by more than ``threshold``, the loop was blocked, and every run being watched that owns
  the task that blocked it fails with ``RunStalled`` naming that task;
* a daemon thread, which sees the heartbeat stop *while* the loop is blocked, notes which
  task is running, and calls ``on_blocked`` (a front end can say so at once, even if the
  task never lets go; Ctrl+C still works, as the loop's thread is the main thread).

One watchdog per loop, shared by the runs on it (a batch runs thousands).
"""

from __future__ import annotations

import asyncio
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any, Protocol

__all__ = ["BLOCKED_AFTER_S", "LoopWatchdog", "Watched"]

# Loopback round trips take well under a millisecond and a run a few milliseconds: a loop
# that does not turn for this long is blocked by code, not slowed by load.
BLOCKED_AFTER_S = 2.0

_watchdogs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LoopWatchdog] = (
    weakref.WeakKeyDictionary()
)


class Watched(Protocol):
    """A run the watchdog reports to (``RealtimeRuntime``)."""

    def owns(self, task: asyncio.Task[Any]) -> bool: ...

    def loop_blocked(self, message: str) -> None: ...


class LoopWatchdog:
    """The watchdog of one event loop; get it with ``LoopWatchdog.of(loop)``."""

    def __init__(self, loop: asyncio.AbstractEventLoop, threshold: float) -> None:
        if not threshold > 0:
            raise ValueError(f"threshold must be positive, not {threshold}")
        self.threshold = threshold
        self.on_blocked: Callable[[str], None] | None = None
        self._loop = loop
        self._interval = threshold / 4
        self._watched: list[Watched] = []
        self._last = time.monotonic()
        self._handle: asyncio.TimerHandle | None = None
        self._suspect: asyncio.Task[Any] | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def of(cls, loop: asyncio.AbstractEventLoop, threshold: float) -> LoopWatchdog:
        """The loop's watchdog (created on first use; ``threshold`` is the latest asked)."""
        dog = _watchdogs.get(loop)
        if dog is None:
            dog = _watchdogs[loop] = cls(loop, threshold)
        dog.threshold, dog._interval = threshold, threshold / 4
        return dog

    def watch(self, run: Watched) -> None:
        self._watched.append(run)
        if self._handle is None:
            self._last = time.monotonic()
            self._handle = self._loop.call_later(self._interval, self._beat)
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._guard, name="loop watchdog", daemon=True)
            self._thread.start()

    def unwatch(self, run: Watched) -> None:
        if run in self._watched:
            self._watched.remove(run)
        if not self._watched and self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _beat(self) -> None:
        now = time.monotonic()
        late = now - self._last - self._interval
        self._last = now
        suspect, self._suspect = self._suspect, None
        if late > self.threshold and suspect is not None:
            message = (
                f"task {suspect.get_name()!r} blocked the event loop for {late:.1f}s: a "
                "strategy called blocking code (time.sleep, a synchronous client) inside "
                "async code; await ctx.runtime.sleep() and the ctx.store calls instead"
            )
            for run in list(self._watched):
                if run.owns(suspect):
                    run.loop_blocked(message)
        self._handle = self._loop.call_later(self._interval, self._beat) if self._watched else None

    def _guard(self) -> None:
        """The thread: while runs are watched, look for a heartbeat that is overdue."""
        while not self._loop.is_closed():
            time.sleep(self._interval)
            if not self._watched or self._suspect is not None:
                continue
            overdue = time.monotonic() - self._last - self._interval
            if overdue <= self.threshold:
                continue
            task = asyncio.current_task(self._loop)  # the one holding the loop right now
            if task is None:
                continue
            self._suspect = task
            callback = self.on_blocked
            if callback is not None:
                callback(
                    f"task {task.get_name()!r} has blocked the event loop for {overdue:.1f}s "
                    "(a strategy calling blocking code); Ctrl+C stops the run"
                )
            if not self._watched:
                return
