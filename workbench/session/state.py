"""One session: the settings (and so the one seed), where batches run, what was found.

Everything a stage does goes through here, so the seed the user sets is the seed of the live
run, of every stage's batch, of each replay and of the exported test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cache.targets import SIMULATOR, Target
from workbench.session.casebook import Casebook
from workbench.session.journal import Journal, batch_entry
from workbench.session.settings import LiveSettings

if TYPE_CHECKING:  # the app's first screen makes a session, and runs nothing yet
    from cache.batch import BatchResult, Progress, RunSpec
    from cache.scenarios.story import StoryScenario
    from cache.simulation import Simulation

__all__ = ["Session"]


@dataclass
class Session:
    """The user's settings, where stage batches run, and the investigation's record."""

    settings: LiveSettings = field(default_factory=LiveSettings)
    target: Target = SIMULATOR
    casebook: Casebook = field(default_factory=Casebook)
    # What the learner did, appended here because every stage batch and replay passes by.
    journal: Journal = field(default_factory=Journal)

    @property
    def seed(self) -> int:
        return self.settings.seed

    def story(self, **sizes: Any) -> StoryScenario:
        """The story's test, sized for where batches run."""
        return self.target.story(**sizes)

    async def batch(
        self, spec: RunSpec, runs: int, progress: Progress | None = None, *, step: int | None = None
    ) -> BatchResult:
        """``runs`` runs of ``spec`` with the session's seed, where batches run."""
        from cache.batch import drive

        result = await drive(spec, runs, self.seed, self.target, progress=progress, step=step)
        self.journal.record("batch", **batch_entry(spec, result))
        return result

    def replay(self, spec: RunSpec, run: int) -> Simulation:
        """Run ``run`` of a batch of ``spec`` again, exactly (on the simulator)."""
        from cache.batch import derive_seed

        sim = spec.simulate(derive_seed(self.seed, run))
        sim.run()
        self.journal.record(
            "replay", run=run, seed=self.seed, strategy=spec.strategy.name, stale=sim.oracle.stale
        )
        return sim
