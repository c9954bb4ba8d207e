"""One run of a batch, again: exactly on the simulator, as a fresh live run on Redis."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from cache.batch import RunSpec, derive_seed
from cache.history import History
from cache.oracle import Oracle, judge
from cache.scenarios.changes import format_changes
from cache.targets import SIMULATOR, Target
from workbench.session.request import RunRequest

__all__ = ["Replayed", "replay_run"]


@dataclass(frozen=True, slots=True)
class Replayed:
    """A finished run: what happened, and the oracle's verdicts on it."""

    request: RunRequest
    spec: RunSpec
    seed: int
    run: int
    backend: str
    history: History
    oracle: Oracle
    title: str
    note: str = ""

    def to_json(self) -> dict[str, object]:
        request = self.request
        return {
            "strategy": self.spec.strategy.name,
            "workload": request.workload,
            "scenario": self.spec.scenario.describe(),
            "seed": self.seed,
            "run": self.run,
            "run_seed": derive_seed(self.seed, self.run),
            "widen_ms": request.widen_ms,
            "changes": format_changes(request.changes),
            "backend": self.backend,
            "fixture": dict(self.spec.scenario.fixture()),
            "events": [event.to_dict() for event in self.history],
            "reads": self.oracle.reads,
            "read_verdicts": [v.to_dict() for v in judge(self.history, self.oracle.fixture)],
            "stale_reads": [v.to_dict() for v in self.oracle.stale_reads],
        }


def replay_run(request: RunRequest, seed: int, run: int, target: Target = SIMULATOR) -> Replayed:
    """Run ``run`` of the batch with base seed ``seed``; raises ``RunFailed`` if it fails."""
    spec = request.spec(target)
    run_seed = derive_seed(seed, run)
    if target.kind == "sim":
        sim = spec.simulate(run_seed)
        sim.run()
        return Replayed(
            request, spec, seed, run, "sim", sim.history, sim.oracle, f"# replay of run {run}"
        )
    from cache.redis_run import RedisServerTarget

    assert isinstance(target, RedisServerTarget)
    live = asyncio.run(target.run_once(spec, run_seed))
    return Replayed(
        request,
        spec,
        seed,
        run,
        target.kind,
        live.history,
        live.oracle,
        f"# one live run on {target.describe()} with run {run}'s seed",
        "# not a deterministic replay: the seed fixes when each task starts; "
        "the event loop and the network chose this interleaving",
    )
