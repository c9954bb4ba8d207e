"""The live workload: a simulation advanced by wall-clock time, a frame at a time.

No Textual here. The app calls ``advance`` once per frame with the real time that passed;
the run moves its virtual clock by that much times ``speed``, but never spends more than a
CPU budget doing so, so the UI stays responsive however hard the workload pushes (when the
budget runs out the run simply falls behind real time, and says so).

Because the simulation is the same seeded one the batch runner uses, a live run is
reproducible too: same settings and seed, same interleaving.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from cache.backends.base import BackendError
from cache.scheduler.core import Deadlock, Status, StepLimitExceeded
from cache.service import StrategyFailed
from cache.simulation import Simulation
from cache.stats import Rate, wilson
from workbench.feed import Frame, FramePacker
from workbench.settings import LiveSettings

__all__ = ["LiveEngine", "LiveRun", "LiveState", "LiveStats", "RunStates", "snapshot"]

HISTORY_EVENTS = 50_000  # what the timeline and log may look back over
KEEP_STALE = 1_000  # stale reads kept for display; counts stay exact
SLICE = 0.002  # virtual seconds simulated between two looks at the clock
BUCKET = 0.25  # virtual seconds per point of the stale-rate sparkline
BUCKETS = 120


class LiveState(StrEnum):
    READY = "ready"
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class LiveStats:
    """A snapshot of what the live run measured, for the counter."""

    virtual_seconds: float
    events: int
    reads: int
    stale: int
    rate: Rate
    by_kind: dict[str, int]
    detected: int
    repaired: int
    behind: bool
    sparkline: tuple[float, ...]


def snapshot(
    sim: Simulation, *, behind: bool = False, sparkline: tuple[float, ...] = ()
) -> LiveStats:
    """What ``sim`` has measured so far (a live run, or a finished replay)."""
    oracle = sim.oracle
    return LiveStats(
        virtual_seconds=sim.now(),
        events=sim.history.total,
        reads=oracle.reads,
        stale=oracle.stale,
        rate=wilson(oracle.stale, oracle.reads),
        by_kind={kind.value: n for kind, n in sorted(oracle.by_kind.items())},
        detected=oracle.detected,
        repaired=oracle.repaired,
        behind=behind,
        sparkline=sparkline,
    )


class LiveEngine(Protocol):
    """What the live view drives: a run here (``LiveRun``) or in another process
    (``workbench.remote.RemoteLiveRun``)."""

    settings: LiveSettings
    speed: float
    state: LiveState
    error: str | None

    def frame(self) -> Frame | None:
        """What the screen should add since the last call (``None``: nothing new)."""
        ...

    def start(self) -> bool: ...

    def pause(self) -> bool: ...

    def toggle(self) -> LiveState: ...

    def stop(self) -> bool: ...

    def reset(self, settings: LiveSettings | None = None) -> None: ...

    def advance(self, wall_seconds: float, budget: float = 0.008) -> None: ...

    def advance_virtual(self, seconds: float) -> None: ...

    def stats(self) -> LiveStats: ...

    def close(self) -> None: ...


class RunStates:
    """The live run's state machine, shared by a run here and one in another process;
    ``_entered`` is where each does what a new state means for it."""

    state: LiveState

    def _entered(self, state: LiveState) -> None:
        """Called after every change of state."""

    def _move(self, allowed: tuple[LiveState, ...], to: LiveState) -> bool:
        if self.state not in allowed:
            return False
        self.state = to
        self._entered(to)
        return True

    def start(self) -> bool:
        """Start (from ready) or resume (from paused)."""
        return self._move((LiveState.READY, LiveState.PAUSED), LiveState.RUNNING)

    def pause(self) -> bool:
        return self._move((LiveState.RUNNING,), LiveState.PAUSED)

    def toggle(self) -> LiveState:
        """Space bar: start, pause or resume, whichever makes sense."""
        if not self.pause():
            self.start()
        return self.state

    def stop(self) -> bool:
        """End the run for good, keeping everything it measured (reset starts anew)."""
        alive = (LiveState.RUNNING, LiveState.PAUSED, LiveState.READY)
        return self._move(alive, LiveState.STOPPED)


class LiveRun(RunStates):
    """Owns one live simulation and its state machine (ready, running, paused, stopped)."""

    def __init__(self, settings: LiveSettings) -> None:
        self.settings = settings
        self.speed = settings.speed
        self.state = LiveState.READY
        self.error: str | None = None
        self.behind = False
        self.sim = self._build()
        self._cursor = 0
        self._packer = FramePacker(self.sim.oracle.verdict)
        self._bucket_end = BUCKET
        self._bucket_reads = 0
        self._bucket_stale = 0
        self._rates: deque[float] = deque(maxlen=BUCKETS)

    def _build(self) -> Simulation:
        s = self.settings
        return Simulation(
            s.workload(),
            s.strategy,
            s.seed,
            s.knobs(),
            history_maxlen=HISTORY_EVENTS,
            keep_stale=KEEP_STALE,
        )

    def _entered(self, state: LiveState) -> None:
        if state is LiveState.STOPPED:
            self.sim.close()

    def reset(self, settings: LiveSettings | None = None) -> None:
        """A fresh run with ``settings`` (or the same ones), ready to start."""
        self.sim.close()
        if settings is not None:
            self.settings = settings
            self.speed = settings.speed
        self.state = LiveState.READY
        self.error = None
        self.behind = False
        self.sim = self._build()
        self._cursor = 0
        self._packer = FramePacker(self.sim.oracle.verdict)
        self._bucket_end = BUCKET
        self._bucket_reads = self._bucket_stale = 0
        self._rates.clear()

    # -- running -----------------------------------------------------------------------------

    def advance(self, wall_seconds: float, budget: float = 0.008) -> None:
        """Move the run forward by ``wall_seconds`` of real time at ``speed``, spending at
        most ``budget`` seconds of CPU. A failure inside the run (a strategy that raised)
        moves it to FAILED with ``error`` set; nothing is raised to the caller."""
        if self.state is not LiveState.RUNNING:
            return
        sim = self.sim
        target = sim.now() + max(wall_seconds, 0.0) * self.speed
        began = time.perf_counter()
        self.behind = False
        try:
            while sim.now() < target:
                status = sim.run(until=min(target, sim.now() + SLICE))
                self._sample()
                if status is Status.IDLE:
                    self.state = LiveState.STOPPED
                    return
                if time.perf_counter() - began > budget:
                    self.behind = True
                    return
        except (StrategyFailed, Deadlock, StepLimitExceeded, BackendError) as error:
            self.state = LiveState.FAILED
            self.error = str(error)
            sim.close()

    def _sample(self) -> None:
        """Close sparkline buckets the virtual clock has passed."""
        now = self.sim.now()
        if now < self._bucket_end:
            return
        oracle = self.sim.oracle
        reads = oracle.reads - self._bucket_reads
        stale = oracle.stale - self._bucket_stale
        self._rates.append(stale / reads if reads else 0.0)
        self._bucket_reads, self._bucket_stale = oracle.reads, oracle.stale
        while self._bucket_end <= now:
            self._bucket_end += BUCKET

    def stats(self) -> LiveStats:
        return snapshot(self.sim, behind=self.behind, sparkline=tuple(self._rates))

    # -- what the live view reads (the same for a run in another process) ---------------------

    def frame(self) -> Frame | None:
        batch = self.sim.history.since(self._cursor)
        self._cursor = batch.cursor
        if not batch.events:
            return None
        return self._packer.pack(batch.events)

    def advance_virtual(self, seconds: float) -> None:
        """Run ``seconds`` of virtual time at once, then pause: deterministic, for tests and
        screenshots."""
        self.start()
        self.advance(seconds / self.speed, budget=float("inf"))
        self.pause()

    def close(self) -> None:
        self.sim.close()

    def __repr__(self) -> str:
        return (
            f"<LiveRun {self.settings.strategy.name} {self.state.value} "
            f"t={self.sim.now():.3f}s speed={self.speed:g}x events={self.sim.history.total}>"
        )
