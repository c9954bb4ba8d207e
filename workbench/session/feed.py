"""Digesting events into what the screen shows: bars for the timeline, lines for the log.

A ``FramePacker`` sits next to the simulation (in the app's process, or in the child that
runs the simulation) and turns each batch of events into one ``Frame``: the bars that
changed and the newest log lines. The screen's side then does almost nothing per event,
which is what keeps it drawing while the workload records tens of thousands a second.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple

from cache.events import Event
from cache.logfmt import LogFormatter
from cache.verdicts import StaleRead
from workbench.session.lanes import BarState, LaneModel

__all__ = ["LINES_PER_FRAME", "Frame", "FramePacker", "merge"]

LINES_PER_FRAME = 120  # more than a screenful, far fewer than a busy frame produces


class Frame(NamedTuple):
    """What changed for the screen: bars, log lines, how many lines were skipped, and the
    reads and stale reads among all the events digested so far (for the counter to agree
    with)."""

    bars: list[BarState]
    lines: list[str]
    skipped: int
    t_max: float
    reads: int
    stale: int

    def __reduce__(self) -> tuple[object, ...]:
        # Bars cross the pipe as plain tuples: pickling named tuples costs the simulation's
        # process about seven times as much, for every bar of every frame.
        plain = [tuple(bar) for bar in self.bars]
        return _unpickle, (plain, self.lines, self.skipped, self.t_max, self.reads, self.stale)


def _unpickle(
    bars: list[tuple[object, ...]],
    lines: list[str],
    skipped: int,
    t_max: float,
    reads: int,
    stale: int,
) -> Frame:
    new = tuple.__new__  # as ``BarState._make``, without a Python call per bar
    return Frame([new(BarState, bar) for bar in bars], lines, skipped, t_max, reads, stale)


def merge(frames: Iterable[Frame], limit: int = LINES_PER_FRAME) -> Frame | None:
    """Several frames as one (the screen drew less often than frames were packed)."""
    bars: dict[int, BarState] = {}
    lines: list[str] = []
    skipped = 0
    t_max = 0.0
    last: Frame | None = None
    for frame in frames:
        last = frame
        for bar in frame.bars:
            bars[bar.span] = bar
        lines.extend(frame.lines)
        skipped += frame.skipped
        t_max = max(t_max, frame.t_max)
    if last is None:
        return None
    if len(lines) > limit:
        skipped += len(lines) - limit
        lines = lines[-limit:]
    return Frame(list(bars.values()), lines, skipped, t_max, last.reads, last.stale)


class FramePacker:
    """Turns event batches into frames, remembering what it needs between them."""

    def __init__(
        self, stale_of: Callable[[int], StaleRead | None], lines_per_frame: int = LINES_PER_FRAME
    ) -> None:
        self._stale_of = stale_of
        self._model = LaneModel(keep_bars=False)
        self._formatter = LogFormatter(stale_of)
        self._limit = lines_per_frame

    def pack(self, events: list[Event]) -> Frame:
        self._model.feed(events, self._stale_of)
        lines, skipped = self._formatter.tail(events, self._limit)
        model = self._model
        return Frame(model.take_updates(), lines, skipped, model.t_max, model.reads, model.stale)
