"""Wiring one run: recorder, oracle and cache service around a runtime and a store.

The simulator (``Simulation``) and a real server (``RedisRun``) differ only in the runtime
and the store they hand in; everything that records and judges is put together here, once,
so the two can never drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from cache.backends.base import Backend
from cache.backends.traced import TracedBackend
from cache.history import History, Recorder
from cache.knobs import Knobs
from cache.oracle import Oracle
from cache.runtime import Runtime
from cache.scenarios.base import Scenario
from cache.scenarios.changes import Change
from cache.service import CacheService
from cache.strategies.base import Context, Strategy
from cache.verdict import VerdictBackend, VerdictRecorder

__all__ = ["Wired", "preload", "wire"]


class Wired(NamedTuple):
    history: History
    oracle: Oracle
    recorder: Recorder
    cache: CacheService


def wire(
    scenario: Scenario,
    strategy: Strategy,
    knobs: Knobs,
    runtime: Runtime,
    store: Backend,
    *,
    history_maxlen: int | None = None,
    keep_stale: int | None = None,
    record: bool = True,
) -> Wired:
    """Everything a run records and judges, around ``runtime`` and ``store``. Without
    ``record`` only the oracle's verdicts are kept (``cache.verdict``): the history stays
    empty, and the recorder counts the events it would have held."""
    oracle = Oracle(keep=keep_stale)
    recorder: Recorder
    traced: TracedBackend
    if record:
        history = History(history_maxlen)
        recorder = Recorder(history, runtime.now, runtime.task_name, sink=oracle.feed)
        traced = TracedBackend(store, recorder)
    else:
        quiet = VerdictRecorder(oracle, runtime.now, runtime.task_name)
        history = quiet.history  # stays empty
        recorder, traced = quiet, VerdictBackend(store, quiet)
    ctx = Context(
        traced,
        runtime,
        scenario.keys,
        recorder,
        widen=knobs.widen_ms / 1000.0,
        lock_ttl=knobs.lock_ttl_ms / 1000.0,
        max_retries=knobs.max_retries,
        # A race scenario says how long turning a read into a cacheable value takes.
        load=float(getattr(scenario, "load_ms", 0.0)) / 1000.0,
    )
    # Without the async optimization every cache call blocks, as the old client's did.
    blocking = Change.ASYNC not in scenario.changes
    return Wired(history, oracle, recorder, CacheService(strategy, ctx, blocking=blocking))


def preload(oracle: Oracle, scenario: Scenario, fixture: Mapping[str, int]) -> None:
    """Tell the oracle what the primaries held before the run (that precedes every write)."""
    for key in scenario.keys.primaries:
        if key in fixture:
            oracle.preload(key, fixture[key])
