"""The vocabulary of a recorded history: spans that start and complete.

Every operation, from a whole ``updateCache`` down to one round trip to the store, is a
*span*. A span is recorded as two events, ``START`` and ``COMPLETE`` (or ``FAILED``), in the
order they happened. This is the shape of httpcore's ``Trace`` (``name.started`` /
``name.complete``) and of the story's timing logs, and it lets a consumer read a history
incrementally: an event, once appended, never changes.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

__all__ = ["ABORTED", "Event", "Op", "Phase", "Source"]


class Phase(StrEnum):
    """Which end of a span an event marks."""

    START = "START"
    COMPLETE = "COMPLETE"
    FAILED = "FAILED"


# The note on a ``cache.exec`` that completed without writing (a WATCH conflict). The oracle,
# the linearizability checker and the timeline all read it: a write that did not happen.
ABORTED = "aborted"


class Op(StrEnum):
    """What a span did. The first two are the application's calls; the rest are store calls."""

    UPDATE = "updateCache"
    GET = "getCache"
    # Store round trips, one span each. A completed ``SET`` or ``EXEC`` that carries a
    # version is what the oracle treats as a write of the primary entry. The story's
    # ``invalidateRelated`` is a ``DELETE`` of the related keys.
    SET = "cache.set"
    DELETE = "cache.del"
    READ = "cache.read"
    EXEC = "cache.exec"
    VERSION = "cache.watch"
    LOCK = "cache.lock"
    UNLOCK = "cache.unlock"
    REBUILD = "cache.rebuild"
    TOUCH = "cache.touch"
    # The races beyond the story (docs/races.md). A fill writes a cached copy of a value
    # read elsewhere: not a write of the key's value, so the oracle never counts it as one.
    FILL = "cache.fill"
    LEASE = "cache.lease"  # a memcache-style lease taken on a miss
    INCR = "cache.incr"  # a server-side increment (INCR, or a Lua script)
    # The application's read-modify-write of a counter; it completes with the value it
    # wrote, which the oracle checks for lost updates.
    INCREMENT = "incrementCounter"
    # Time a strategy spends on purpose: the widen-the-window experiment.
    DELAY = "delay"
    # A versioned read that found related entries out of step with the primary: the span
    # starts when the mismatch is detected and completes once it is repaired.
    INCONSISTENT = "inconsistency"
    # Background traffic from the story's other two recent changes.
    PREWARM = "prewarm"
    REFRESH = "ttlRefresh"


class Source(StrEnum):
    """Where a read's value came from: the primary entry or a related (derived) one."""

    PRIMARY = "primary"
    RELATED = "related"
    NONE = "none"


class Event(NamedTuple):
    """One end of one span (a named tuple: immutable and about four times cheaper to create
    than a frozen dataclass, which matters at tens of thousands of events a second).

    ``version`` is the version a write puts (on its ``START``) or a read returns (on its
    ``COMPLETE``); ``None`` where it does not apply. ``note`` carries small facts an operation
    wants on the record: a read's source, a detected inconsistency, a retry.
    """

    seq: int
    time: float
    phase: Phase
    span: int
    parent: int
    task: str
    op: Op
    key: str
    version: int | None = None
    source: Source | None = None
    note: str = ""

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict; times in milliseconds, as the logs print them."""
        out: dict[str, object] = {
            "seq": self.seq,
            "t_ms": round(self.time * 1000.0, 6),
            "phase": self.phase.value,
            "span": self.span,
            "parent": self.parent,
            "task": self.task,
            "op": self.op.value,
            "key": self.key,
        }
        if self.version is not None:
            out["version"] = self.version
        if self.source is not None:
            out["source"] = self.source.value
        if self.note:
            out["note"] = self.note
        return out
