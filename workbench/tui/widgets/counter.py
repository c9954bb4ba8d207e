"""The stale-read counter: every number with what it means, refreshed at most once a frame."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.containers import Vertical
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Sparkline, Static

from workbench.session.live import BUCKET, LiveStats

__all__ = ["StaleCounter"]


class Figures(Widget):
    """The counter's numbers, drawn line by line. New numbers arrive every frame, and
    usually only two or three of the lines change: only those are drawn again (a whole
    ``Text`` rendered through Textual's content pipeline each frame cost milliseconds),
    and nothing about them asks for a layout (a fixed height)."""

    DEFAULT_CSS = """
    Figures { height: 8; }
    """

    def __init__(self, text: Text, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = text
        self._lines: list[Strip] = []
        self._width = -1

    def show(self, text: Text) -> None:
        old = self._lines
        self.text = text
        self._lines = self._split(self.size.width)
        if len(old) != len(self._lines):
            self.refresh()
            return
        for y, (before, after) in enumerate(zip(old, self._lines, strict=True)):
            if before.text != after.text or before._segments != after._segments:
                self.refresh(Region(0, y, self.size.width, 1))

    def render(self) -> RenderResult:
        return self.text

    def _split(self, width: int) -> list[Strip]:
        self._width = width
        if width <= 0:
            return []
        console = self.app.console
        base = self.rich_style  # the widget's own colours, under the text's styles
        return [
            Strip(line.render(console)).apply_style(base).crop_extend(0, width, base)
            for line in self.text.wrap(console, width)
        ]

    def notify_style_update(self) -> None:
        self._width = -1  # drawn again, in the new colours
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if width != self._width:
            self._lines = self._split(width)
        if y < len(self._lines):
            return self._lines[y]
        return Strip.blank(width, self.rich_style)


class StaleCounter(Vertical):
    """Reads, stale reads, the rate with its interval, kinds, repairs, and a sparkline."""

    DEFAULT_CSS = """
    StaleCounter { height: auto; }
    StaleCounter > Sparkline { height: 1; margin: 0 0; }
    StaleCounter > #counter-caption { color: $text-muted; height: 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.shown: LiveStats | None = None  # what the figures say now

    def compose(self) -> ComposeResult:
        yield Figures(self._figures(None), id="counter-figures")
        yield Sparkline([], id="counter-sparkline")
        yield Static(f"stale per read, each {BUCKET:g}s virtual", id="counter-caption")

    def show(self, stats: LiveStats) -> None:
        """Display ``stats`` if they differ from what is shown."""
        if stats == self.shown:
            return
        self.shown = stats
        self.query_one(Figures).show(self._figures(stats))
        self.query_one(Sparkline).data = list(stats.sparkline)

    @staticmethod
    def _figures(stats: LiveStats | None) -> Text:
        text = Text()
        if stats is None or stats.reads == 0:
            text.append("reads   0\nstale   0\n", style="bold")
            text.append("no reads yet: start the workload", style="dim")
            return text
        text.append(f"reads   {stats.reads:,}\n", style="bold")
        text.append("stale   ", style="bold")
        text.append(f"{stats.stale:,}", style="bold red" if stats.stale else "bold green")
        rate = stats.rate
        text.append(f"   {rate.value * 100:.2f}% of reads\n")
        text.append(f"95% CI  {rate.low * 100:.2f}-{rate.high * 100:.2f}%\n", style="dim")
        for kind, count in stats.by_kind.items():
            text.append(f"  {kind} {count:,}\n", style="red")
        if stats.detected or stats.repaired:
            text.append(
                f"detected {stats.detected:,}  repaired {stats.repaired:,}\n", style="yellow"
            )
        clock = f"t={stats.virtual_seconds:.2f}s virtual, {stats.events:,} events"
        text.append(clock, style="dim")
        if stats.behind:
            text.append("\nbehind real time (CPU budget)", style="yellow")
        return text
