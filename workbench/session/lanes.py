"""The timeline's data: one lane per task, one bar per top-level call.

No Textual here. A ``LaneModel`` turns events into bars (``feed``) and can hand out what
changed as plain ``BarState`` tuples (``take_updates``), which another ``LaneModel`` applies
(``apply``). That split lets the digesting happen next to the simulation, in another process,
while the screen's side only receives a few tuples per frame. Memory is bounded: a lane
keeps its newest bars.
"""

from __future__ import annotations

import re
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from cache.events import ABORTED, Event, Op, Phase
from cache.verdicts import StaleRead

__all__ = ["BARS_PER_LANE", "Bar", "BarState", "Lane", "LaneModel"]

# A lane's newest bars, the timeline's scrollback. The screen's model holds about 500 bytes
# a bar, and 72 lanes of 512 took the app several minutes and ~25 MB to fill; 256 is still
# more than the 50,000 events the live run keeps (``HISTORY_EVENTS``) span on most lanes.
BARS_PER_LANE = 256
_INDEX_SLACK = 4_096
_TOP = {Op.UPDATE: "update", Op.GET: "read", Op.PREWARM: "background", Op.REFRESH: "background"}
_NUMBER = re.compile(r"(\d+)$")
_new_tuple = tuple.__new__


class BarState(NamedTuple):
    """Everything about a bar, as plain values that cross a process boundary cheaply."""

    span: int
    lane: str
    kind: str
    key: str
    start: float
    end: float | None
    ack: float | None
    window_end: float | None
    version: int | None
    stale: StaleRead | None
    detected: bool
    writes: tuple[int, ...]


class Bar:
    """One call on one lane. Times are virtual seconds; ``end`` is ``None`` while open."""

    __slots__ = (
        "ack",
        "detected",
        "end",
        "key",
        "kind",
        "lane",
        "span",
        "stale",
        "start",
        "version",
        "window_end",
        "writes",
    )

    def __init__(self, span: int, kind: str, key: str, start: float, lane: str) -> None:
        self.span = span
        self.kind = kind
        self.key = key
        self.start = start
        self.lane = lane
        self.end: float | None = None
        self.ack: float | None = None  # when an update's new value was acknowledged
        self.window_end: float | None = None  # when its related entries were all invalidated
        self.version: int | None = None
        self.stale: StaleRead | None = None
        self.detected = False
        self.writes: tuple[int, ...] = ()  # the store writes (spans) this update made

    def state(self) -> BarState:
        # ``tuple.__new__`` rather than ``BarState(...)``: the named tuple's own constructor
        # takes keywords and costs several times as much, for every bar of every frame.
        return _new_tuple(
            BarState,
            (
                self.span,
                self.lane,
                self.kind,
                self.key,
                self.start,
                self.end,
                self.ack,
                self.window_end,
                self.version,
                self.stale,
                self.detected,
                self.writes,
            ),
        )

    def window(self, now: float) -> tuple[float, float] | None:
        """The race window: from the acknowledgement to the last invalidation (or to
        ``now``, while the update is still going)."""
        if self.kind != "update" or self.ack is None:
            return None
        end = self.window_end if self.window_end is not None else self.end
        if end is None:
            end = now
        if end <= self.ack:
            return None
        return self.ack, end

    def __repr__(self) -> str:
        return f"<Bar {self.kind} {self.lane} {self.start:.6f}-{self.end} v{self.version}>"


def _lane_order(name: str) -> tuple[int, str, int]:
    group = (
        0
        if name.startswith("writer") or name == "updater"
        else (1 if name.startswith("reader") or name == "test" else 2)
    )
    number = _NUMBER.search(name)
    return group, _NUMBER.sub("", name), int(number.group(1)) if number else 0


