"""One seeded run of a scenario against a strategy on the simulated server.

A ``Simulation`` can run to the end in one call (the batch runner) or a slice of virtual
time at a time (the live view, which advances it by wall-clock time every frame).

Whatever the strategy does, ``Simulation`` raises only ``RunFailed`` (a strategy that raised,
even ``SystemExit``; a deadlock; a run over its ``Budget``), or ``KeyboardInterrupt`` when
the user pressed Ctrl+C.
"""

from __future__ import annotations

from typing import NamedTuple

from cache.backends.memory import SimBackend
from cache.errors import RunFailed, StrategyFailed
from cache.interrupts import is_real_interrupt, watching_sigint
from cache.knobs import Knobs
from cache.latency import Latency
from cache.oracle import Anomaly, Oracle
from cache.scenarios.base import Scenario
from cache.scheduler.budget import Budget
from cache.scheduler.core import Scheduler, Status, TaskFailed
from cache.scheduler.policies import Policy
from cache.strategies.base import Strategy
from cache.strategies.registry import instantiate
from cache.verdict import VerdictRecorder
from cache.wiring import preload, wire

__all__ = ["Budget", "Knobs", "RunOutcome", "Simulation"]


class RunOutcome(NamedTuple):
    """What one run measured (``virtual_seconds``: a run's length on its own clock)."""

    failed: bool
    reads: int
    stale: int
    by_kind: dict[Anomaly, int]
    detected: int
    repaired: int
    abandoned: int
    virtual_seconds: float
    events: int
    lost_updates: int = 0  # increments that vanished (the counter race)

    @classmethod
    def of(cls, oracle: Oracle, abandoned: int, seconds: float, events: int) -> RunOutcome:
        # Positional: one of these is made per run of every batch.
        return cls(
            oracle.stale > 0 or oracle.lost > 0,
            oracle.reads,
            oracle.stale,
            dict(oracle.by_kind),
            oracle.detected,
            oracle.repaired,
            abandoned,
            seconds,
            events,
            oracle.lost,
        )


class Simulation:
    """A scheduler, a simulated server, a recorder and an oracle, wired for one run."""

    def __init__(
        self,
        scenario: Scenario,
        strategy: type[Strategy] | Strategy,
        seed: int,
        knobs: Knobs | None = None,
        *,
        policy: Policy | None = None,
        history_maxlen: int | None = None,
        keep_stale: int | None = None,
        budget: Budget | None = None,
        record: bool = True,
        latency: Latency | None = None,
    ) -> None:
        """``budget`` bounds the run (default: ``Budget.for_scenario``); a strategy class
        whose ``__init__`` raises is a ``StrategyFailed``. ``latency`` is ``knobs``'
        latency model, passed in by a batch that builds it once for all its runs."""
        knobs = knobs if knobs is not None else Knobs()
        self.scenario = scenario
        self.seed = seed
        self.knobs = knobs
        self.strategy = instantiate(strategy) if isinstance(strategy, type) else strategy
        self.budget = budget if budget is not None else Budget.for_scenario(scenario)
        self.scheduler = Scheduler(seed, policy, budget=self.budget)
        self.backend = SimBackend(
            self.scheduler, latency if latency is not None else knobs.latency()
        )
        self.history, self.oracle, self.recorder, self.cache = wire(
            scenario,
            self.strategy,
            knobs,
            self.scheduler,
            self.backend,
            history_maxlen=history_maxlen,
            keep_stale=keep_stale,
            record=record,
        )
        fixture = scenario.fixture()
        self.backend.data.update(fixture)
        preload(self.oracle, scenario, fixture)
        scenario.start(self.scheduler, self.cache, self.scheduler.rng)

    def run(self, until: float = float("inf")) -> Status:
        """Advance to ``until`` (virtual seconds) or to the end. A failure inside a task is
        re-raised as what it is (``StrategyFailed``, ``BackendError``, ...); anything else
        a task raised is a ``TaskFailed``, and the user's Ctrl+C a ``KeyboardInterrupt``."""
        with watching_sigint():
            return self.advance(until)

    def advance(self, until: float = float("inf")) -> Status:
        """``run`` without watching for Ctrl+C: for a caller that watches around many runs
        (a batch) or ignores Ctrl+C (a batch's worker process)."""
        try:
            return self.scheduler.run(until)
        except TaskFailed as failed:
            error = failed.error
            if isinstance(error, RunFailed) or is_real_interrupt(error):
                raise error from None
            if isinstance(error, (SystemExit, KeyboardInterrupt)):
                # Not from the strategy (CacheService would have said so), yet user
                # code: a scenario or a store method a user replaced.
                raise StrategyFailed(self.strategy.name, failed.task, error) from None
            raise
        except RunFailed:
            self.scheduler.close()
            raise

    @property
    def finished(self) -> bool:
        return self.scheduler.idle

    def now(self) -> float:
        return self.scheduler.now()

    def outcome(self) -> RunOutcome:
        recorder = self.recorder
        events = recorder.events if isinstance(recorder, VerdictRecorder) else self.history.total
        return RunOutcome.of(self.oracle, self.cache.abandoned, self.scheduler.now(), events)

    def close(self) -> None:
        self.scheduler.close()

    def __repr__(self) -> str:
        return (
            f"<Simulation {self.strategy.name} seed={self.seed} "
            f"t={self.scheduler.now() * 1000:.3f}ms events={self.history.total} {self.oracle!r}>"
        )
