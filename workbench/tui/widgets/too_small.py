"""The notice shown instead of a broken layout when the terminal is below the supported size.

The app sets breakpoint classes on the screen (``-too-narrow``, ``-too-short``; see
``SCREEN_BREAKPOINTS``); this widget, layered over everything, shows itself only under them,
so nothing is computed per resize and the app underneath keeps running.
"""

from __future__ import annotations

from typing import ClassVar

from textual.widgets import Static

__all__ = [
    "HORIZONTAL_BREAKPOINTS",
    "MIN_HEIGHT",
    "MIN_WIDTH",
    "VERTICAL_BREAKPOINTS",
    "TooSmall",
]

MIN_WIDTH, MIN_HEIGHT = 80, 24
# Below the minimum: the notice. From it up to 100 columns: the compact layout
# (workbench.tcss). Wider: the full one.
HORIZONTAL_BREAKPOINTS = [(0, "-too-narrow"), (MIN_WIDTH, "-compact"), (100, "-roomy")]
VERTICAL_BREAKPOINTS = [(0, "-too-short"), (MIN_HEIGHT, "-tall-enough")]


class TooSmall(Static):
    """Says the terminal is too small, and how big it must be."""

    # Not scoped: the rules below select on the screen's classes, outside this widget.
    SCOPED_CSS: ClassVar[bool] = False
    DEFAULT_CSS = """
    TooSmall {
        display: none; layer: notice; dock: top; width: 100%; height: 100%;
        content-align: center middle; text-align: center; padding: 1 2;
        background: $background; color: $text; text-style: bold;
    }
    Screen.-too-narrow TooSmall, Screen.-too-short TooSmall { display: block; }
    """

    def __init__(self) -> None:
        super().__init__(
            f"Terminal too small.\nRace Workbench needs at least {MIN_WIDTH}x{MIN_HEIGHT} "
            "(columns x rows).\nMake the window larger, or press q to quit.",
            id="too-small",
        )
