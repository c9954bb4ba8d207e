"""What strategies and workloads may ask of the world they run in.

Two worlds implement it: the seeded simulator (``cache.scheduler.core.Scheduler``, virtual time,
every interleaving chosen) and a real asyncio event loop talking to a real server (real time,
interleavings chosen by the network). Code written against ``Runtime`` and ``Backend`` runs in
both, which is how the same strategy is proven in simulation and on Redis.
"""

from __future__ import annotations

from collections.abc import Awaitable, Coroutine
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

__all__ = ["Runtime", "TaskHandle"]


class TaskHandle(Protocol):
    """A task started by ``Runtime.spawn``."""

    @property
    def name(self) -> str: ...

    @property
    def done(self) -> bool: ...


class Runtime(Protocol):
    """Time, tasks and mutual exclusion, as the code under test sees them."""

    def now(self) -> float:
        """Seconds since the run began (virtual or real)."""
        ...

    def sleep(self, seconds: float) -> Awaitable[None]:
        """Suspend the calling task for ``seconds``; a scheduling point."""
        ...

    def checkpoint(self) -> Awaitable[None]:
        """A scheduling point that takes no time: another ready task may run first."""
        ...

    def task_name(self) -> str:
        """The name of the task that is running now."""
        ...

    def blocking(self) -> AbstractAsyncContextManager[None]:
        """While held, no other task of this program runs: the world before async/await,
        where a synchronous cache call blocked everything until it returned."""
        ...

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> TaskHandle:
        """Start ``coro`` as a concurrent task."""
        ...

    def join(self, task: TaskHandle) -> Awaitable[None]:
        """Wait until ``task`` has finished."""
        ...
