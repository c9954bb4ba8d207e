"""The recorded history of a run, and the recorder that fills it.

A ``History`` is append-only and addressed by absolute position, so a consumer (the TUI, once
per frame) keeps a cursor and asks for what came after it. With ``maxlen`` set it keeps only
the newest events: a ten-minute live run must not grow without bound, and a consumer that
falls behind simply skips what was dropped (``since`` says how many).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from itertools import islice
from typing import NamedTuple

from cache.events import Event, Op, Phase, Source

__all__ = ["History", "Recorder", "Slice", "Span"]


class Slice(NamedTuple):
    """What ``History.since`` returns: new events, the cursor to ask with next, and how many
    events the consumer missed because the bounded history had already dropped them."""

    events: list[Event]
    cursor: int
    dropped: int


class History:
    """An append-only sequence of events, optionally bounded to the newest ``maxlen``."""

    __slots__ = ("_events", "_total", "maxlen")

    def __init__(self, maxlen: int | None = None) -> None:
        if maxlen is not None and maxlen <= 0:
            raise ValueError(f"maxlen must be positive, not {maxlen}")
        self.maxlen = maxlen
        self._events: deque[Event] = deque(maxlen=maxlen)
        self._total = 0

    def append(self, event: Event) -> None:
        self._events.append(event)
        self._total += 1

    @property
    def total(self) -> int:
        """How many events were ever appended (the cursor just past the newest)."""
        return self._total

    @property
    def first(self) -> int:
        """The absolute position of the oldest event still kept."""
        return self._total - len(self._events)

    def since(self, cursor: int) -> Slice:
        """Events at absolute positions ``cursor`` and later, oldest first."""
        cursor = max(cursor, 0)
        first = self.first
        dropped = max(first - cursor, 0)
        wanted = self._total - max(cursor, first)
        if wanted <= 0:
            return Slice([], self._total, dropped)
        # Walk from the newest end: the consumer is almost always near it, and deque
        # indexing into the middle is linear.
        tail = list(islice(reversed(self._events), wanted))
        tail.reverse()
        return Slice(tail, self._total, dropped)

    def __len__(self) -> int:
        return len(self._events)

    def __iter__(self) -> Iterator[Event]:
        return iter(self._events)

    def __repr__(self) -> str:
        bound = "unbounded" if self.maxlen is None else f"maxlen={self.maxlen}"
        return f"<History {len(self._events)} kept of {self._total} ({bound})>"


class Span:
    """An open span, as a context manager: the block's outcome completes it.

    Set ``version``, ``source`` or ``note`` inside the block for its ``COMPLETE`` event; an
    exception leaving the block records ``FAILED`` (with ``note``) and propagates, and
    ``fail(note)`` records ``FAILED`` without one.
    """

    __slots__ = (
        "_recorder",
        "failed",
        "id",
        "key",
        "note",
        "op",
        "parent",
        "source",
        "task",
        "version",
    )

    def __init__(self, recorder: Recorder, span: int, op: Op, key: str, task: str, parent: int):
        self._recorder = recorder
        self.id = span
        self.op = op
        self.key = key
        self.task = task
        self.parent = parent
        self.version: int | None = None
        self.source: Source | None = None
        self.note = ""
        self.failed = False

    def fail(self, note: str = "") -> None:
        """End the span as FAILED when the block exits, though nothing was raised."""
        self.failed = True
        self.note = note

    def __enter__(self) -> Span:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: object, tb: object) -> None:
        if kind is None and not self.failed:
            self._recorder.complete(
                self.id, version=self.version, source=self.source, note=self.note
            )
        else:
            self._recorder.complete(self.id, note=self.note, failed=True)


class Recorder:
    """Turns ``start``/``complete`` calls into events, tracking each task's open spans.

    The clock and the name of the running task come from the runtime, so the same recorder
    serves virtual time in the simulator and real time against a real server.
    """

    __slots__ = ("_clock", "_keep", "_open", "_seq", "_sink", "_stacks", "_task_name", "history")

    def __init__(
        self,
        history: History,
        clock: Callable[[], float],
        task_name: Callable[[], str],
        sink: Callable[[Event], object] | None = None,
    ) -> None:
        self.history = history
        # The history's own deque, appended to here (and its count kept here) rather than
        # through ``History.append``: a call less for each of tens of thousands of events.
        self._keep = history._events.append
        # ``sink`` sees every event as it is recorded (the live oracle), even those a bounded
        # history will later drop.
        self._sink = sink
        self._clock = clock
        self._task_name = task_name
        self._seq = 0
        self._open: dict[int, Span] = {}
        self._stacks: dict[str, list[int]] = {}

    def start(self, op: Op, key: str, *, version: int | None = None, note: str = "") -> int:
        """Open a span in the running task; returns its id for ``complete``."""
        return self.span(op, key, version=version, note=note).id

    def span(self, op: Op, key: str, *, version: int | None = None, note: str = "") -> Span:
        """Open a span in the running task, to be completed by ``with`` (see ``Span``)."""
        task = self._task_name()
        stack = self._stacks.get(task)
        if stack is None:
            stack = self._stacks[task] = []
        parent = stack[-1] if stack else 0
        self._seq += 1
        span = self._seq
        stack.append(span)
        opened = self._open[span] = Span(self, span, op, key, task, parent)
        event = Event(
            span, self._clock(), Phase.START, span, parent, task, op, key, version, None, note
        )
        self._keep(event)
        self.history._total += 1
        if self._sink is not None:
            self._sink(event)
        return opened

    def complete(
        self,
        span: int,
        *,
        version: int | None = None,
        source: Source | None = None,
        note: str = "",
        failed: bool = False,
    ) -> None:
        """Close a span opened by ``start``."""
        opened = self._open.pop(span)
        op, key, task, parent = opened.op, opened.key, opened.task, opened.parent
        stack = self._stacks[task]
        # Spans close in LIFO order within a task; tolerate a strategy that got it wrong
        # rather than corrupting every later parent link.
        if stack and stack[-1] == span:
            stack.pop()
        elif span in stack:
            stack.remove(span)
        self._seq += 1
        phase = Phase.FAILED if failed else Phase.COMPLETE
        event = Event(
            self._seq, self._clock(), phase, span, parent, task, op, key, version, source, note
        )
        self._keep(event)
        self.history._total += 1
        if self._sink is not None:
            self._sink(event)

    def note(self, op: Op, key: str, note: str, *, version: int | None = None) -> None:
        """Record an instant: a span that starts and completes at once."""
        span = self.start(op, key, version=version, note=note)
        self.complete(span, version=version, note=note)

    @property
    def open_spans(self) -> int:
        """How many spans are started but not yet completed."""
        return len(self._open)
