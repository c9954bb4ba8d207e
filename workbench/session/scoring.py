"""A challenge's score and the explanation given once the diagnosis is in.

Points: each stage done without being revealed earns the pack's ``stage_points`` (a revealed
stage earns nothing), each right part of the diagnosis ``diagnosis_points``; each hint costs
``hint_cost`` and each action beyond ``par`` costs ``over_par_cost``; never below zero.
Status: ``solved`` (every stage done, the diagnosis right, nothing revealed), ``revealed``
(the same, with a stage revealed), else ``unsolved``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cache.batch import derive_seed
from workbench.session.challenge import ChallengeRun, anomaly_of
from workbench.session.packs import DEPLOYED, Action

__all__ = ["PARTS", "Score", "explain", "score"]

PARTS = ("change", "window", "fix")


@dataclass(frozen=True, slots=True)
class Score:
    points: int
    best: int
    status: str
    right: dict[str, bool] = field(default_factory=dict)  # per part; empty: no diagnosis
    lines: tuple[str, ...] = ()

    @property
    def diagnosis_right(self) -> bool:
        return bool(self.right) and all(self.right.values())

    def to_dict(self) -> dict[str, Any]:
        return {"points": self.points, "best": self.best, "status": self.status,
                "lines": list(self.lines)}


def score(run: ChallengeRun) -> Score:
    c = run.challenge
    revealed = set(run.revealed())
    lines = []
    points = 0
    for stage in c.stages:
        if stage.id in revealed:
            lines.append(f"{stage.title}: revealed, 0")
        elif run.done(stage):
            points += c.stage_points
            lines.append(f"{stage.title}: +{c.stage_points}")
        else:
            lines.append(f"{stage.title}: not done, 0")
    answer = run.diagnosis()
    right: dict[str, bool] = {}
    if answer is not None:
        for part in PARTS:
            right[part] = answer[part] == c.answer(part).id
            if right[part]:
                points += c.diagnosis_points
            lines.append(f"diagnosis, {part}: " + (f"right, +{c.diagnosis_points}"
                                                   if right[part] else "wrong, 0"))
    hints = run.hints_used()
    if hints:
        points -= hints * c.hint_cost
        lines.append(f"{hints} hints: -{hints * c.hint_cost}")
    over = max(0, run.actions() - c.par)
    if over:
        points -= over * c.over_par_cost
        lines.append(f"{run.actions()} actions, par {c.par}: -{over * c.over_par_cost}")
    best = len(c.stages) * c.stage_points + len(PARTS) * c.diagnosis_points
    complete = all(run.done(s) for s in c.stages) and bool(right) and all(right.values())
    status = "unsolved" if not complete else "revealed" if revealed else "solved"
    return Score(max(0, points), best, status, right, tuple(lines))


def explain(run: ChallengeRun) -> list[str]:
    """The real cause, in the pack's words, and the minimal witness from a failing run of
    the deployed code (the learner's own if they replayed one)."""
    c = run.challenge
    lines = [c.summary, "", f"The change: {c.answer('change').text}",
             f"The window: {c.answer('window').text}", f"The fix: {c.answer('fix').text}"]
    sim = run.replayed
    if sim is None or sim.strategy.name != c.cause:
        sim = None
        spec = run.spec(Action("batch", DEPLOYED, 1))
        for number in range(200):  # the deployed code fails in most runs; bounded anyway
            candidate = spec.simulate(derive_seed(c.seed, number))
            candidate.run()
            if candidate.oracle.stale or candidate.oracle.lost:
                sim = candidate
                break
    picked = anomaly_of(sim) if sim is not None else None
    if picked is not None:
        lines += ["", f"The minimal witness ({picked.kind}), events that are wrong on "
                  "their own:", *picked.lines]
    return lines
