"""Where a batch's runs run: the simulator here, or a live Redis server (``cache.redis_run``).

A ``Target`` opens a ``Runner`` for the length of a batch (a server connection, say) and says
how to size the story for itself: the simulator replays the story on virtual time, while a
real server needs the story sized for real time (``cache.scenarios.live``). Both produce the
same ``RunOutcome`` per run, so one driver (``cache.batch.drive``) and every report work on
either.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # the app's first screen imports this module, not the engine
    from cache.batch import BatchResult, RunSpec
    from cache.scenarios.story import StoryScenario
    from cache.simulation import RunOutcome

__all__ = ["SIMULATOR", "Runner", "SimulatorTarget", "Target"]

# Adds run ``n``'s outcome, or (a ``BatchResult``) the runs from ``n`` that a worker measured.
AddOutcome = Callable[[int, "RunOutcome | BatchResult"], None]


class Runner(Protocol):
    """Runs some runs of a batch."""

    async def run(self, spec: RunSpec, seed: int, numbers: range, add: AddOutcome) -> None:
        """Run each of ``numbers`` (1-based) with its derived seed and ``add`` its outcome,
        in order. A run that fails raises ``RunFailed`` after the runs before it were added."""
        ...


class Target(Protocol):
    """The simulator, or one server."""

    kind: str  # "sim" or "redis", as results and JSON name it
    step: int  # runs per step, so progress and cancellation come often enough
    replayable: bool  # can a run be replayed from its seed alone?

    def describe(self) -> str:
        """Where, in a few words (never a password)."""
        ...

    def story(self, **sizes: Any) -> StoryScenario:
        """The story's test sized for this target (``sizes`` override its defaults)."""
        ...

    def open(self) -> AbstractAsyncContextManager[Runner]:
        """A runner for one batch; what it holds is released when the batch ends."""
        ...


class _SimulatorRunner:
    async def run(self, spec: RunSpec, seed: int, numbers: range, add: AddOutcome) -> None:
        from cache.batch import derive_seed
        from cache.interrupts import watching_sigint
        from cache.scheduler.budget import Budget

        budget = Budget.for_scenario(spec.scenario)
        latency = spec.knobs.latency()
        run = spec.run_verdict
        with watching_sigint():  # once for the step, not per run
            for number in numbers:
                add(number, run(derive_seed(seed, number), budget, latency))


class SimulatorTarget:
    """The simulated store on virtual time: deterministic, every run replayable."""

    kind = "sim"
    step = 250
    replayable = True

    def describe(self) -> str:
        return "simulator"

    def story(self, **sizes: Any) -> StoryScenario:
        from cache.scenarios.story import StoryScenario

        return StoryScenario(**sizes)

    @asynccontextmanager
    async def _open(self) -> AsyncIterator[Runner]:
        yield _SimulatorRunner()

    def open(self) -> AbstractAsyncContextManager[Runner]:
        return self._open()

    def __repr__(self) -> str:
        return "<SimulatorTarget>"


SIMULATOR = SimulatorTarget()
