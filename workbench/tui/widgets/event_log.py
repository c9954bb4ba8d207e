"""The text log beside the timeline: the same events, in the story's log shape.

Lines arrive already formatted (``workbench.session.feed``) and go in with ``Log.write_lines``, one
call per frame, never one call per event; when the workload produces more lines in a frame
than anyone could read, only the newest are written and a line says how many were skipped.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.widgets import Log

__all__ = ["EventLog"]

MAX_LINES = 5_000


class EventLog(Log):
    """A bounded, append-only view of the history as log lines."""

    DEFAULT_CSS = """
    EventLog { background: $surface; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(max_lines=MAX_LINES, auto_scroll=True, id=id)
        self.skipped = 0

    def restart(self, lines: Iterable[str] = ()) -> None:
        """Forget everything and show ``lines``: a new run (or a replay) is on screen."""
        self.clear()
        self.skipped = 0
        self.write_lines(list(lines))

    def add(self, lines: list[str], skipped: int = 0) -> int:
        """Append a frame's lines (``skipped``: lines the frame had no room for)."""
        if skipped:
            self.skipped += skipped
            lines = [
                f"... {skipped} lines skipped at this speed (slow down or pause to read them all)",
                *lines,
            ]
        if lines:
            self.write_lines(lines)
        return len(lines)
