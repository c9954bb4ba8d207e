"""A failing run as a table: one column per task, rows in history order, the stale read
and the write it missed marked (the shape Lincheck prints)."""

from __future__ import annotations

from typing import NamedTuple

from cache.events import Event, Op, Phase
from cache.oracle import StaleRead

__all__ = ["Row", "schedule_rows", "schedule_table"]

# Store calls nobody needs to see to follow the race.
_QUIET = {Op.TOUCH, Op.REFRESH, Op.PREWARM}


def _cell(event: Event) -> str:
    op = event.op.value
    version = "" if event.version is None else f" v{event.version}"
    if event.phase is Phase.START:
        return f"{op} {event.key}{version if event.op is not Op.GET else ''} ..."
    if event.phase is Phase.FAILED:
        return f"... {op} FAILED"
    if event.op is Op.GET:
        source = f" ({event.source.value})" if event.source else ""
        return f"... {op} ={version or ' nothing'}{source}"
    return f"... {op}{version} ok" + (f" [{event.note}]" if event.note else "")


class Row(NamedTuple):
    """One shown event: when (seconds), which task, what it did, and ``mark``: ``"stale"``
    for a read the oracle judged stale, ``"missed"`` for the write such a read missed."""

    time: float
    task: str
    text: str
    mark: str


def schedule_rows(events: list[Event], stale: list[StaleRead]) -> list[Row]:
    """The rows of the table, for a front end that draws its own (the app's DataTable)."""
    stale_ends = {s.read.end_seq: s for s in stale}
    missed = {s.missed.end_seq: s for s in stale}
    rows: list[Row] = []
    for event in events:
        if event.op in _QUIET:
            continue
        text, mark = _cell(event), ""
        if event.seq in stale_ends:
            text += f"  <-- STALE ({stale_ends[event.seq].kind.value})"
            mark = "stale"
        if event.seq in missed:
            text += f"  <-- MISSED by {missed[event.seq].read.task}"
            mark = mark or "missed"
        rows.append(Row(event.time, event.task, text, mark))
    return rows


def schedule_table(events: list[Event], stale: list[StaleRead]) -> str:
    """The table as text. Only application calls and the writes the oracle judges by are
    shown, with the step that acknowledged each missed write marked."""
    rows = schedule_rows(events, stale)
    tasks = list(dict.fromkeys(row.task for row in rows))
    widths = {task: len(task) for task in tasks}
    for row in rows:
        widths[row.task] = max(widths[row.task], len(row.text))
    header = " " * 11 + " | ".join(task.ljust(widths[task]) for task in tasks)
    rule = "-" * len(header)
    lines = [header, rule]
    for row in rows:
        cells = [(row.text if t == row.task else "").ljust(widths[t]) for t in tasks]
        lines.append(f"{row.time * 1000:9.3f}ms  " + " | ".join(cells).rstrip())
    return "\n".join(lines)
