"""A challenge's session report: JSON for the trainer's ``workbench class report`` (schema:
``schemas/challenge-report.schema.json``) and Markdown for people, written as the
walkthrough's report is (``report.write_report``: atomic, never over a file unasked)."""

from __future__ import annotations

from typing import Any

from workbench.session.challenge import ChallengeRun
from workbench.session.scoring import PARTS, score

__all__ = ["KIND", "challenge_markdown", "challenge_report"]

KIND = "challenge"


def challenge_report(run: ChallengeRun, learner: str = "") -> dict[str, Any]:
    c = run.challenge
    result = score(run)
    revealed = set(run.revealed())
    answer = run.diagnosis()
    diagnosis = None
    if answer is not None:
        diagnosis = {part: answer[part] for part in PARTS}
        diagnosis["right"] = result.diagnosis_right
    return {
        "version": 1,
        "kind": KIND,
        "learner": learner,
        "pack": run.pack,
        "challenge": c.id,
        "title": c.title,
        "seconds": round(run.journal.now(), 3),
        "status": result.status,
        "score": result.points,
        "best": result.best,
        "hints_used": run.hints_used(),
        "actions": run.actions(),
        "par": c.par,
        "revealed": sorted(revealed),
        "stages": [
            {"id": s.id, "title": s.title, "done": run.done(s), "revealed": s.id in revealed,
             "hints_used": run.hints_used(s.id), "seconds_to_done": run.done_at(s)}
            for s in c.stages
        ],
        "diagnosis": diagnosis,
        "score_lines": list(result.lines),
    }


def challenge_markdown(data: dict[str, Any]) -> str:
    lines = [f"# Challenge report: {data['title']}", ""]
    if data["learner"]:
        lines += [f"Learner: {data['learner']}", ""]
    lines += [
        f"{data['status']}: {data['score']} of {data['best']} points in "
        f"{data['seconds'] / 60:.1f} minutes; {data['actions']} actions (par {data['par']}), "
        f"{data['hints_used']} hints; revealed: {', '.join(data['revealed']) or 'none'}.",
        "",
        "| stage | done | time to done | hints | revealed |",
        "|---|---|---|---|---|",
    ]
    for s in data["stages"]:
        took = "" if s["seconds_to_done"] is None else f"{s['seconds_to_done']:.0f} s"
        lines.append(f"| {s['title']} | {'yes' if s['done'] else 'no'} | {took} | "
                     f"{s['hints_used']} | {'yes' if s['revealed'] else ''} |")
    lines += ["", "## Diagnosis", ""]
    d = data["diagnosis"]
    lines.append("None submitted." if d is None else
                 f"change {d['change']}, window {d['window']}, fix {d['fix']}: "
                 f"{'right' if d['right'] else 'wrong'}")
    lines += ["", "## Score", "", *[f"- {line}" for line in data["score_lines"]]]
    return "\n".join(lines) + "\n"
