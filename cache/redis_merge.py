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
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence

from cache.events import Event, Phase

__all__ = ["merge_histories"]


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
