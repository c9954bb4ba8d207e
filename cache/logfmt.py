"""A history as a timestamped log, in the shape of the story's timing logs.

Top-level calls print a START and a COMPLETE line; their round trips print when they
complete, prefixed by the call they belong to (``updateCache cache.set COMPLETE``); each
stale read is marked with the write it missed. Plain text only: the core never imports a UI
toolkit, so the CLI prints these lines and the TUI styles them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator

from cache.events import Event, Op, Phase, Source
from cache.verdicts import StaleRead

__all__ = ["LogFormatter", "format_time", "is_headline"]

_TOP_LEVEL = (Op.UPDATE, Op.GET)
_BACKGROUND = (Op.PREWARM, Op.REFRESH)


def format_time(seconds: float) -> str:
    """``[  12.345ms]``: fixed width, so columns line up."""
    return f"[{seconds * 1000.0:9.3f}ms]"


def is_headline(event: Event, parent_op: Op | None) -> bool:
    """Whether the default (non-verbose) log shows this event."""
    if event.op in _TOP_LEVEL:
        return True
    if event.op in _BACKGROUND or event.op is Op.INCONSISTENT:
        return event.phase is not Phase.START or event.op is Op.INCONSISTENT
    if parent_op in _TOP_LEVEL:
        return event.phase is not Phase.START
    return False


class LogFormatter:
    """Formats events one at a time (it remembers open spans to name their parents)."""

    def __init__(
        self,
        stale_of: Callable[[int], StaleRead | None] | None = None,
        *,
        verbose: bool = False,
    ) -> None:
        # ``stale_of(span)``: the verdict on a completed read, if it was stale.
        self._stale_of = stale_of if stale_of is not None else (lambda span: None)
        self._ops: dict[int, Op] = {}
        self._versions: dict[int, int | None] = {}
        self.verbose = verbose

    def _track(self, event: Event) -> tuple[Op | None, int | None] | None:
        """Note ``event``'s span; returns what rendering it needs, or ``None`` if this level
        of detail hides it."""
        parent_op = self._ops.get(event.parent)
        if event.phase is Phase.START:
            self._ops[event.span] = event.op
            self._versions[event.span] = event.version
            written = None
        else:
            self._ops.pop(event.span, None)
            written = self._versions.pop(event.span, None)
        if not self.verbose and not is_headline(event, parent_op):
            return None
        return parent_op, written

    def line(self, event: Event) -> str | None:
        """The log line for ``event``, or ``None`` if this level of detail hides it."""
        shown = self._track(event)
        return None if shown is None else self._render(event, *shown)

    def lines(self, events: Iterable[Event]) -> Iterator[str]:
        for event in events:
            text = self.line(event)
            if text is not None:
                yield text

    def tail(self, events: Iterable[Event], limit: int) -> tuple[list[str], int]:
        """The last ``limit`` lines of ``events`` and how many earlier lines were skipped.
        Every event is tracked, but only the lines kept are formatted: at tens of thousands
        of events a second, formatting lines nobody will see is most of the cost."""
        if self.verbose:
            shown: deque[tuple[Event, Op | None, int | None]] = deque(maxlen=limit)
            total = 0
            for event in events:
                found = self._track(event)
                if found is not None:
                    shown.append((event, *found))
                    total += 1
            return [self._render(*item) for item in shown], total - len(shown)
        return self._headline_tail(events, limit)

    def _headline_tail(self, events: Iterable[Event], limit: int) -> tuple[list[str], int]:
        # ``_track`` and ``is_headline`` written out in one loop: the live view passes every
        # event of the simulation through here, a hundred thousand a second.
        shown: deque[tuple[Event, Op | None, int | None]] = deque(maxlen=limit)
        keep = shown.append
        total = 0
        ops = self._ops
        versions = self._versions
        start, inconsistent = Phase.START, Op.INCONSISTENT
        for event in events:
            op = event.op
            parent_op = ops.get(event.parent)
            if event.phase is start:
                ops[event.span] = op
                versions[event.span] = event.version
                written = None
                headline = op in _TOP_LEVEL or op is inconsistent
            else:
                ops.pop(event.span, None)
                written = versions.pop(event.span, None)
                headline = (
                    op in _TOP_LEVEL
                    or op in _BACKGROUND
                    or op is inconsistent
                    or parent_op in _TOP_LEVEL
                )
            if headline:
                keep((event, parent_op, written))
                total += 1
        return [self._render(*item) for item in shown], total - len(shown)

    def _render(self, event: Event, parent_op: Op | None, written: int | None) -> str:
        op = event.op.value
        if parent_op is not None and parent_op in _TOP_LEVEL and event.op not in _TOP_LEVEL:
            op = f"{parent_op.value} {op}"
        text = f"{format_time(event.time)} {event.task:<12} {op} {event.phase.value}: {event.key}"
        version = event.version if event.version is not None else written
        if event.op is Op.UPDATE and event.phase is Phase.START:
            text += f" -> v{event.version}"
        elif event.op is Op.GET and event.phase is Phase.COMPLETE:
            got = "nothing" if event.version is None else f"v{event.version}"
            where = (
                f" (from {event.source.value})" if event.source not in (None, Source.NONE) else ""
            )
            text += f" = {got}{where}"
        elif event.op in (Op.SET, Op.EXEC) and version is not None:
            text += f" = v{version}"
        elif event.op in (Op.READ, Op.REBUILD, Op.VERSION) and event.phase is Phase.COMPLETE:
            text += " = absent" if event.version is None else f" = v{event.version}"
        if event.note:
            text += f" ({event.note})"
        verdict = self._stale_of(event.span) if event.phase is Phase.COMPLETE else None
        if verdict is not None:
            text += f"  <-- STALE ({verdict.kind.value}): {verdict.short()}"
        return text
