"""The text log beside the timeline: the same events, in the story's log shape.

Lines arrive already formatted (``workbench.session.feed``) and go in with ``Log.write_lines``,
one call per frame, never one call per event; when the workload produces more lines in a frame
than anyone could read, only the newest are written and a line says how many were skipped.

The log follows the newest line until the user scrolls back, and follows again when they
scroll to the end (or press ``end``). It decides that itself: ``Log`` follows only while its
scroll position is exactly at the end, which a single resize or pruned line can break for
good, leaving a log that silently stops moving.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar, Self

from rich.cells import cell_len
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.scrollbar import ScrollBar
from textual.widgets import Log

from workbench.tui.widgets.quiet import set_virtual_size, steady

__all__ = ["MAX_LINES", "EventLog"]

MAX_LINES = 5_000


class EventLog(Log):
    """A bounded, append-only view of the history as log lines."""

    DEFAULT_CSS = """
    EventLog { background: $surface; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("end", "follow", "Follow", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(max_lines=MAX_LINES, auto_scroll=False, id=id)
        self.skipped = 0
        self.written = 0  # lines written since the last restart
        self.follow = True

    @property
    def horizontal_scrollbar(self) -> ScrollBar:
        return steady(super().horizontal_scrollbar)

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        return steady(super().vertical_scrollbar)

    def restart(self, lines: Iterable[str] = ()) -> None:
        """Forget everything and show ``lines``: a new run (or a replay) is on screen."""
        self.clear()
        self.skipped = 0
        self.written = 0
        self.follow = True
        self._write(list(lines))

    def add(self, lines: list[str], skipped: int = 0) -> int:
        """Append a frame's lines (``skipped``: lines the frame had no room for)."""
        if skipped:
            self.skipped += skipped
            lines = [
                f"... {skipped} lines skipped at this speed (slow down or pause to read them all)",
                *lines,
            ]
        if lines:
            self._write(lines)
        return len(lines)

    def write_lines(self, lines: Iterable[str], scroll_end: bool | None = None) -> Self:
        """``Log.write_lines``, growing the scroll area without a layout of the screen."""
        new_lines = [part for line in lines for part in line.splitlines()]
        start_line = len(self._lines)
        self._lines.extend(new_lines)
        if self.max_lines is not None and len(self._lines) > self.max_lines:
            self._prune_max_lines()
        set_virtual_size(self, Size(self._width, len(self._lines)))
        self._update_size(self._updates, new_lines)
        self.refresh_lines(start_line, len(new_lines))
        if scroll_end:  # ``EventLog`` itself follows by ``follow`` (see ``_write``)
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        else:
            self.refresh()
        return self

    def _update_maximum_width(self, updates: int, size: int) -> None:
        if updates == self._updates:
            self._width = max(size, self._width)
            set_virtual_size(self, Size(self._width, self.line_count))

    def _update_size(self, updates: int, lines: list[str]) -> None:  # type: ignore[override]
        # ``Log`` measures new lines in a worker thread, one thread per write: at 60 writes
        # a second that is most of a frame. The lines are plain text from the formatter
        # (no control codes to strip), so measuring them here is cheap.
        if lines:
            self._update_maximum_width(updates, max(map(cell_len, lines)))

    def _write(self, lines: list[str]) -> None:
        self.write_lines(lines, scroll_end=False)
        self.written += len(lines)
        if self.follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False)

    def action_follow(self) -> None:
        self.follow = True
        self.scroll_end(animate=False, immediate=True, x_axis=False)

    # Scrolling back stops following; coming back to the end starts it again.

    def _on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self.follow = False

    def _on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self.call_after_refresh(self._refollow)

    def action_scroll_up(self) -> None:
        self.follow = False
        super().action_scroll_up()

    def action_page_up(self) -> None:
        self.follow = False
        super().action_page_up()

    def action_scroll_home(self) -> None:
        self.follow = False
        super().action_scroll_home()

    def action_scroll_down(self) -> None:
        super().action_scroll_down()
        self.call_after_refresh(self._refollow)

    def action_page_down(self) -> None:
        super().action_page_down()
        self.call_after_refresh(self._refollow)

    def action_scroll_end(self) -> None:
        self.action_follow()

    def _refollow(self) -> None:
        if self.is_vertical_scroll_end:
            self.follow = True
