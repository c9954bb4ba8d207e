"""The timeline: one lane per task, calls as bars over time, drawn through the Line API.

Only the visible rows and columns are ever drawn (``render_line``), so a run with a million
events costs what a screenful costs. Row 0 is a time axis that stays put while the lanes
scroll under it; the lane names stay put while time scrolls.

Glyphs: ``━`` an update, ``▒`` its race window (new value acknowledged, related entries not
yet invalidated), ``─`` a read, ``✗`` a stale read, ``!`` an inconsistency a versioned read
detected and repaired, ``·`` background traffic (prewarm, TTL refresh).
"""

from __future__ import annotations

import math
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from workbench.session.lanes import Bar, LaneModel
from workbench.tui.widgets.quiet import set_virtual_size, steady

__all__ = ["SCALES_MS", "Timeline"]

LABEL_WIDTH = 12
WIDTH_CHUNK = 2_048
SCALES_MS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0)

# Drawing priority: when several things fall in one cell, the most telling one wins.
_EMPTY, _BACKGROUND, _READ, _UPDATE, _DETECTED, _WINDOW, _STALE = range(7)
_GLYPH = {_BACKGROUND: "·", _READ: "─", _UPDATE: "━", _DETECTED: "!", _WINDOW: "▒", _STALE: "✗"}
_CLASS = {
    _BACKGROUND: "timeline--background",
    _READ: "timeline--read",
    _UPDATE: "timeline--update",
    _DETECTED: "timeline--detected",
    _WINDOW: "timeline--window",
    _STALE: "timeline--stale",
}