class Lane:
    __slots__ = ("bars", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self.bars: deque[Bar] = deque(maxlen=BARS_PER_LANE)

    def visible(self, t0: float, t1: float) -> Iterator[Bar]:
        """Bars that overlap [t0, t1], newest first (the live view looks at the end)."""
        for bar in reversed(self.bars):
            end = bar.end if bar.end is not None else float("inf")
            if end < t0:
                # Bars on a lane follow one another, so everything older ends earlier.
                return
            if bar.start <= t1:
                yield bar


class LaneModel:
    """Bars by lane, built from events (``feed``) or from another model's updates
    (``apply``)."""

    def __init__(self, *, keep_bars: bool = True) -> None:
        # ``keep_bars=False``: a model that only digests events into updates for another
        # process (it keeps the open calls, not lanes of finished bars nobody draws here).
        self._keep = keep_bars
        self.lanes: dict[str, Lane] = {}
        self.order: list[str] = []
        self._open: dict[int, Bar] = {}
        self._by_span: OrderedDict[int, Bar] = OrderedDict()
        self._by_write: OrderedDict[int, Bar] = OrderedDict()
        self._touched: dict[int, Bar] = {}
        self.stale_bars: deque[Bar] = deque(maxlen=1_000)
        self.t_max = 0.0
        # Every read that completed, and every stale one, since the run began: exact, while
        # the bars themselves are bounded. The counter must agree with these at all times.
        self.reads = 0
        self.stale = 0

    def lane(self, name: str) -> Lane:
        lane = self.lanes.get(name)
        if lane is None:
            lane = self.lanes[name] = Lane(name)
            self.order.append(name)
            self.order.sort(key=_lane_order)
        return lane

    def feed(self, events: Iterable[Event], stale_of: Callable[[int], StaleRead | None]) -> None:
        """Take new events. ``stale_of(span)`` tells whether a completed read was stale."""
        opened = self._open
        touched = self._touched
        keep = self._keep
        t_max = self.t_max
        for event in events:
            t_max = event.time if event.time > t_max else t_max
            kind = _TOP.get(event.op)
            if kind is not None and event.parent == 0:
                if event.phase is Phase.START:
                    bar = Bar(event.span, kind, event.key, event.time, event.task)
                    if kind == "update":
                        bar.version = event.version
                    if keep:
                        self._add(bar)
                    opened[event.span] = bar
                    touched[bar.span] = bar
                    continue
                closing = opened.pop(event.span, None)
                if closing is None:
                    continue
                closing.end = event.time
                if kind == "read" and event.phase is Phase.COMPLETE:
                    self.reads += 1
                    closing.version = event.version
                    verdict = stale_of(event.span)
                    if verdict is not None:
                        self.stale += 1
                        closing.stale = verdict
                        if keep:
                            self.stale_bars.append(closing)
                touched[closing.span] = closing
                continue
            parent = opened.get(event.parent)
            if parent is None:
                continue
            if parent.kind == "update":
                op = event.op
                if (op is Op.SET or op is Op.EXEC) and event.version is not None:
                    if event.phase is Phase.START:
                        parent.writes = (*parent.writes, event.span)
                        if keep:
                            self._index(self._by_write, event.span, parent)
                    elif event.phase is Phase.COMPLETE and event.note != ABORTED:
                        parent.ack = event.time
                        if op is Op.EXEC:
                            parent.window_end = event.time
                    touched[parent.span] = parent
                elif op is Op.DELETE and event.phase is Phase.COMPLETE:
                    parent.window_end = event.time
                    touched[parent.span] = parent
            elif event.op is Op.INCONSISTENT and event.phase is Phase.START:
                parent.detected = True
                touched[parent.span] = parent
        self.t_max = t_max

    def take_updates(self) -> list[BarState]:
        """The bars created or changed since the last call."""
        touched, self._touched = self._touched, {}
        return [bar.state() for bar in touched.values()]

    def apply(
        self,
        updates: Iterable[BarState],
        t_max: float | None = None,
        totals: tuple[int, int] | None = None,
    ) -> None:
        """Take another model's ``take_updates`` (and its ``reads, stale`` totals). This runs
        on the screen's side for every bar of a busy workload, hence the plain loop with
        everything bound locally."""
        if totals is not None:
            self.reads, self.stale = totals
        by_span = self._by_span
        by_write = self._by_write
        lanes = self.lanes
        stale_bars = self.stale_bars
        latest = self.t_max
        for state in updates:
            span = state[0]
            bar = by_span.get(span)
            if bar is None:
                bar = Bar(span, state[2], state[3], state[4], state[1])
                lane = lanes.get(bar.lane)
                if lane is None:
                    lane = self.lane(bar.lane)
                if len(lane.bars) == BARS_PER_LANE:
                    self._forget(lane.bars[0])
                lane.bars.append(bar)
                by_span[span] = bar
            (
                _,
                _,
                _,
                _,
                _,
                end,
                bar.ack,
                bar.window_end,
                bar.version,
                stale,
                bar.detected,
                writes,
            ) = state
            bar.end = end
            if stale is not None and bar.stale is None:
                bar.stale = stale
                stale_bars.append(bar)
            if writes and writes != bar.writes:
                bar.writes = writes
                for write in writes:
                    by_write[write] = bar
            if end is not None and end > latest:
                latest = end
        self.t_max = max(latest, t_max or 0.0)
        # Forget the oldest index entries a little at a time (never a pause to rebuild):
        # bars that old are off their lanes already, or will not change again.
        limit = BARS_PER_LANE * max(len(lanes), 1) + _INDEX_SLACK
        for index in (by_span, by_write):
            while len(index) > limit:
                index.popitem(last=False)

    def _add(self, bar: Bar) -> None:
        lane = self.lane(bar.lane)
        if len(lane.bars) == BARS_PER_LANE:
            self._forget(lane.bars[0])
        lane.bars.append(bar)
        self._index(self._by_span, bar.span, bar)

    def _forget(self, bar: Bar) -> None:
        """Drop the indexes' hold on ``bar``, which is leaving its lane: a bar that is off
        the timeline does not change again, and the write index alone kept tens of
        thousands of them (and the app's memory growing for minutes)."""
        self._by_span.pop(bar.span, None)
        by_write = self._by_write
        for write in bar.writes:
            if by_write.get(write) is bar:
                del by_write[write]

    def _index(self, index: OrderedDict[int, Bar], span: int, bar: Bar) -> None:
        index[span] = bar
        if len(index) > BARS_PER_LANE * max(len(self.lanes), 1) + _INDEX_SLACK:
            index.popitem(last=False)

    def missed_bar(self, bar: Bar) -> Bar | None:
        """For a stale read, the update bar of the write it missed (if still kept)."""
        if bar.stale is None:
            return None
        return self._by_write.get(bar.stale.missed.span)

    def __len__(self) -> int:
        return len(self.order)
