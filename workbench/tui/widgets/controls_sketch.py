"""What the live run's controls look like, drawn by a handful of plain widgets.

The first screen shows this instead of the real fields: ten Inputs and two Selects are some
sixty widgets, each styled and mounted before anything is painted, which roughly doubled the
time to the first frame. ``Controls.build`` swaps the real fields in right after that frame
(the app queues it before any key), so what is drawn here only has to match how the real
fields look when nothing is focused and nothing has been typed yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult, RenderResult
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget

__all__ = ["ControlsSketch", "Row"]

# A knob's row: its label, the value shown in the field (None: a line of text alone, as the
# section's heading), and whether that value is a placeholder.
Row = tuple[str, str | None, bool]

LABEL_WIDTH = 10  # as ``Controls .knob Label``
ARROW = "▼"  # Select's closed arrow


class _SelectSketch(Widget):
    """A closed Select showing ``value`` (SelectCurrent's look)."""

    DEFAULT_CSS = """
    _SelectSketch {
        border: tall $border-blurred; color: $foreground; background: $surface;
        width: 1fr; height: 3; padding: 0 2; margin: 0 0 1 0;
    }
    """

    def __init__(self, value: str) -> None:
        super().__init__()
        self.value = value

    def show(self, value: str) -> None:
        self.value = value
        self.refresh()

    def render(self) -> RenderResult:
        # The label takes what the arrow (one cell and one of padding) leaves.
        width = max(0, self.content_size.width - 2)
        return Content.assemble(
            Content(self.value).truncate(width, pad=True), " ", (ARROW, "$foreground 50%")
        )


class _RowsSketch(Widget):
    """Knob rows: a muted label, then the compact field's value on its lighter ground.
    Headings and blank lines are rows too: each widget less is one less to style."""

    DEFAULT_CSS = """
    _RowsSketch { width: 1fr; height: auto; color: $text-muted; }
    _RowsSketch > .placeholder { color: $text-disabled; }
    """
    # A component class, not a colour in the text: $text-disabled is not a plain colour.
    COMPONENT_CLASSES: ClassVar[set[str]] = {"placeholder"}

    def __init__(self, rows: Sequence[Row]) -> None:
        super().__init__()
        self.rows = tuple(rows)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.rows)

    def render(self) -> RenderResult:
        field = max(0, self.content_size.width - LABEL_WIDTH)
        placeholder_style = self.get_visual_style("placeholder")
        lines = []
        for label, value, placeholder in self.rows:
            if value is None:
                lines.append(Content(label))
                continue
            # The field: one cell of padding each side, the text cut to what fits.
            text = Content(value).truncate(max(0, field - 2), pad=True)
            lines.append(
                Content.assemble(
                    label.ljust(LABEL_WIDTH)[:LABEL_WIDTH],
                    Content.assemble(
                        " ", (text.plain, placeholder_style if placeholder else "$foreground"), " "
                    )
                    .truncate(field, pad=True)
                    .stylize("on $boost"),
                )
            )
        return Content("\n").join(lines)


class ControlsSketch(Vertical):
    """The controls as the first screen shows them, before the real fields are mounted."""

    DEFAULT_CSS = """
    ControlsSketch { height: auto; }
    """

    def __init__(
        self, strategy: str, rows: Sequence[Row], section: str, backend: str, url_row: Row
    ) -> None:
        super().__init__(id="controls-sketch")
        self._strategy = strategy
        self._rows = rows
        self._section = section
        self._backend = backend
        self._url_row = url_row

    def compose(self) -> ComposeResult:
        blank: Row = ("", None, False)
        yield _SelectSketch(self._strategy)
        yield _RowsSketch([*self._rows, blank, (self._section, None, False)])
        yield _SelectSketch(self._backend)
        yield _RowsSketch([self._url_row, blank])  # the blank: where errors are shown

    def show_backend(self, backend: str) -> None:
        """The target changed before the real fields were built."""
        self._backend = backend
        selects = list(self.query(_SelectSketch))
        if len(selects) == 2:
            selects[1].show(backend)
