"""A learner working one challenge: the same journal as the walkthrough, the pack's stages
and goals judged over it, and the actions a learner (or a reference solution) takes.

The actions are the engine's own: a batch of the deployed code or of a fix (on the
simulator, seeded with the challenge's seed), a replay of a failing run, and selecting its
anomaly. ``measure`` and ``record_batch`` are apart so a front end can measure off its event
loop and record on it; ``do`` is both, for headless replays of a solution.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cache.batch import BatchResult, RunSpec, derive_seed, run_batch
from cache.knobs import Knobs
from cache.scenarios.changes import parse_changes
from cache.scenarios.registry import scenario_named
from cache.scenarios.story import StoryScenario
from cache.simulation import Simulation
from cache.strategies.registry import ALL_STRATEGIES
from cache.verdicts import LostUpdate, StaleRead
from workbench.session import progress
from workbench.session.checkpoints import CHECKPOINTS, Outcome, Verdict
from workbench.session.journal import Entry, Journal, batch_entry
from workbench.session.packs import DEPLOYED, Action, Challenge, Stage

__all__ = ["ACTION_KINDS", "SAVE_VERSION", "ChallengeRun", "Picked"]

SAVE_VERSION = 1
# What counts against par: things done to the system, not asking for help or answering.
ACTION_KINDS = ("batch", "replay", "stale_selected")


@dataclass(frozen=True, slots=True)
class Picked:
    """The anomaly selected in the replayed run, in words."""

    kind: str
    task: str
    lines: tuple[str, ...]


def goal_key(stage: Stage, index: int) -> str:
    return f"{stage.id}/{index}"


class ChallengeRun:
    """One learner's progress on ``challenge``, kept from the journal (saved if ``save_to``)."""

    def __init__(
        self, challenge: Challenge, pack: str = "", *, save_to: Path | None = None,
        journal: Journal | None = None,
    ) -> None:
        self.challenge = challenge
        self.pack = pack
        self.journal = journal if journal is not None else Journal()
        self.save_to = save_to
        self.passed: dict[str, dict[str, float]] = {}  # goal key -> {"at", "entry"}
        self.outcomes: dict[str, Outcome] = {}
        self.replayed: Simulation | None = None
        self.listeners: list[Callable[[], None]] = []
        self.started = time.time()
        self.journal.listeners.append(self._heard)
        self.evaluate()

    # -- the actions ----------------------------------------------------------------------------

    def spec(self, action: Action) -> RunSpec:
        c = self.challenge
        name = c.cause if action.strategy == DEPLOYED else action.strategy
        if name != c.cause and name not in c.strategies:
            raise ValueError(f"this challenge offers {', '.join(c.strategies)}, not {name!r}")
        if c.scenario == "story":
            scenario: Any = StoryScenario(changes=parse_changes(action.changes))
        else:
            scenario = scenario_named(c.scenario)
        return RunSpec(scenario, ALL_STRATEGIES[name], Knobs(widen_ms=action.widen_ms))

    def measure(self, action: Action) -> tuple[RunSpec, BatchResult]:
        """Run a batch (no record: call ``record_batch``); ``ValueError`` for a bad one."""
        spec = self.spec(action)
        return spec, run_batch(spec, action.runs, self.challenge.seed)

    def record_batch(self, spec: RunSpec, result: BatchResult) -> None:
        self.journal.record("batch", **batch_entry(spec, result))

    def replay(self) -> str:
        """Replay the first failing run of the latest batch that failed; "" or why not."""
        failing = [b for b in self.journal.of("batch") if b["failed_runs"]]
        if not failing:
            return "No failing run yet: run a batch of the deployed code first."
        batch = failing[-1]
        strategy = DEPLOYED if batch["strategy"] == self.challenge.cause else batch["strategy"]
        action = Action("batch", strategy, 1, float(batch["widen_ms"]),
                        ",".join(batch["changes"]) or "none")
        run = int(batch["failed_runs"][0])
        sim = self.spec(action).simulate(derive_seed(self.challenge.seed, run))
        sim.run()
        self.replayed = sim
        self.journal.record("replay", run=run, seed=self.challenge.seed,
                            strategy=batch["strategy"],
                            stale=sim.oracle.stale + sim.oracle.lost)
        return ""

    def select(self) -> Picked | None:
        """Select the replayed run's first anomaly (None: nothing to select)."""
        sim = self.replayed
        if sim is None:
            return None
        picked = anomaly_of(sim)
        if picked is not None:
            self.journal.record("stale_selected", where="replay", task=picked.task,
                                kind=picked.kind)
        return picked

    def start(self) -> None:
        """Set the scene: the pack's setup actions, on a journal with nothing in it yet."""
        if not self.journal.entries:
            for action in self.challenge.setup:
                self.do(action)

    def do(self, action: Action) -> str:
        """Take ``action`` headlessly; "" or one line saying why it could not be done."""
        if action.do == "batch":
            self.record_batch(*self.measure(action))
            return ""
        if action.do == "replay":
            return self.replay()
        return "" if self.select() is not None else "Nothing to select: replay a failing run."

    # -- progress -------------------------------------------------------------------------------

    def goal_outcome(self, stage: Stage, index: int) -> Outcome:
        key = goal_key(stage, index)
        if key in self.passed:
            return Outcome(Verdict.PASS, self.outcomes.get(key, Outcome(Verdict.PASS, "")).reason)
        return self.outcomes.get(key, Outcome(Verdict.UNKNOWN, ""))

    def evaluate(self) -> None:
        at, index = self.journal.now(), len(self.journal) - 1
        for stage in self.challenge.stages:
            for i, goal in enumerate(stage.goals):
                key = goal_key(stage, i)
                outcome = CHECKPOINTS[goal.id].check(self.journal, self.challenge.params(goal))
                self.outcomes[key] = outcome
                if outcome.verdict is Verdict.PASS and key not in self.passed:
                    self.passed[key] = {"at": round(at, 3), "entry": index}

    def done(self, stage: Stage) -> bool:
        return all(goal_key(stage, i) in self.passed for i in range(len(stage.goals)))

    def done_at(self, stage: Stage) -> float | None:
        if not self.done(stage):
            return None
        return max(self.passed[goal_key(stage, i)]["at"] for i in range(len(stage.goals)))

    @property
    def current(self) -> Stage | None:
        return next((s for s in self.challenge.stages if not self.done(s)), None)

    def revealed(self) -> list[str]:
        return list(dict.fromkeys(d["step"] for d in self.journal.of("revealed")))

    def hints_used(self, sid: str | None = None) -> int:
        return sum(1 for d in self.journal.of("hint") if sid is None or d["step"] == sid)

    def actions(self) -> int:
        done = sum(1 for e in self.journal if e.kind in ACTION_KINDS)
        return max(0, done - len(self.challenge.setup))

    def diagnosis(self) -> dict[str, Any] | None:
        answers = self.journal.of("diagnosis")
        return answers[-1] if answers else None

    def _heard(self, entry: Entry) -> None:
        self.evaluate()
        self.save()
        for listener in list(self.listeners):
            listener()

    # -- help and the answer --------------------------------------------------------------------

    def hint(self) -> str:
        stage = self.current
        if stage is None or not stage.hints:
            return "No hint here."
        tier = min(len(stage.hints) - 1, self.hints_used(stage.id))
        self.journal.record("hint", step=stage.id, tier=tier + 1)
        return stage.hints[tier]

    def reveal(self) -> list[str]:
        """Do the current stage's ``show_me`` for the learner (it then scores nothing)."""
        stage = self.current
        if stage is None:
            return ["Every stage is done."]
        self.journal.record("revealed", step=stage.id)
        return [why for why in (self.do(a) for a in stage.show_me) if why]

    def diagnose(self, change: str, window: str, fix: str) -> None:
        """Submit the diagnosis: one candidate id per part; ``ValueError`` for an unknown id."""
        picked = {"change": change, "window": window, "fix": fix}
        for part, cid in picked.items():
            if cid not in {c.id for c in self.challenge.diagnosis[part]}:
                raise ValueError(f"{cid!r} is not one of the {part} candidates")
        self.journal.record("diagnosis", **picked)

    # -- saving ---------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": SAVE_VERSION,
            "challenge": self.challenge.id,
            **progress.journal_fields(self.journal),
            "passed": self.passed,
        }

    def save(self) -> None:
        progress.save(self.save_to, self.to_dict())

    def resume(self) -> bool:
        """Load saved progress (False if none, or saved for another challenge)."""
        raw = progress.load(self.save_to)
        if raw is None:
            return False
        if raw.get("version") != SAVE_VERSION or raw.get("challenge") != self.challenge.id:
            return False
        try:
            progress.restore_journal(self.journal, raw)
            self.passed = {str(k): dict(v) for k, v in raw["passed"].items()}
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"cannot resume from {self.save_to}: {error}") from None
        self.evaluate()
        return True


def anomaly_of(sim: Simulation) -> Picked | None:
    """The run's first stale read (with its minimal witness) or lost update, in words."""
    from cache.witness import witness_of

    stale: list[StaleRead] = list(sim.oracle.stale_reads)
    if stale:
        witness = witness_of(stale[0], sim.oracle.fixture, sim.history)
        return Picked(stale[0].kind.value, stale[0].read.task, tuple(witness.lines()))
    lost: list[LostUpdate] = list(sim.oracle.lost_updates)
    if lost:
        first, second = lost[0].first, lost[0].second
        lines = (
            f"1. [{first.start * 1000:9.3f}ms] {first.task} reads {first.key} = "
            f"{first.wrote - 1}",
            f"2. [{second.start * 1000:9.3f}ms] {second.task} reads {second.key} = "
            f"{second.wrote - 1} too",
            f"3. [{first.end * 1000:9.3f}ms] {first.task} writes {first.wrote}",
            f"4. [{second.end * 1000:9.3f}ms] {second.task} writes {second.wrote}: "
            "one increment is lost",
        )
        return Picked(lost[0].kind.value, second.task, lines)
    return None
