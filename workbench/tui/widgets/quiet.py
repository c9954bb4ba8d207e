"""Growing a scroll area without laying out the whole screen.

Assigning ``virtual_size`` asks Textual for a layout of the whole screen, and after a layout
every widget on it is drawn again. A live log or timeline grows every frame, yet its own place
on the screen does not move: only its scrollbars change. So the new size is set quietly and
the scrollbars updated; a full layout is asked for only when a scrollbar appears or goes.
"""

from __future__ import annotations

from math import ceil
from typing import Self

from textual.geometry import Region, Size
from textual.scrollbar import ScrollBar
from textual.widget import Widget

__all__ = ["SteadyScrollBar", "set_virtual_size", "steady"]


def set_virtual_size(widget: Widget, size: Size) -> None:
    """Give ``widget`` (a scrolling widget of fixed size) the virtual size ``size``."""
    old = widget.virtual_size
    if size == old:
        return
    visible = widget.container_size
    if (
        not widget.is_mounted
        or visible.area == 0
        or (
            (old.width > visible.width) != (size.width > visible.width)
            or (old.height > visible.height) != (size.height > visible.height)
        )
    ):
        widget.virtual_size = size  # scrollbars come or go: the layout changes
        return
    widget.set_reactive(Widget.virtual_size, size)
    widget._scroll_update(size)
    widget.refresh()


class SteadyScrollBar(ScrollBar):
    """A scrollbar that is drawn again only when what it shows changes.

    Following a live run moves the scroll position every frame, which redraws the scrollbar
    every frame (through a Rich renderable, the dearest thing on a live frame after the
    counter), although its thumb moves by an eighth of a cell only every few frames."""

    _painted: tuple[object, ...] | None = None

    def _look(self) -> tuple[object, ...]:
        # What ``ScrollBarRender.render_bar`` draws depends on these, and nothing else.
        size = self.size.height if self.vertical else self.size.width
        virtual = ceil(self.window_virtual_size)
        window = ceil(self.window_size) if self.window_size < self.window_virtual_size else 0
        look: tuple[object, ...] = (self.size, self.mouse_over, self.grabbed is not None)
        if window and size and virtual and size != virtual:
            thumb = max(1, window / (virtual / size))
            position = (size - thumb) * (self.position / (virtual - window))
            start = int(position * 8)
            return (*look, start, start + ceil(thumb * 8))
        return (*look, virtual, window)

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        if not (regions or layout or recompose) and self.is_mounted:
            look = self._look()
            if look == self._painted:
                return self
            self._painted = look
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def notify_style_update(self) -> None:
        self._painted = None  # new colours: draw again
        super().notify_style_update()


def steady(bar: ScrollBar) -> ScrollBar:
    """``bar``, made a ``SteadyScrollBar`` (for a widget's scrollbar properties)."""
    if type(bar) is ScrollBar:
        bar.__class__ = SteadyScrollBar
    return bar
