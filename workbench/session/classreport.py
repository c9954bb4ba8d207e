"""``workbench class report``: the learners' session reports (JSON) as one table.

One row per learner and challenge (a walkthrough report is the challenge ``walkthrough``):
solved / revealed / unsolved, seconds to each stage, hints, the diagnosis and whether it was
right. A file that is not JSON, or JSON that is not one of our reports, is named with the
reason and left out; it never stops the table.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["COLUMNS", "ClassTable", "Row", "read_reports", "row_of"]

COLUMNS = ("learner", "challenge", "status", "score", "stage_times", "hints", "diagnosis",
           "diagnosis_right", "file")


@dataclass(frozen=True, slots=True)
class Row:
    learner: str
    challenge: str
    status: str
    score: str
    stage_times: str  # "evidence 12s; isolate -; ..."
    hints: int
    diagnosis: str
    diagnosis_right: str  # yes / no / "" (none submitted)
    file: str

    def cells(self) -> list[str]:
        return [str(getattr(self, c)) for c in COLUMNS]


@dataclass(frozen=True, slots=True)
class ClassTable:
    rows: tuple[Row, ...]
    rejected: tuple[tuple[str, str], ...]  # (file name, why)

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in self.rows:
            writer.writerow(row.cells())
        return out.getvalue()

    def markdown(self) -> str:
        lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
        lines += ["| " + " | ".join(c.replace("|", "/") for c in r.cells()) + " |"
                  for r in self.rows]
        if self.rejected:
            lines += ["", "Not read:", ""] + [f"- {name}: {why}" for name, why in self.rejected]
        return "\n".join(lines) + "\n"


def _times(stages: Iterable[dict[str, Any]], key: str) -> str:
    parts = []
    for s in stages:
        t = s["seconds_to_done"]
        parts.append(f"{s['id']} {'-' if t is None else f'{t:.0f}s'}")
        if s.get("revealed"):
            parts[-1] += " (revealed)"
    return "; ".join(parts)


def row_of(data: Any, name: str) -> Row:
    """The table row of one report; ``ValueError`` says why it is not one of ours."""
    if not isinstance(data, dict) or data.get("version") != 1:
        raise ValueError("not a Race Workbench session report (no version 1)")
    try:
        if data.get("kind") == "challenge":
            d = data["diagnosis"]
            return Row(
                str(data["learner"]) or "(anonymous)", str(data["challenge"]),
                str(data["status"]), f"{int(data['score'])}/{int(data['best'])}",
                _times(data["stages"], "seconds_to_done"), int(data["hints_used"]),
                "" if d is None else f"{d['change']} / {d['window']} / {d['fix']}",
                "" if d is None else ("yes" if d["right"] else "no"), name,
            )
        if "steps" in data and "finished" in data:
            steps = [s for s in data["steps"] if not s["reading"]]
            explanation = data["explanation"]
            revealed = bool(data["revealed"])
            status = ("unsolved" if not data["finished"] else
                      "revealed" if revealed else "solved")
            return Row(
                str(data["learner"]) or "(anonymous)", "walkthrough", status, "",
                _times(steps, "seconds_to_done"), int(data["hints_used"]),
                "" if explanation is None else str(explanation["id"]),
                "" if explanation is None else ("yes" if explanation["correct"] else "no"),
                name,
            )
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"a session report with a missing or bad field ({error})") from None
    raise ValueError("not a Race Workbench session report (neither a walkthrough nor a "
                     "challenge)")


def read_reports(folder: Path) -> ClassTable:
    """Every ``*.json`` in ``folder`` (not below it), sorted by learner then challenge."""
    rows, rejected = [], []
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            rejected.append((path.name, f"cannot read: {error}"))
            continue
        except json.JSONDecodeError as error:
            rejected.append((path.name, f"not JSON: {error}"))
            continue
        try:
            rows.append(row_of(data, path.name))
        except ValueError as error:
            rejected.append((path.name, str(error)))
    rows.sort(key=lambda r: (r.learner, r.challenge, r.file))
    return ClassTable(tuple(rows), tuple(rejected))
