"""The deterministic scheduler: virtual time, seeded interleavings, pluggable choice."""

from __future__ import annotations

from cache.scheduler.core import (
    Cancelled,
    Deadlock,
    Scheduler,
    SimTask,
    Status,
    StepLimitExceeded,
    TaskFailed,
    WaitQueue,
)
from cache.scheduler.policies import (
    FifoPolicy,
    ManualPolicy,
    Policy,
    RandomPolicy,
    ReplayPolicy,
)

__all__ = [
    "Cancelled",
    "Deadlock",
    "FifoPolicy",
    "ManualPolicy",
    "Policy",
    "RandomPolicy",
    "ReplayPolicy",
    "Scheduler",
    "SimTask",
    "Status",
    "StepLimitExceeded",
    "TaskFailed",
    "WaitQueue",
]
