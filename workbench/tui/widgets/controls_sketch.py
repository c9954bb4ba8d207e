"""What the live run's controls look like, drawn by one plain widget.

The first screen shows this instead of the real fields: ten Inputs and two Selects are some
sixty widgets, each styled and mounted before anything is painted, which roughly doubled the
time to the first frame. ``Controls.build`` swaps the real fields in right after that frame
(the app queues it before any key), so what is drawn here only has to match how the real
fields look when nothing is focused and nothing has been typed yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import RenderResult
from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget

__all__ = ["ControlsSketch", "Row"]

# A knob's row: its label, the value shown in the field (None: a line of text alone, as the
# section's heading), and whether that value is a placeholder.
Row = tuple[str, str | None, bool]

LABEL_WIDTH = 10  # as ``Controls .knob Label``
ARROW = "▼"  # Select's closed arrow


def _select_box(value: str, width: int) -> list[Content]:
    """A closed Select showing ``value``, as Textual draws one (a ``tall`` border around
    SelectCurrent's two cells of padding), and the blank line of its margin below."""
    inner = max(0, width - 2)
    left = ("▊", "reverse $border-blurred")  # Textual's tall border: reversed, outside
    right = ("▎", "$border-blurred")
    # The label takes what the arrow (one cell and one of padding) leaves.
    label = Content(value).truncate(max(0, inner - 6), pad=True)
    middle = Content.assemble(
        "  ", (label.plain, "$foreground"), " ", (ARROW, "$foreground 50%"), "  "
    ).truncate(inner, pad=True).stylize("on $surface")
    return [
        Content.assemble(left, ("▔" * inner, "$border-blurred on $surface"), right),
        Content.assemble(left, middle, right),
        Content.assemble(left, ("▁" * inner, "$border-blurred on $surface"), right),
        Content(""),
    ]


class ControlsSketch(Widget):
    """The controls as the first screen shows them, before the real fields are mounted: one
    widget, as each widget on the first screen costs its start a millisecond or two.

    Top to bottom: the strategy's Select, the knob rows, a blank line and the section's
    heading, the backend's Select, the URL's row and a blank line (where errors are shown).
    A knob's row is a muted label, then the compact field's value on its lighter ground.
    """

    DEFAULT_CSS = """
    ControlsSketch { width: 1fr; height: auto; color: $text-muted; }
    ControlsSketch > .controls-sketch--placeholder { color: $text-disabled; }
    """
    # A component class, not a colour in the text: $text-disabled is not a plain colour.
    COMPONENT_CLASSES: ClassVar[set[str]] = {"controls-sketch--placeholder"}

    def __init__(
        self, strategy: str, rows: Sequence[Row], section: str, backend: str, url_row: Row
    ) -> None:
        super().__init__(id="controls-sketch")
        self._strategy = strategy
        blank: Row = ("", None, False)
        self._rows = (*rows, blank, (section, None, False))
        self._backend = backend
        self._url_rows = (url_row, blank)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 4 + len(self._rows) + 4 + len(self._url_rows)

    def show_backend(self, backend: str) -> None:
        """The target changed before the real fields were built."""
        self._backend = backend
        self.refresh()

    def render(self) -> RenderResult:
        width = self.content_size.width
        lines = _select_box(self._strategy, width)
        lines += self._knob_rows(self._rows, width)
        lines += _select_box(self._backend, width)
        lines += self._knob_rows(self._url_rows, width)
        return Content("\n").join(lines)

    def _knob_rows(self, rows: Sequence[Row], width: int) -> list[Content]:
        field = max(0, width - LABEL_WIDTH)
        placeholder_style = self.get_visual_style("controls-sketch--placeholder")
        lines = []
        for label, value, placeholder in rows:
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
        return lines
