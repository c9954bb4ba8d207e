"""One history from the histories several processes recorded against one server.

Each worker process records its own events, with times on one clock every process on the
machine shares (``time.perf_counter``: CLOCK_MONOTONIC on Linux), counted from an origin
the parent chose. A ``START`` is taken before its command leaves the process and a
``COMPLETE`` after its reply arrived, so when one process's ``COMPLETE`` is earlier than
another's ``START``, the server had answered the first before the second was even sent:
real-time precedence across processes, which is all the oracle's "before" needs
(``docs/oracle.md``). The merge keeps each process's own order and interleaves the
processes by time; at equal times a ``START`` goes before a ``COMPLETE``, so two events the
clock cannot tell apart count as overlapping, never as one before the other: the merge may
miss a stale read at a tie, it never invents one.

The oracle keeps its state per key, so ordering each key's events this way orders them
for every judgement it makes. Span ids are renumbered (each process counts from 1) and
task names get the worker's number, ``w2:reader-1``.

Workers send their events as plain tuples (``pack``: the ``Event`` fields, each enum as its
value), which pickle a third cheaper than the named tuples; ``merge_packed`` merges those
and builds each merged ``Event`` once, where merging ``Event``s would build each twice.
They send only the events of ``JUDGED``, the operations the oracle reads: in the story
that is under half of them (a read's store round trip, a TTL refresh, a DEL are recorded
but never judged), and merging and judging is the parent's share of the work, which the
workers compete with for the machine's cores.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence

from cache.events import Event, Op, Phase, Source

__all__ = ["JUDGED", "Packed", "merge_histories", "merge_packed", "pack"]

# An ``Event`` as sent between processes: the same fields, enums as their values.
Packed = tuple[int, float, str, int, int, str, str, str, "int | None", "str | None", str]
_PHASES = {phase.value: phase for phase in Phase}
_OPS = {op.value: op for op in Op}
_SOURCES: dict[str | None, Source | None] = {None: None, **{s.value: s for s in Source}}
_START = Phase.START.value
# What ``cache.oracle.Oracle.feed`` acts on; it passes every other event by. A test judges
# full and filtered histories of every built-in strategy alike, so an oracle that starts
# reading another operation fails it rather than being fed less than it needs.
JUDGED = frozenset({Op.GET, Op.SET, Op.EXEC, Op.INCREMENT, Op.INCONSISTENT})


def pack(event: Event) -> Packed:
    """``event`` as plain values, for another process."""
    source = event.source.value if event.source is not None else None
    return (event.seq, event.time, event.phase.value, event.span, event.parent, event.task,
            event.op.value, event.key, event.version, source, event.note)  # fmt: skip


def _tagged(worker: int, events: Sequence[Event]) -> Iterator[tuple[float, int, int, Event]]:
    for event in events:
        yield (event.time, 0 if event.phase is Phase.START else 1, worker, event)


def merge_histories(parts: Sequence[Sequence[Event]]) -> list[Event]:
    """The events of every worker (``parts[i]`` is worker ``i + 1``'s, in its own order)
    as one history, renumbered."""
    if len(parts) == 1:
        return list(parts[0])
    spans: dict[tuple[int, int], int] = {}
    merged: list[Event] = []
    for _, _, worker, event in heapq.merge(*(_tagged(w, part) for w, part in enumerate(parts))):
        seq = len(merged) + 1
        if event.phase is Phase.START:
            spans[(worker, event.span)] = seq
        span = spans[(worker, event.span)]
        parent = spans[(worker, event.parent)] if event.parent else 0
        merged.append(
            event._replace(seq=seq, span=span, parent=parent, task=f"w{worker + 1}:{event.task}")
        )
    return merged


def merge_packed(parts: Sequence[Sequence[Packed]]) -> list[Event]:
    """``merge_histories`` of what the workers sent (``parts[i]``: worker ``i + 1``'s
    packed events, in its own order)."""
    if len(parts) == 1:
        return [_event(row, row[0], row[3], row[4], row[5]) for row in parts[0]]
    # Each stream is keyed by (time, START first, worker, position): unique keys, so the
    # merge never compares two rows, and each worker's own order is kept.
    keyed = [
        [(row[1], row[2] != _START, worker, i) for i, row in enumerate(part)]
        for worker, part in enumerate(parts)
    ]
    spans: dict[tuple[int, int], int] = {}
    merged: list[Event] = []
    for _, _, worker, i in heapq.merge(*keyed):
        row = parts[worker][i]
        seq = len(merged) + 1
        if row[2] == _START:
            spans[(worker, row[3])] = seq
        # A parent the worker did not send (not judged) is no span of the merged history.
        parent = spans.get((worker, row[4]), 0)
        merged.append(_event(row, seq, spans[(worker, row[3])], parent, f"w{worker + 1}:{row[5]}"))
    return merged


def _event(row: Packed, seq: int, span: int, parent: int, task: str) -> Event:
    return Event(seq, row[1], _PHASES[row[2]], span, parent, task, _OPS[row[6]], row[7], row[8],
                 _SOURCES[row[9]], row[10])  # fmt: skip
