"""What the oracle says about a read: the write it missed, the read that witnessed it.

Plain records, shared by the oracle (``cache/oracle.py``, which defines when a read is
stale), the log formatter, the command line and the timeline.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import NamedTuple

from cache.events import Source

__all__ = [
    "NEVER",
    "Anomaly",
    "IncrementRef",
    "LostUpdate",
    "ReadRef",
    "ReadVerdict",
    "StaleRead",
    "WriteRef",
]

NEVER = sys.maxsize  # the position of what has not happened (yet)


class Anomaly(StrEnum):
    """How a stale value reached the reader, or (``LOST_UPDATE``) how an increment vanished."""

    MISSED_INVALIDATION = "missed-invalidation"
    STALE_PRIMARY = "stale-primary"
    NEW_THEN_OLD = "new-then-old"
    LOST_UPDATE = "lost-update"


class WriteRef(NamedTuple):
    """A write as the oracle knows it. Positions are event sequence numbers; ``order`` is its
    place in the store order (``NEVER`` while it has none)."""

    span: int
    task: str
    key: str
    version: int
    start: float
    end: float
    start_seq: int
    end_seq: int
    order: int

    @property
    def acknowledged(self) -> bool:
        return self.end_seq != NEVER


class ReadRef(NamedTuple):
    """A completed read."""

    span: int
    task: str
    key: str
    version: int | None
    source: Source
    start: float
    end: float
    start_seq: int
    end_seq: int


class StaleRead(NamedTuple):
    """A stale read and its witness: the write it missed (rule 1: acknowledged before the
    read began) or, under rule 2, also the earlier read ``seen_by`` that had returned it.
    ``returned`` is the write whose value it got, if known."""

    read: ReadRef
    missed: WriteRef
    kind: Anomaly
    returned: WriteRef | None
    seen_by: ReadRef | None = None

    @property
    def overlapping(self) -> bool:
        """Whether the returned write overlapped the missed one, so that only the store
        order (not real time) makes the missed one newer."""
        returned = self.returned
        return returned is not None and returned.end_seq > self.missed.start_seq

    def short(self) -> str:
        """The witness in a few words, for a log line."""
        m, seen = self.missed, self.seen_by
        missed = f"missed v{m.version} by {m.task}"
        if seen is not None:
            return f"{missed}, already returned to {seen.task} at {_ms(seen.end)}"
        return f"{missed}, acknowledged at {_ms(m.end)}"

    def explain(self) -> str:
        """One sentence a learner can check against the timeline."""
        r, m, seen = self.read, self.missed, self.seen_by
        got = "nothing" if r.version is None else f"v{r.version}"
        where = {Source.RELATED: " from a related entry", Source.PRIMARY: " from the primary"}
        if seen is not None:
            why = f"which {seen.task} had already returned at {_ms(seen.end)}"
            why += ", before this read began"
        else:
            why = f"acknowledged at {_ms(m.end)}, before this read began"
        returned = self.returned
        if returned is not None and self.overlapping:
            first = f", at {_ms(returned.end)}" if returned.acknowledged else ""
            why += f"; the write of {got} overlapped it and took effect first{first}"
        return (
            f"{r.task} read {r.key} at {_ms(r.start)}-{_ms(r.end)} and got {got}"
            f"{where.get(r.source, '')}, missing v{m.version} written by {m.task} ({why})"
        )

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: the read, its kind and its witness (times in milliseconds)."""
        r, m, seen = self.read, self.missed, self.seen_by
        return {
            "read_span": r.span,
            "task": r.task,
            "key": r.key,
            "returned": r.version,
            "source": r.source.value,
            "kind": self.kind.value,
            "missed_span": m.span,
            "missed_version": m.version,
            "missed_by": m.task,
            "missed_acknowledged_ms": round(m.end * 1000.0, 6) if m.acknowledged else None,
            "witness": "read" if seen is not None else "write",
            "witness_read_span": seen.span if seen is not None else None,
            "witness_read_task": seen.task if seen is not None else None,
            "overlapping": self.overlapping,
            "explanation": self.explain(),
        }


class ReadVerdict(NamedTuple):
    """One completed read and, if it was stale, why."""

    read: ReadRef
    stale: StaleRead | None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: ``verdict`` is ``fresh`` or ``stale``; a stale one carries its witness."""
        r = self.read
        out: dict[str, object] = {
            "read_span": r.span,
            "task": r.task,
            "key": r.key,
            "returned": r.version,
            "source": r.source.value,
            "start_ms": round(r.start * 1000.0, 6),
            "end_ms": round(r.end * 1000.0, 6),
            "verdict": "fresh" if self.stale is None else "stale",
        }
        if self.stale is not None:
            out.update(self.stale.to_dict())
        return out


class IncrementRef(NamedTuple):
    """A completed read-modify-write of a counter: it wrote ``wrote``, so it read
    ``wrote - 1``."""

    span: int
    task: str
    key: str
    wrote: int
    start: float
    end: float
    start_seq: int
    end_seq: int


class LostUpdate(NamedTuple):
    """An increment that vanished, and its witness: two read-modify-writes that read the
    same value and so wrote the same value. ``first`` completed first; ``second`` is the one
    counted (of n increments that read one value, n - 1 were lost)."""

    first: IncrementRef
    second: IncrementRef

    @property
    def kind(self) -> Anomaly:
        return Anomaly.LOST_UPDATE

    @property
    def read_value(self) -> int:
        return self.second.wrote - 1

    def short(self) -> str:
        """The witness in a few words, for a log line."""
        f = self.first
        return f"read v{self.read_value} as {f.task} did, who wrote v{f.wrote} at {_ms(f.end)}"

    def explain(self) -> str:
        """One sentence a learner can check against the timeline."""
        f, s = self.first, self.second
        return (
            f"{s.task} incremented {s.key} at {_ms(s.start)}-{_ms(s.end)} and wrote "
            f"v{s.wrote}, as {f.task} had at {_ms(f.start)}-{_ms(f.end)}: both read "
            f"v{self.read_value}, so one of the two increments is lost"
        )

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: both increments (times in milliseconds) and the explanation."""
        f, s = self.first, self.second
        return {
            "kind": self.kind.value,
            "key": s.key,
            "read": self.read_value,
            "wrote": s.wrote,
            "span": s.span,
            "task": s.task,
            "first_span": f.span,
            "first_task": f.task,
            "first_end_ms": round(f.end * 1000.0, 6),
            "end_ms": round(s.end * 1000.0, 6),
            "explanation": self.explain(),
        }


def _ms(seconds: float) -> str:
    return f"{seconds * 1000.0:.3f}ms"
