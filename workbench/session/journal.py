"""The journal: what the learner actually did, in order, as plain data.

Every stage batch, replay, selected stale read, by-hand run, chosen explanation, hint and
revealed step is appended here by the session as it happens; checkpoints are predicates over
it (``checkpoints.py``) and the session report is built from it. Entries are JSON-ready dicts
so that a saved walkthrough, a report and a later challenge pack all read the same record.

Kinds (a stable vocabulary): ``batch``, ``replay``, ``stale_selected``, ``by_hand``,
``explanation``, ``hint``, ``revealed``, ``read_step``, ``diagnosis`` (a challenge's answer),
``explore`` (a schedule search, with its policy, verdict and replay token).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from cache.scenarios.changes import Change

if TYPE_CHECKING:  # the app's first screen imports this module, not the engine
    from cache.batch import BatchResult, RunSpec

__all__ = ["KINDS", "Entry", "Journal", "batch_entry"]

KINDS = (
    "batch",
    "replay",
    "stale_selected",
    "by_hand",
    "explanation",
    "hint",
    "revealed",
    "read_step",
    "diagnosis",
    "explore",
)


class Entry(NamedTuple):
    """One thing the learner did: its kind, seconds since the journal began, its facts."""

    kind: str
    at: float
    data: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "at": round(self.at, 3), "data": self.data}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Entry:
        kind = str(raw["kind"])
        if kind not in KINDS:
            raise ValueError(f"unknown journal entry kind {kind!r}")
        return cls(kind, float(raw["at"]), dict(raw["data"]))


def batch_entry(spec: RunSpec, result: BatchResult) -> dict[str, Any]:
    """A batch's settings and results, as the checkpoints and the report read them."""
    changes: frozenset[Change] = getattr(spec.scenario, "changes", frozenset())
    rate = result.rate
    return {
        "strategy": result.strategy,
        "workload": getattr(spec.scenario, "name", "story"),
        "changes": sorted(c.value for c in changes),
        "widen_ms": result.widen_ms,
        "runs": result.runs,
        "completed": result.completed,
        "failures": result.failures,
        "failed_runs": result.failed_runs[:20],
        "reads": result.reads,
        "stale_reads": result.stale_reads,
        "rate": {"value": rate.value, "low": rate.low, "high": rate.high},
        "backend": result.backend,
        "interrupted": result.interrupted,
    }


@dataclass
class Journal:
    """Append-only record of the session; listeners hear of each entry as it is added."""

    entries: list[Entry] = field(default_factory=list)
    began: float = field(default_factory=time.monotonic)
    offset: float = 0.0  # time already spent before a resume
    listeners: list[Callable[[Entry], None]] = field(default_factory=list, repr=False)

    def now(self) -> float:
        return self.offset + time.monotonic() - self.began

    def record(self, kind: str, /, **data: Any) -> Entry:
        if kind not in KINDS:
            raise ValueError(f"unknown journal entry kind {kind!r}")
        entry = Entry(kind, self.now(), data)
        self.entries.append(entry)
        for listener in list(self.listeners):
            listener(entry)
        return entry

    def of(self, kind: str) -> list[dict[str, Any]]:
        """The data of every entry of ``kind``, oldest first."""
        return [e.data for e in self.entries if e.kind == kind]

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def restore(self, entries: list[Entry], offset: float) -> None:
        """Replace the record by a saved one (resume, undo) without telling listeners."""
        self.entries = list(entries)
        self.offset = offset
        self.began = time.monotonic()
