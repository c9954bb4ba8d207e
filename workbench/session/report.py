"""The session report a trainer collects: Markdown for people, JSON for tools (its schema is
``schemas/session-report.schema.json``), written atomically and never over an existing file
unless the caller says so (``atomic.py``). Also where the walkthrough keeps its progress
between starts."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from platformdirs import user_state_dir

from workbench.session.atomic import write_atomic
from workbench.session.confidence import CleanRuns
from workbench.session.explanations import candidate
from workbench.session.walkthrough import Walkthrough

__all__ = [
    "REPORT_VERSION",
    "default_state_path",
    "report_data",
    "report_markdown",
    "write_atomic",
    "write_report",
]

REPORT_VERSION = 1


def default_state_path() -> Path:
    """Where the walkthrough's progress lives between starts (the platform's state dir)."""
    return Path(user_state_dir("race-workbench", appauthor=False)) / "walkthrough.json"


def report_data(walk: Walkthrough, learner: str = "") -> dict[str, Any]:
    """Everything a trainer wants from one session, as JSON-ready data."""
    revealed = set(walk.revealed())
    steps = []
    for step in walk.steps:
        passed = [walk.passed[c]["at"] for c in step.checkpoints if c in walk.passed]
        steps.append({
            "id": step.id,
            "title": step.title,
            "reading": step.reading,
            "done": walk.done(step),
            "revealed": step.id in revealed,
            "hints_used": walk.hints_used(step.id),
            "seconds_to_done": max(passed) if step.checkpoints and walk.done(step) else None,
            "checkpoints": [
                {"id": c, "verdict": walk.outcome(c).verdict.value,
                 "reason": walk.outcome(c).reason,
                 "seconds": walk.passed[c]["at"] if c in walk.passed else None}
                for c in step.checkpoints
            ],
        })
    batches = walk.journal.of("batch")
    chosen = walk.journal.of("explanation")
    explanation = None
    if chosen:
        pick = candidate(str(chosen[-1]["id"]))
        explanation = {"id": pick.id, "text": pick.text, "correct": not pick.why_not}
    fixes = [b for b in batches if b["strategy"] != "naive-async" and b["failures"] == 0]
    verification = None
    if fixes:
        fix = max(fixes, key=lambda b: b["completed"])
        broken = [b for b in batches if b["strategy"] == "naive-async" and b["failures"]
                  and b["widen_ms"] == fix["widen_ms"] and b["changes"] == fix["changes"]]
        rate = (sum(b["failures"] for b in broken) / sum(b["completed"] for b in broken)
                if broken else None)
        verification = {
            "strategy": fix["strategy"],
            "clean_runs": fix["completed"],
            "widen_ms": fix["widen_ms"],
            "broken_rate": rate,
            "confidence": CleanRuns(rate, fix["completed"]).to_dict() if rate else None,
        }
    return {
        "version": REPORT_VERSION,
        "learner": learner,
        "title": walk.title,
        "seconds": round(walk.journal.now(), 3),
        "finished": walk.finished,
        "steps": steps,
        "hints_used": sum(s["hints_used"] for s in steps),
        "revealed": sorted(revealed),
        "batches": [
            {k: b[k] for k in ("strategy", "changes", "widen_ms", "runs", "completed",
                               "failures", "stale_reads", "reads", "rate", "backend")}
            for b in batches
        ],
        "explanation": explanation,
        "verification": verification,
    }


def report_markdown(data: dict[str, Any]) -> str:
    lines = [f"# Walkthrough report: {data['title']}", ""]
    if data["learner"]:
        lines += [f"Learner: {data['learner']}", ""]
    done = sum(s["done"] for s in data["steps"])
    lines += [
        f"{done} of {len(data['steps'])} steps done in {data['seconds'] / 60:.1f} minutes; "
        f"{data['hints_used']} hints; revealed: {', '.join(data['revealed']) or 'none'}.",
        "",
        "| step | done | time to done | hints | revealed |",
        "|---|---|---|---|---|",
    ]
    for s in data["steps"]:
        took = "" if s["seconds_to_done"] is None else f"{s['seconds_to_done']:.0f} s"
        lines.append(
            f"| {s['title']} | {'yes' if s['done'] else 'no'} | {took} | {s['hints_used']} | "
            f"{'yes' if s['revealed'] else ''} |"
        )
    lines += ["", "## Batches", "", "| strategy | changes | widen ms | failed/runs | rate |",
              "|---|---|---|---|---|"]
    for b in data["batches"]:
        rate = b["rate"]
        lines.append(
            f"| {b['strategy']} | {','.join(b['changes']) or 'none'} | {b['widen_ms']:g} | "
            f"{b['failures']}/{b['completed']} | {rate['value']:.1%} "
            f"({rate['low']:.1%}-{rate['high']:.1%}) |"
        )
    lines += ["", "## Explanation chosen", ""]
    explanation = data["explanation"]
    lines.append("None." if explanation is None else
                 f"{explanation['text']} ({'right' if explanation['correct'] else 'wrong'})")
    lines += ["", "## Fix and verification", ""]
    verification = data["verification"]
    if verification is None:
        lines.append("No fix verified.")
    else:
        lines.append(f"{verification['strategy']}: {verification['clean_runs']} clean runs "
                     f"(window widened by {verification['widen_ms']:g} ms).")
        confidence = verification["confidence"]
        if confidence is not None:
            lines.append(
                f"Against the broken code's {confidence['rate']:.1%}: {confidence['needed_95']} "
                f"needed for 95%, {confidence['needed_99']} for 99%; reached "
                f"{confidence['reached']}."
            )
    return "\n".join(lines) + "\n"


def write_report(
    path: Path,
    data: dict[str, Any],
    *,
    overwrite: bool = False,
    render: Callable[[dict[str, Any]], str] | None = None,
) -> list[Path]:
    """Write ``path`` (Markdown, by ``render``: default the walkthrough's) and the same name
    with ``.json``; ``FileExistsError`` if either exists and ``overwrite`` is not given."""
    markdown = path if path.suffix == ".md" else path.with_suffix(".md")
    as_json = markdown.with_suffix(".json")
    existing = [p for p in (markdown, as_json) if p.exists()]
    if existing and not overwrite:
        raise FileExistsError(f"{existing[0]} exists")
    write_atomic(as_json, json.dumps(data, indent=2) + "\n")
    write_atomic(markdown, (render or report_markdown)(data))
    return [markdown, as_json]
