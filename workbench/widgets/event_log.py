"""The text log beside the timeline: the same events, in the story's log shape.

Lines go in with ``Log.write_lines``, one call per frame, never one call per event; when
the workload produces more lines in a frame than anyone could read, only the newest are
written and a line says how many were skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from textual.widgets import Log

from cache.events import Event
from cache.logfmt import LogFormatter
from cache.oracle import StaleRead

__all__ = ["EventLog"]

MAX_LINES = 5_000
LINES_PER_FRAME = 300


class EventLog(Log):
    """A bounded, append-only view of the history as log lines."""

    DEFAULT_CSS = """
    EventLog { background: $surface; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(max_lines=MAX_LINES, auto_scroll=True, id=id)
        self._formatter = LogFormatter()
        self.skipped = 0

    def restart(self, stale_of: Callable[[int], StaleRead | None]) -> None:
        """Forget everything: a new run (or a replay) is about to be shown."""
        self.clear()
        self._formatter = LogFormatter(stale_of)
        self.skipped = 0

    def add(self, events: Iterable[Event]) -> int:
        """Format and append a frame's events; returns how many lines were written."""
        lines = list(self._formatter.lines(events))
        if not lines:
            return 0
        if len(lines) > LINES_PER_FRAME:
            skipped = len(lines) - LINES_PER_FRAME
            self.skipped += skipped
            lines = [
                f"... {skipped} lines skipped at this speed (slow down or pause to read them all)",
                *lines[-LINES_PER_FRAME:],
            ]
        self.write_lines(lines)
        return len(lines)
