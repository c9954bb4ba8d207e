"""A run as a Chrome Trace Event / Perfetto JSON file (open it at ui.perfetto.dev).

One track (thread) per task with a B/E slice per span, timestamps in microseconds of
virtual time; a flow arrow from each missed write to the stale read that missed it; and a
counter track of stale reads.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from cache.events import Event, Phase
from cache.oracle import StaleRead

__all__ = ["trace_json"]

_PID = 1


def _us(seconds: float) -> float:
    return round(seconds * 1_000_000.0, 3)


def trace_json(events: Iterable[Event], stale: list[StaleRead], title: str = "race") -> str:
    events = list(events)
    tids: dict[str, int] = {}
    out: list[dict[str, Any]] = [
        {"ph": "M", "pid": _PID, "tid": 0, "name": "process_name", "args": {"name": title}}
    ]
    for event in events:
        if event.task not in tids:
            tids[event.task] = len(tids) + 1
            out.append({"ph": "M", "pid": _PID, "tid": tids[event.task], "name": "thread_name",
                        "args": {"name": event.task}})
    open_spans: dict[int, list[str]] = {}
    last = 0.0
    for event in events:
        tid = tids[event.task]
        ts = _us(event.time)
        last = max(last, ts)
        name = f"{event.op.value} {event.key}"
        if event.phase is Phase.START:
            open_spans.setdefault(tid, []).append(name)
            args: dict[str, Any] = {"span": event.span}
            if event.version is not None:
                args["version"] = event.version
            out.append({"ph": "B", "pid": _PID, "tid": tid, "ts": ts, "name": name,
                        "cat": "op", "args": args})
        else:
            stack = open_spans.get(tid, [])
            if stack:
                stack.pop()
            end_args: dict[str, Any] = {"phase": event.phase.value}
            if event.version is not None:
                end_args["version"] = event.version
            if event.note:
                end_args["note"] = event.note
            out.append({"ph": "E", "pid": _PID, "tid": tid, "ts": ts, "args": end_args})
    for tid, stack in open_spans.items():  # spans an abandoned run never closed
        out.extend({"ph": "E", "pid": _PID, "tid": tid, "ts": last} for _ in stack)
    out.append({"ph": "C", "pid": _PID, "tid": 0, "ts": 0.0, "name": "stale reads",
                "args": {"stale": 0}})
    for number, verdict in enumerate(stale, 1):
        read, missed = verdict.read, verdict.missed
        # Each end binds to the slice around it: inside the write's and the read's spans.
        out.append({"ph": "s", "pid": _PID, "tid": tids.get(missed.task, 0), "id": number,
                    "ts": _us((missed.start + missed.end) / 2), "name": "missed write",
                    "cat": "stale"})
        out.append({"ph": "f", "bp": "e", "pid": _PID, "tid": tids.get(read.task, 0),
                    "id": number, "ts": _us((read.start + read.end) / 2),
                    "name": "missed write", "cat": "stale"})
        out.append({"ph": "C", "pid": _PID, "tid": 0, "ts": _us(read.end),
                    "name": "stale reads", "args": {"stale": number}})
    return json.dumps({"traceEvents": out, "displayTimeUnit": "ms"}, indent=None)
