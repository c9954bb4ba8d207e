"""You are the scheduler: the story's race, one step at a time, with the learner choosing
which task moves next (the way The Deadlock Empire teaches).

The scenario is the story's test cut to its bones: one update of ``user:123`` to v1 and one
read, no background traffic, no closing read. The scheduler runs with unbounded skew and a
``ManualPolicy``, so every step is the learner's choice and any interleaving is reachable,
whatever the drawn timings. A step runs a task until its next store round trip starts:
stepping a task *completes* the round trip it is waiting on.

Undo replays the choices made so far minus the last, from the same seed: the run is a pure
function of its choices, so that is exact.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cache.events import Event, Op, Phase
from cache.explore.spec import ExploreSpec
from cache.knobs import Knobs
from cache.scenarios.changes import Change
from cache.scenarios.story import StoryScenario
from cache.scheduler.core import Status
from cache.scheduler.policies import ManualPolicy
from cache.simulation import Simulation
from cache.verdicts import StaleRead
from cache.witness import Witness, witness_of

__all__ = ["ByHand", "TaskView", "story_by_hand"]


@dataclass(frozen=True, slots=True)
class TaskView:
    """One task the learner may step: its name and what stepping it will do."""

    name: str
    next_op: str


def story_by_hand(strategy: str = "naive-async", widen_ms: float = 0.0) -> ExploreSpec:
    """The story's race for stepping by hand: one update, one read, nothing else."""
    scenario = StoryScenario(readers=1, changes=frozenset({Change.ASYNC}), final_read=False)
    return ExploreSpec(strategy, scenario, Knobs(widen_ms=widen_ms), skew_ms=None)


class ByHand:
    """A run whose every step the caller picks by task name (``step``), with ``undo``."""

    def __init__(self, spec: ExploreSpec | None = None, seed: int = 1) -> None:
        self.spec = spec if spec is not None else story_by_hand()
        self.seed = seed
        self.choices: list[str] = []
        self.sim = self._start()

    def _start(self) -> Simulation:
        sim = self.spec.simulate(self.seed, ManualPolicy())
        self._advance(sim)
        return sim

    def _advance(self, sim: Simulation) -> None:
        """Run until a real choice is pending: a lone candidate is not a choice, and the
        test's own bookkeeping task is stepped without asking."""
        scheduler = sim.scheduler
        while sim.run() is Status.AWAITING_CHOICE:
            candidates = scheduler.candidates()
            if len(candidates) > 1 and any(t.name != "test" for t in candidates):
                names = [t.name for t in candidates]
                if "test" not in names:
                    return
                scheduler.choose(names.index("test"))
                continue
            scheduler.choose(0)

    # -- what the learner sees ----------------------------------------------------------------

    @property
    def finished(self) -> bool:
        return self.sim.finished

    def tasks(self) -> list[TaskView]:
        """The tasks that may take the next step, each with what that step will do."""
        if self.finished:
            return []
        return [TaskView(t.name, self._next_op(t.name)) for t in self.sim.scheduler.candidates()]

    def cache(self) -> Mapping[str, int]:
        """What the simulated store holds now, key by key."""
        return dict(sorted(self.sim.backend.data.items()))

    @property
    def history(self) -> list[Event]:
        return list(self.sim.history)

    @property
    def stale(self) -> list[StaleRead]:
        return list(self.sim.oracle.stale_reads)

    def reads(self) -> list[tuple[str, int | None, bool]]:
        """Each finished read: task, the version it returned, and whether it was stale."""
        stale_spans = {s.read.span for s in self.sim.oracle.stale_reads}
        return [
            (e.task, e.version, e.span in stale_spans)
            for e in self.sim.history
            if e.op is Op.GET and e.phase is Phase.COMPLETE
        ]

    def witness(self) -> Witness | None:
        stale = self.stale
        if not stale:
            return None
        return witness_of(stale[0], self.sim.oracle.fixture, self.sim.history)

    def _next_op(self, task: str) -> str:
        """The innermost call the task is waiting in: stepping it completes that call."""
        open_spans: dict[int, Event] = {}
        for event in self.sim.history:
            if event.task != task:
                continue
            if event.phase is Phase.START:
                open_spans[event.span] = event
            else:
                open_spans.pop(event.span, None)
        if not open_spans:
            if not any(e.task == task for e in self.sim.history) and task not in self.choices:
                return "wake up: its start time arrives"
            return "call getCache (the read starts)" if task.startswith("reader") else (
                "call updateCache (the update starts)")
        inner = max(open_spans.values(), key=lambda e: e.seq)
        what = {
            Op.SET: f"finish cache.set {inner.key} = v{inner.version} (acknowledged)",
            Op.DELETE: f"finish invalidating {inner.key}",
            Op.READ: f"finish reading {inner.key} and its related entries",
            Op.DELAY: "finish the widened pause",
        }
        return what.get(inner.op, f"finish {inner.op.value} {inner.key}")

    # -- what the learner does ----------------------------------------------------------------

    def step(self, task: str) -> None:
        """Let ``task`` take the next step; ``ValueError`` if it cannot move now."""
        names = [t.name for t in self.sim.scheduler.candidates()]
        if self.finished or task not in names:
            can = ", ".join(names) if names and not self.finished else "none: the run is over"
            raise ValueError(f"{task} cannot take the next step (can: {can})")
        self.sim.scheduler.choose(names.index(task))
        self.choices.append(task)
        self._advance(self.sim)

    def play(self, choices: Sequence[str]) -> None:
        for task in choices:
            self.step(task)

    def undo(self) -> bool:
        """Take back the last step (False if there is none): replay the others afresh."""
        if not self.choices:
            return False
        kept = self.choices[:-1]
        self.sim.close()
        self.choices = []
        self.sim = self._start()
        self.play(kept)
        return True

    def reset(self) -> None:
        self.sim.close()
        self.choices = []
        self.sim = self._start()

    def close(self) -> None:
        """End the run's tasks, even those that never started."""
        self.sim.close()
