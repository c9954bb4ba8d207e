"""The deterministic scheduler: virtual time, seeded interleavings, pluggable choice.

Each name loads its module on first use (``cache.lazy``), so ``cache.scheduler.budget`` comes
without the scheduler itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cache.lazy import exports

if TYPE_CHECKING:
    from cache.scheduler.core import Cancelled as Cancelled
    from cache.scheduler.core import Deadlock as Deadlock
    from cache.scheduler.core import Scheduler as Scheduler
    from cache.scheduler.core import SimTask as SimTask
    from cache.scheduler.core import Status as Status
    from cache.scheduler.core import StepLimitExceeded as StepLimitExceeded
    from cache.scheduler.core import TaskFailed as TaskFailed
    from cache.scheduler.core import WaitQueue as WaitQueue
    from cache.scheduler.policies import FifoPolicy as FifoPolicy
    from cache.scheduler.policies import ManualPolicy as ManualPolicy
    from cache.scheduler.policies import Policy as Policy
    from cache.scheduler.policies import RandomPolicy as RandomPolicy
    from cache.scheduler.policies import ReplayPolicy as ReplayPolicy

__getattr__, __dir__ = exports(
    __name__,
    {
        "cache.scheduler.core": (
            "Cancelled",
            "Deadlock",
            "Scheduler",
            "SimTask",
            "Status",
            "StepLimitExceeded",
            "TaskFailed",
            "WaitQueue",
        ),
        "cache.scheduler.policies": (
            "FifoPolicy",
            "ManualPolicy",
            "Policy",
            "RandomPolicy",
            "ReplayPolicy",
        ),
    },
)
