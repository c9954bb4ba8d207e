"""Verdict-only recording: what a batch needs from a run, without the run's history.

A batch keeps each run's verdict (counts, and whether it failed), never its events: a failing
run is re-simulated from its seed, with everything recorded, when someone opens it. So a run
in a batch records only what the oracle judges - reads (``getCache``), writes of a primary
(``cache.set``, ``cache.exec``) and detected inconsistencies - and merely counts every other
event. The oracle sees the same judged events in the same order as with a full recording
(numbered consecutively among themselves, which keeps their order), so its verdicts are the
same; ``tests/test_verdict_path.py`` checks whole batches against the full path.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from cache.backends.base import Backend, Snapshot
from cache.backends.traced import TracedBackend
from cache.events import Event, Op, Phase, Source
from cache.history import History, Recorder, Span
from cache.oracle import JUDGED_OPS, Oracle

__all__ = ["VerdictBackend", "VerdictRecorder"]

JUDGED = JUDGED_OPS

_QUIET = 0  # the id of every span that is only counted


class _QuietSpan(Span):
    """A span the oracle never looks at: its end is counted, nothing else."""

    __slots__ = ()

    def __init__(self, recorder: VerdictRecorder) -> None:
        super().__init__(recorder, _QUIET, Op.DELAY, "", "", 0)

    def fail(self, note: str = "") -> None:
        pass

    def __exit__(self, kind: type[BaseException] | None, error: object, tb: object) -> None:
        self._recorder.events += 1  # type: ignore[attr-defined]


class VerdictRecorder(Recorder):
    """A ``Recorder`` that feeds the judged events straight to ``oracle`` and stores none.

    ``events`` is how many events a full recording of the same run would hold.
    """

    __slots__ = ("_feed", "_quiet", "_spans", "events")

    def __init__(
        self, oracle: Oracle, clock: Callable[[], float], task_name: Callable[[], str]
    ) -> None:
        super().__init__(History(1), clock, task_name)
        self._feed = oracle.feed
        self._quiet = _QuietSpan(self)
        self._spans: dict[int, Span] = {}
        self.events = 0

    def start(self, op: Op, key: str, *, version: int | None = None, note: str = "") -> int:
        if op not in JUDGED:
            self.events += 1
            return _QUIET
        return self.span(op, key, version=version, note=note).id

    def span(self, op: Op, key: str, *, version: int | None = None, note: str = "") -> Span:
        self.events += 1
        if op not in JUDGED:
            return self._quiet
        self._seq += 1
        seq = self._seq
        task = self._task_name()
        opened = self._spans[seq] = Span(self, seq, op, key, task, 0)
        self._feed(
            Event(seq, self._clock(), Phase.START, seq, 0, task, op, key, version, None, note)
        )
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
        self.events += 1
        if span == _QUIET:
            return
        opened = self._spans.pop(span)
        self._seq += 1
        phase = Phase.FAILED if failed else Phase.COMPLETE
        self._feed(
            Event(
                self._seq,
                self._clock(),
                phase,
                span,
                0,
                opened.task,
                opened.op,
                opened.key,
                version,
                source,
                note,
            )
        )

    @property
    def open_spans(self) -> int:
        return len(self._spans)


class VerdictBackend(TracedBackend):
    """``TracedBackend`` for a ``VerdictRecorder``: the calls the oracle never judges go
    straight to the store (no span, no extra coroutine), counted as the two events a full
    recording would hold; writes are traced as ever."""

    def __init__(self, inner: Backend, recorder: VerdictRecorder) -> None:
        super().__init__(inner, recorder)
        self._counter = recorder

    def read(
        self, key: str, related: Sequence[str], *, respect_lock: bool = False
    ) -> Coroutine[Any, Any, Snapshot]:
        self._counter.events += 2
        return self.inner.read(key, related, respect_lock=respect_lock)

    def delete(self, keys: Sequence[str]) -> Coroutine[Any, Any, int]:
        self._counter.events += 2
        return self.inner.delete(keys)

    def rebuild(
        self, key: str, related: Sequence[str]
    ) -> Coroutine[Any, Any, int | None]:
        self._counter.events += 2
        return self.inner.rebuild(key, related)

    def version(self, key: str) -> Coroutine[Any, Any, int | None]:
        self._counter.events += 2
        return self.inner.version(key)

    def lock(self, key: str, ttl: float) -> Coroutine[Any, Any, tuple[str, int]]:
        self._counter.events += 2
        return self.inner.lock(key, ttl)

    def unlock(self, key: str, token: str) -> Coroutine[Any, Any, bool]:
        self._counter.events += 2
        return self.inner.unlock(key, token)

    def touch(self, keys: Sequence[str], ttl: float) -> Coroutine[Any, Any, int]:
        self._counter.events += 2
        return self.inner.touch(keys, ttl)
