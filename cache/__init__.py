"""The race engine: a simulated async cache, update strategies, a seeded scheduler on
virtual time, a recorded history and a stale-read oracle. No UI here, ever: the workbench
and scripts build on this package, and a test checks it never loads Textual or Rich.

The names below are imported on first use (PEP 562): ``import cache.errors`` (what the
command line does first) must not pay for the whole engine, nor for Redis.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cache.backends.base import Backend, BackendError, Delete, Set, Snapshot
    from cache.backends.memory import SimBackend
    from cache.backends.traced import TracedBackend
    from cache.batch import BatchResult, RunSpec, derive_seed, drive, run_batch
    from cache.errors import RunFailed
    from cache.events import Event, Op, Phase, Source
    from cache.history import History, Recorder
    from cache.keys import KeySpace
    from cache.latency import Latency
    from cache.oracle import Anomaly, Oracle, StaleRead
    from cache.scenarios.base import Scenario
    from cache.scenarios.changes import ALL_CHANGES, Change, parse_changes
    from cache.scenarios.story import StoryScenario
    from cache.scenarios.sustained import SustainedWorkload
    from cache.scheduler.core import Scheduler, Status
    from cache.service import CacheService, StrategyFailed
    from cache.simulation import Knobs, RunOutcome, Simulation
    from cache.stats import Rate, wilson
    from cache.strategies.base import Context, Read, Strategy, UpdateAbandoned
    from cache.strategies.registry import BUILTIN, StrategyNotFound, load_strategy

# Each public name, and the module that defines it (the same modules as the imports above).
_HOME = {
    **dict.fromkeys(
        ("Backend", "BackendError", "Delete", "Set", "Snapshot"), "cache.backends.base"
    ),
    "SimBackend": "cache.backends.memory",
    "TracedBackend": "cache.backends.traced",
    **dict.fromkeys(("BatchResult", "RunSpec", "derive_seed", "drive", "run_batch"), "cache.batch"),
    "RunFailed": "cache.errors",
    **dict.fromkeys(("Event", "Op", "Phase", "Source"), "cache.events"),
    **dict.fromkeys(("History", "Recorder"), "cache.history"),
    "KeySpace": "cache.keys",
    "Latency": "cache.latency",
    **dict.fromkeys(("Anomaly", "Oracle", "StaleRead"), "cache.oracle"),
    **dict.fromkeys(("ALL_CHANGES", "Change", "parse_changes"), "cache.scenarios.changes"),
    "Scenario": "cache.scenarios.base",
    "StoryScenario": "cache.scenarios.story",
    "SustainedWorkload": "cache.scenarios.sustained",
    **dict.fromkeys(("Scheduler", "Status"), "cache.scheduler.core"),
    **dict.fromkeys(("CacheService", "StrategyFailed"), "cache.service"),
    **dict.fromkeys(("Knobs", "RunOutcome", "Simulation"), "cache.simulation"),
    **dict.fromkeys(("Rate", "wilson"), "cache.stats"),
    **dict.fromkeys(("Context", "Read", "Strategy", "UpdateAbandoned"), "cache.strategies.base"),
    **dict.fromkeys(("BUILTIN", "StrategyNotFound", "load_strategy"), "cache.strategies.registry"),
}

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


def __getattr__(name: str) -> object:
    home = _HOME.get(name)
    if home is None:
        # Not a public name: ``from cache import watchdog`` then imports the submodule.
        raise AttributeError(f"module 'cache' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOME})
