"""The live workload: a simulation advanced by wall-clock time, a frame at a time.

No Textual here. Its owner (the child process of ``workbench.session.child``) calls ``step``
once per tick with the real time that passed; the run moves its virtual clock by that much
times ``speed``, but never spends more than a CPU budget doing so, so whoever waits on it
stays responsive however hard the workload pushes (when the budget runs out the run simply
falls behind real time, and says so).

Because the simulation is the same seeded one the batch runner uses, a live run is
reproducible too: same settings and seed, same interleaving.
"""

from __future__ import annotations

import time
from collections import deque
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple, Protocol

from cache.errors import RunFailed
from cache.scheduler.tasks import Status
from cache.stats import Rate, wilson
from workbench.session.feed import Frame, FramePacker
from workbench.session.settings import LiveSettings

if TYPE_CHECKING:  # the app's first screen imports this module; a run builds the engine
    from cache.simulation import Simulation

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


class LiveStats(NamedTuple):
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
    """What the live view drives: a live run in a child process
    (``workbench.session.child.LiveProcess``)."""

    settings: LiveSettings
    speed: float
    state: LiveState
    error: str | None

    def poll(self) -> None:
        """Take what the run reported since the last call (it keeps its own time)."""
        ...

    def frame(self) -> Frame | None:
        """What the screen should add since the last call (``None``: nothing new)."""
        ...

    def fileno(self) -> int | None:
        """A descriptor that becomes readable when the run has sent something to ``poll``
        (``None``: there is nothing to watch, the screen polls on its frame timer)."""
        ...

    def stats(self) -> LiveStats:
        """The counter's figures, for exactly the events ``frame`` has handed out."""
        ...

    def start(self) -> bool: ...

    def pause(self) -> bool: ...

    def toggle(self) -> LiveState: ...

    def stop(self) -> bool: ...

    def reset(self, settings: LiveSettings | None = None) -> None: ...

    def run_for(self, seconds: float) -> None:
        """Run ``seconds`` of virtual time at once, then pause (deterministic)."""
        ...

    def close(self) -> None: ...


# Which states each state may be entered from. READY is a reset: from anywhere.
_FROM: dict[LiveState, tuple[LiveState, ...]] = {
    LiveState.READY: tuple(LiveState),
    LiveState.RUNNING: (LiveState.READY, LiveState.PAUSED),
    LiveState.PAUSED: (LiveState.RUNNING,),
    LiveState.STOPPED: (LiveState.READY, LiveState.RUNNING, LiveState.PAUSED),
    # A stop that the run could not carry out (it did not answer) is a failure too.
    LiveState.FAILED: (LiveState.READY, LiveState.RUNNING, LiveState.PAUSED, LiveState.STOPPED),
}


class RunStates:
    """The live run's state machine, shared by the run and its proxy in the app's process:
    ``_move`` is the only way ``state`` changes, and ``_entered`` is where each does what a
    new state means for it."""

    state: LiveState = LiveState.READY
    error: str | None = None

    def _entered(self, state: LiveState) -> None:
        """Called after a change of state that this side asked for."""

    def _move(self, to: LiveState, *, error: str | None = None, mirror: bool = False) -> bool:
        """Enter ``to`` if the current state allows it. ``mirror``: the run already did
        (the proxy follows its child), so there is nothing to carry out."""
        if self.state not in _FROM[to] or (to is self.state and to is not LiveState.READY):
            return False
        self.state = to
        self.error = error
        if not mirror:
            self._entered(to)
        return True

    def start(self) -> bool:
        """Start (from ready) or resume (from paused)."""
        return self._move(LiveState.RUNNING)

    def pause(self) -> bool:
        return self._move(LiveState.PAUSED)

    def toggle(self) -> LiveState:
        """Space bar: start, pause or resume, whichever makes sense."""
        if not self.pause():
            self.start()
        return self.state

    def stop(self) -> bool:
        """End the run for good, keeping everything it measured (reset starts anew)."""
        return self._move(LiveState.STOPPED)

    def fail(self, error: str, *, mirror: bool = False) -> bool:
        return self._move(LiveState.FAILED, error=error, mirror=mirror)


class LiveRun(RunStates):
    """Owns one live simulation and its state machine (ready, running, paused, stopped)."""

    def __init__(self, settings: LiveSettings) -> None:
        self.settings = settings
        self.speed = settings.speed
        self.behind = False
        self.simulation = self._build()
        self._cursor = 0
        self._packer = FramePacker(self.simulation.oracle.verdict)
        self._bucket_end = BUCKET
        self._bucket_reads = 0
        self._bucket_stale = 0
        self._rates: deque[float] = deque(maxlen=BUCKETS)

    def _build(self) -> Simulation:
        from cache.simulation import Simulation

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
        if state in (LiveState.STOPPED, LiveState.FAILED):
            self.simulation.close()

    def reset(self, settings: LiveSettings | None = None) -> None:
        """A fresh run with ``settings`` (or the same ones), ready to start."""
        self.simulation.close()
        if settings is not None:
            self.settings = settings
            self.speed = settings.speed
        self._move(LiveState.READY)
        self.behind = False
        self.simulation = self._build()
        self._cursor = 0
        self._packer = FramePacker(self.simulation.oracle.verdict)
        self._bucket_end = BUCKET
        self._bucket_reads = self._bucket_stale = 0
        self._rates.clear()

    # -- running -----------------------------------------------------------------------------

    def step(self, wall_seconds: float, budget: float = 0.008) -> None:
        """Simulate ``wall_seconds`` of real time at ``speed``, spending at most ``budget``
        seconds of CPU. A failure inside the run (a strategy that raised) moves it to
        FAILED with ``error`` set; nothing is raised to the caller."""
        if self.state is not LiveState.RUNNING:
            return
        sim = self.simulation
        target = sim.now() + max(wall_seconds, 0.0) * self.speed
        began = time.perf_counter()
        self.behind = False
        try:
            while sim.now() < target:
                status = sim.run(until=min(target, sim.now() + SLICE))
                self._sample()
                if status is Status.IDLE:
                    self.stop()
                    return
                if time.perf_counter() - began > budget:
                    self.behind = True
                    return
        except RunFailed as error:
            self.fail(str(error))

    def _sample(self) -> None:
        """Close sparkline buckets the virtual clock has passed."""
        now = self.simulation.now()
        if now < self._bucket_end:
            return
        oracle = self.simulation.oracle
        reads = oracle.reads - self._bucket_reads
        stale = oracle.stale - self._bucket_stale
        self._rates.append(stale / reads if reads else 0.0)
        self._bucket_reads, self._bucket_stale = oracle.reads, oracle.stale
        while self._bucket_end <= now:
            self._bucket_end += BUCKET

    def stats(self) -> LiveStats:
        return snapshot(self.simulation, behind=self.behind, sparkline=tuple(self._rates))

    def frame(self) -> Frame | None:
        """The events recorded since the last call, digested for the screen."""
        batch = self.simulation.history.since(self._cursor)
        self._cursor = batch.cursor
        if not batch.events:
            return None
        return self._packer.pack(batch.events)

    def run_for(self, seconds: float) -> None:
        """Run ``seconds`` of virtual time at once, then pause: deterministic, for tests and
        screenshots."""
        self.start()
        self.step(seconds / self.speed, budget=float("inf"))
        self.pause()

    def close(self) -> None:
        self.simulation.close()

    def __repr__(self) -> str:
        sim = self.simulation
        return (
            f"<LiveRun {self.settings.strategy.name} {self.state.value} "
            f"t={sim.now():.3f}s speed={self.speed:g}x events={sim.history.total}>"
        )