class Timeline(ScrollView, can_focus=True):
    """Lanes of bars over virtual time, following the newest events unless paused."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "pan(-8)", "Earlier", show=False),
        Binding("right", "pan(8)", "Later", show=False),
        Binding("home", "pan_home", "Oldest", show=False),
        Binding("end", "follow", "Follow live", show=False),
        Binding("up", "scroll_up", "Lane up", show=False),
        Binding("down", "scroll_down", "Lane down", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "timeline--axis",
        "timeline--label",
        "timeline--background",
        "timeline--read",
        "timeline--update",
        "timeline--detected",
        "timeline--window",
        "timeline--stale",
        "timeline--selected",
        "timeline--hint",
    }

    DEFAULT_CSS = """
    Timeline { background: $surface; }
    Timeline > .timeline--axis { color: $text-muted; }
    Timeline > .timeline--label { color: $text; text-style: bold; }
    Timeline > .timeline--background { color: $text-disabled; }
    Timeline > .timeline--read { color: $success; }
    Timeline > .timeline--update { color: $primary; }
    Timeline > .timeline--detected { color: $warning; text-style: bold; }
    Timeline > .timeline--window { color: $warning; }
    Timeline > .timeline--stale { color: $error; text-style: bold; }
    Timeline > .timeline--selected { background: $accent 50%; text-style: bold; }
    Timeline > .timeline--hint { color: $text-muted; text-style: italic; }
    """

    follow: reactive[bool] = reactive(True)
    """Whether the view keeps the newest events in sight (off once you pan or select)."""

    scale_ms: reactive[float] = reactive(0.5)
    """Virtual milliseconds per column: the zoom."""

    class Selected(Message):
        """The selected stale read changed (``bar`` is ``None`` when cleared)."""

        def __init__(self, bar: Bar | None, missed: Bar | None) -> None:
            super().__init__()
            self.bar = bar
            self.missed = missed

    def __init__(
        self, model: LaneModel | None = None, *, hint: str = "", id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.model = model if model is not None else LaneModel()
        self.hint = hint
        self.selected: Bar | None = None
        self._selected_missed: Bar | None = None
        self._pending: Bar | None = None
        self._live_edge = 0
        self._style_cache: dict[str, Style] = {}

    @property
    def horizontal_scrollbar(self) -> ScrollBar:
        return steady(super().horizontal_scrollbar)

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        return steady(super().vertical_scrollbar)

    # -- data in -----------------------------------------------------------------------------

    def data_changed(self) -> None:
        """Call after feeding the model: resizes the scroll area and redraws."""
        self._update_virtual_size()
        if self.follow:
            self.scroll_to(x=self.live_edge_x, animate=False, immediate=True)
        self.refresh()

    def reset(self, model: LaneModel, hint: str = "") -> None:
        self.model = model
        self.hint = hint
        self.selected = None
        self._selected_missed = None
        self.follow = True
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.data_changed()

    def _update_virtual_size(self) -> None:
        # The width grows in chunks: every change of ``virtual_size`` costs a layout of the
        # whole screen, which at 60 frames a second would be most of the frame.
        columns = math.ceil(self.model.t_max * 1000.0 / self.scale_ms) + 2
        width = LABEL_WIDTH + (columns // WIDTH_CHUNK + 1) * WIDTH_CHUNK
        size = Size(width, len(self.model) + 1)
        set_virtual_size(self, size)
        self._live_edge = columns

    @property
    def live_edge_x(self) -> float:
        """The scroll offset that puts the newest event at the right edge."""
        return max(0.0, self._live_edge - self._time_width() + 1)

    # -- actions -----------------------------------------------------------------------------

    def action_pan(self, columns: int) -> None:
        self.follow = False
        self.scroll_to(x=max(0.0, self.scroll_x + columns), animate=False, immediate=True)
        self.refresh()

    def action_pan_home(self) -> None:
        self.follow = False
        first = min(
            (lane.bars[0].start for lane in self.model.lanes.values() if lane.bars), default=0.0
        )
        self.scroll_to(x=first * 1000.0 / self.scale_ms, animate=False, immediate=True)
        self.refresh()

    def action_follow(self) -> None:
        self.follow = True
        self.data_changed()

    def zoom(self, steps: int) -> None:
        """Zoom in (negative) or out (positive) by whole steps of ``SCALES_MS``, keeping the
        time under the middle of the view where it was."""
        index = min(range(len(SCALES_MS)), key=lambda i: abs(SCALES_MS[i] - self.scale_ms))
        index = max(0, min(len(SCALES_MS) - 1, index + steps))
        middle_ms = (self.scroll_x + self._time_width() / 2) * self.scale_ms
        self.scale_ms = SCALES_MS[index]
        self._update_virtual_size()
        if not self.follow:
            x = middle_ms / self.scale_ms - self._time_width() / 2
            self.scroll_to(x=max(0.0, x), animate=False, immediate=True)
        self.data_changed()

    def select_stale(self, step: int) -> Bar | None:
        """Select the next (``step`` > 0) or previous stale read and bring it into view."""
        bars = list(self.model.stale_bars)
        if not bars:
            return None
        if self.selected in bars:
            index = (bars.index(self.selected) + step) % len(bars)
        else:
            index = len(bars) - 1 if step < 0 or self.follow else 0
        self.show_bar(bars[index])
        return self.selected

    def show_bar(self, bar: Bar) -> None:
        """Select ``bar`` (a stale read), pause following and scroll it into view."""
        self.selected = bar
        self._selected_missed = self.model.missed_bar(bar)
        self.follow = False
        self._update_virtual_size()
        # Scroll once the widget has its size: now if it has one, else when it is laid out
        # (it may be on a tab that is only being brought to the front).
        self._pending = bar
        self.call_after_refresh(self._scroll_to_pending)
        self.post_message(self.Selected(bar, self._selected_missed))
        self.refresh()

    def on_resize(self) -> None:
        self._scroll_to_pending()

    def _scroll_to_pending(self) -> None:
        bar = self._pending
        if bar is None or self.size.width <= LABEL_WIDTH:
            return
        self._pending = None
        x = bar.start * 1000.0 / self.scale_ms - self._time_width() / 3
        self.scroll_to(x=max(0.0, x), animate=False, immediate=True)
        if bar.lane in self.model.order:
            row = self.model.order.index(bar.lane)
            if not self.scroll_y <= row < self.scroll_y + self.size.height - 1:
                self.scroll_to(y=max(0, row - 2), animate=False, immediate=True)
        self.refresh()

    # -- drawing -----------------------------------------------------------------------------

    def watch_scale_ms(self) -> None:
        self._update_virtual_size()
        self.refresh()

    def _time_width(self) -> int:
        return max(1, self.size.width - LABEL_WIDTH)

    def _style(self, name: str) -> Style:
        # Resolving a component style walks the CSS; a frame needs a handful of styles
        # thousands of times, so they are kept until the styles change.
        style = self._style_cache.get(name)
        if style is None:
            style = self._style_cache[name] = (
                self.rich_style if name == "" else self.get_component_rich_style(name)
            )
        return style

    def notify_style_update(self) -> None:
        self._style_cache.clear()
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if width <= 0:
            return Strip.blank(0)
        if y == 0:
            return self._axis(width)
        row = y - 1 + int(self.scroll_y)
        order = self.model.order
        if row >= len(order):
            if row == len(order) and not order and self.hint:
                return Strip([Segment(self.hint[:width], self._style("timeline--hint"))], width)
            return Strip.blank(width, self._style(""))
        return self._lane(order[row], width)

    def _axis(self, width: int) -> Strip:
        style = self._style("timeline--axis")
        columns = self._time_width()
        first = int(self.scroll_x)
        label = f"{self.scale_ms:g}ms/col"[: LABEL_WIDTH - 1].ljust(LABEL_WIDTH)
        cells = [" "] * columns
        step = 12
        start = (-first) % step
        for c in range(start, columns, step):
            text = f"|{(first + c) * self.scale_ms:g}ms"
            for i, ch in enumerate(text):
                if c + i < columns:
                    cells[c + i] = ch
        return Strip([Segment(label, style), Segment("".join(cells), style)], width)

    def _lane(self, name: str, width: int) -> Strip:
        columns = self._time_width()
        first = int(self.scroll_x)
        scale = self.scale_ms / 1000.0
        t0 = first * scale
        t1 = (first + columns) * scale
        now = self.model.t_max
        kinds = [_EMPTY] * columns
        marked = [False] * columns
        lane = self.model.lanes[name]
        selected = self.selected
        missed = self._selected_missed
        for bar in lane.visible(t0, t1):
            end = bar.end if bar.end is not None else now
            c0 = max(0, int(bar.start / scale) - first)
            c1 = min(columns - 1, int(end / scale) - first)
            if bar.kind == "update":
                base = _UPDATE
            elif bar.kind == "read":
                base = _STALE if bar.stale is not None else _READ
            else:
                base = _BACKGROUND
            glyph_kind = base if base != _STALE else _READ
            for c in range(c0, c1 + 1):
                kinds[c] = max(kinds[c], glyph_kind)
            window = bar.window(now)
            if window is not None:
                w0 = max(0, int(window[0] / scale) - first)
                w1 = min(columns - 1, int(window[1] / scale) - first)
                for c in range(w0, w1 + 1):
                    kinds[c] = max(kinds[c], _WINDOW)
            if base == _STALE and 0 <= c1 < columns:
                kinds[c1] = _STALE
            elif bar.detected and 0 <= c1 < columns and kinds[c1] < _DETECTED:
                kinds[c1] = _DETECTED
            if bar is selected or bar is missed:
                for c in range(c0, c1 + 1):
                    marked[c] = True
        segments = [
            Segment(name[: LABEL_WIDTH - 1].ljust(LABEL_WIDTH), self._style("timeline--label"))
        ]
        selected_style = self._style("timeline--selected")
        run_start = 0
        for c in range(1, columns + 1):
            if c == columns or kinds[c] != kinds[run_start] or marked[c] != marked[run_start]:
                kind = kinds[run_start]
                text = (_GLYPH[kind] if kind else " ") * (c - run_start)
                style = self._style(_CLASS[kind] if kind else "")
                if marked[run_start]:
                    style = style + selected_style
                segments.append(Segment(text, style))
                run_start = c
        return Strip(segments, width)
