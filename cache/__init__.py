"""The race engine: a simulated async cache, update strategies, a seeded scheduler on
virtual time, a recorded history and a stale-read oracle. No UI here, ever: the workbench
and scripts build on this package, and a test checks it never loads Textual or Rich.
"""

from __future__ import annotations

from cache.backends import Backend, BackendError, Delete, Set, SimBackend, Snapshot, TracedBackend
from cache.batch import BatchResult, RunSpec, derive_seed, drive, run_batch
from cache.errors import RunFailed
from cache.events import Event, Op, Phase, Source
from cache.history import History, Recorder
from cache.keys import KeySpace
from cache.latency import Latency
from cache.oracle import Anomaly, Oracle, StaleRead
from cache.scenarios import (
    ALL_CHANGES,
    Change,
    Scenario,
    StoryScenario,
    SustainedWorkload,
    parse_changes,
)
from cache.scheduler import Scheduler, Status
from cache.service import CacheService, StrategyFailed
from cache.simulation import Knobs, RunOutcome, Simulation
from cache.stats import Rate, wilson
from cache.strategies import (
    BUILTIN,
    Context,
    Read,
    Strategy,
    StrategyNotFound,
    UpdateAbandoned,
    load_strategy,
)

__all__ = [
    "ALL_CHANGES",
    "BUILTIN",
    "Anomaly",
    "Backend",
    "BackendError",
    "BatchResult",
    "CacheService",
    "Change",
    "Context",
    "Delete",
    "Event",
    "History",
    "KeySpace",
    "Knobs",
    "Latency",
    "Op",
    "Oracle",
    "Phase",
    "Rate",
    "Read",
    "Recorder",
    "RunFailed",
    "RunOutcome",
    "RunSpec",
    "Scenario",
    "Scheduler",
    "Set",
    "SimBackend",
    "Simulation",
    "Snapshot",
    "Source",
    "StaleRead",
    "Status",
    "StoryScenario",
    "Strategy",
    "StrategyFailed",
    "StrategyNotFound",
    "SustainedWorkload",
    "TracedBackend",
    "UpdateAbandoned",
    "derive_seed",
    "drive",
    "load_strategy",
    "parse_changes",
    "run_batch",
    "wilson",
]
