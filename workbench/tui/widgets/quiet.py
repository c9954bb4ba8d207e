"""Growing a scroll area without laying out the whole screen.

Assigning ``virtual_size`` asks Textual for a layout of the whole screen, and after a layout
every widget on it is drawn again. A live log or timeline grows every frame, yet its own place
on the screen does not move: only its scrollbars change. So the new size is set quietly and
the scrollbars updated; a full layout is asked for only when a scrollbar appears or goes.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.widget import Widget

__all__ = ["set_virtual_size"]


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
