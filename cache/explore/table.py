"""A failing run as a table: one column per task, rows in history order, the stale read
and the write it missed marked (the shape Lincheck prints)."""

from __future__ import annotations

from cache.events import Event, Op, Phase
from cache.oracle import StaleRead

__all__ = ["schedule_table"]

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


def schedule_table(events: list[Event], stale: list[StaleRead]) -> str:
    """The table as text. Only application calls and the writes the oracle judges by are
    shown, with the step that acknowledged each missed write marked."""
    stale_ends = {s.read.end_seq: s for s in stale}
    missed = {s.missed.end_seq: s for s in stale}
    rows: list[tuple[str, str, str]] = []
    tasks: list[str] = []
    for event in events:
        if event.op in _QUIET:
            continue
        text = _cell(event)
        if event.seq in stale_ends:
            verdict = stale_ends[event.seq]
            text += f"  <-- STALE ({verdict.kind.value})"
        if event.seq in missed:
            text += f"  <-- MISSED by {missed[event.seq].read.task}"
        if event.task not in tasks:
            tasks.append(event.task)
        rows.append((f"{event.time * 1000:9.3f}ms", event.task, text))
    widths = {task: len(task) for task in tasks}
    for _, task, text in rows:
        widths[task] = max(widths[task], len(text))
    header = " " * 11 + " | ".join(task.ljust(widths[task]) for task in tasks)
    rule = "-" * len(header)
    lines = [header, rule]
    for when, task, text in rows:
        cells = [(text if t == task else "").ljust(widths[t]) for t in tasks]
        lines.append(f"{when}  " + " | ".join(cells).rstrip())
    return "\n".join(lines)
