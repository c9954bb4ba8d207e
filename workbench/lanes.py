"""The timeline's data: one lane per task, one bar per top-level call.

No Textual here: the model turns batches of events into bars, and the widget only draws
them. Memory is bounded (a lane keeps its newest bars), so a long live run stays flat.
"""

from __future__ import annotations

import re
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator

from cache.events import Event, Op, Phase
from cache.oracle import StaleRead

__all__ = ["Bar", "Lane", "LaneModel"]

BARS_PER_LANE = 4_096
_TOP = {Op.UPDATE: "update", Op.GET: "read", Op.PREWARM: "background", Op.REFRESH: "background"}
_NUMBER = re.compile(r"(\d+)$")


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
    """Bars by lane, built incrementally from events."""

    def __init__(self) -> None:
        self.lanes: dict[str, Lane] = {}
        self.order: list[str] = []
        self._open: dict[int, Bar] = {}
        self._by_write: OrderedDict[int, Bar] = OrderedDict()
        self.stale_bars: deque[Bar] = deque(maxlen=1_000)
        self.t_max = 0.0
        self.changed: set[str] = set()
        self.version = 0  # bumped on every feed; the widget caches strips against it

    def clear(self) -> None:
        self.__init__()  # type: ignore[misc]

    def lane(self, name: str) -> Lane:
        lane = self.lanes.get(name)
        if lane is None:
            lane = self.lanes[name] = Lane(name)
            self.order.append(name)
            self.order.sort(key=_lane_order)
        return lane

    def feed(self, events: Iterable[Event], stale_of: Callable[[int], StaleRead | None]) -> None:
        """Take new events. ``stale_of(span)`` tells whether a completed read was stale."""
        changed = self.changed
        opened = self._open
        for event in events:
            self.t_max = max(self.t_max, event.time)
            kind = _TOP.get(event.op)
            if kind is not None and event.parent == 0:
                if event.phase is Phase.START:
                    bar = Bar(event.span, kind, event.key, event.time, event.task)
                    self.lane(event.task).bars.append(bar)
                    opened[event.span] = bar
                    if kind == "update":
                        bar.version = event.version
                    changed.add(event.task)
                    continue
                closing = opened.pop(event.span, None)
                if closing is None:
                    continue
                closing.end = event.time
                if kind == "read":
                    closing.version = event.version
                    verdict = stale_of(event.span)
                    if verdict is not None:
                        closing.stale = verdict
                        self.stale_bars.append(closing)
                changed.add(event.task)
                continue
            parent = opened.get(event.parent)
            if parent is None:
                continue
            if parent.kind == "update":
                if event.op in (Op.SET, Op.EXEC) and event.version is not None:
                    if event.phase is Phase.START:
                        self._remember(self._by_write, event.span, parent)
                    elif event.phase is Phase.COMPLETE and event.note != "aborted":
                        parent.ack = event.time
                        if event.op is Op.EXEC:
                            parent.window_end = event.time
                elif event.op is Op.DELETE and event.phase is Phase.COMPLETE:
                    parent.window_end = event.time
            elif event.op is Op.INCONSISTENT and event.phase is Phase.START:
                parent.detected = True
        self.version += 1

    def _remember(self, index: OrderedDict[int, Bar], span: int, bar: Bar) -> None:
        index[span] = bar
        if len(index) > BARS_PER_LANE * 4:
            index.popitem(last=False)

    def missed_bar(self, bar: Bar) -> Bar | None:
        """For a stale read, the update bar of the write it missed (if still kept)."""
        if bar.stale is None:
            return None
        return self._by_write.get(bar.stale.missed.span)

    def take_changed(self) -> set[str]:
        changed, self.changed = self.changed, set()
        return changed

    def __len__(self) -> int:
        return len(self.order)
