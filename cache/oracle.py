"""The stale-read oracle: which reads returned data that was already out of date.

Definition
----------
The oracle looks only at a history of spans, never inside the cache, so it judges a real
Redis run by the same rule as a simulated one. "Before" means earlier in the history: an
event appended before another happened before it (in the simulator, virtual time and
execution order; against a server, the order in which the single client observed them).

* A **write** of key *k* is a completed ``cache.set`` or ``cache.exec`` span that carries a
  version for *k*. It is **acknowledged** when its span completes. An aborted ``exec`` writes
  nothing; a failed one may or may not have landed, so it is never acknowledged.
* Write *A* **precedes** write *B* when *A* was acknowledged before *B* started: no order of
  events could put *B*'s value under *A*'s.
* A **read** is a completed ``getCache`` span on *k*; it returns a version (or nothing) that
  was written by some write *A*, or by the fixture loaded before the run (which precedes
  every write).
* A read *R* is **stale** when it returns *A*'s value although a write *B* with *A* preceding
  *B* was already visible when *R* started:

  1. *B* had been acknowledged before *R* started, or
  2. another read that completed before *R* started had returned *B*'s value.

  The write *R* **missed** is such a *B* — the one that started last. Reads that overlap a
  write may return either value: they are concurrent, and that is not an anomaly.

The kind of anomaly says how the old value got out: ``missed-invalidation`` when it came
from a related entry that had not been invalidated yet (the story's race),
``stale-primary`` when the primary itself held it (lost or reordered writes), and
``new-then-old`` when only rule 2 applies (a reader saw the new value, a later one the old).

Worked example (the story's log, times in ms)::

    450.0  updater   updateCache START user:123 -> v1
    450.0  updater   cache.set START user:123 = v1
    455.0  updater   cache.set COMPLETE                  <- v1 acknowledged
    456.0  reader-2  getCache START user:123
    458.0  reader-2  getCache COMPLETE v0 (related)      <- stale: v0 precedes v1, and
                                                           v1 was acknowledged at 455 < 456
    460.0  updater   cache.del COMPLETE user:123:profile,...

A read that started at 454 and returned v0 would be fresh: it overlaps the set.

The oracle is streaming: feed it events in history order and it judges each read the moment
the read completes, in O(log n), with memory bounded on long runs. ``docs/oracle.md`` has the
longer version; ``tests/test_oracle.py`` checks it against a literal, brute-force reading of
the definition above on random histories.
"""

from __future__ import annotations

import sys
from bisect import bisect_left
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from enum import StrEnum
from typing import NamedTuple

from cache.events import Event, Op, Phase, Source

__all__ = ["Anomaly", "Oracle", "ReadRef", "StaleRead", "WriteRef"]

_NEVER = sys.maxsize  # the acknowledgement position of a write not (yet) acknowledged
_PRUNE_EVERY = 512


class Anomaly(StrEnum):
    """How a stale value reached the reader."""

    MISSED_INVALIDATION = "missed-invalidation"
    STALE_PRIMARY = "stale-primary"
    NEW_THEN_OLD = "new-then-old"

    @property
    def meaning(self) -> str:
        return _MEANINGS[self]


_MEANINGS = {
    Anomaly.MISSED_INVALIDATION: "an old related entry was served after the primary was updated",
    Anomaly.STALE_PRIMARY: "the primary entry itself held a value older than an acknowledged one",
    Anomaly.NEW_THEN_OLD: "an earlier read had already returned the newer value",
}


class WriteRef(NamedTuple):
    """A write as the oracle knows it. Positions are event sequence numbers."""

    span: int
    task: str
    key: str
    version: int
    start: float
    end: float
    start_seq: int
    end_seq: int

    @property
    def acknowledged(self) -> bool:
        return self.end_seq != _NEVER


class ReadRef(NamedTuple):
    """A completed read."""

    span: int
    task: str
    key: str
    version: int | None
    source: Source
    start: float
    end: float
    start_seq: int
    end_seq: int


class StaleRead(NamedTuple):
    """A stale read, the write it missed, and (if known) the write whose value it returned."""

    read: ReadRef
    missed: WriteRef
    kind: Anomaly
    returned: WriteRef | None

    def explain(self) -> str:
        """One sentence a learner can check against the timeline."""
        r, m = self.read, self.missed
        got = "nothing" if r.version is None else f"v{r.version}"
        where = {Source.RELATED: " from a related entry", Source.PRIMARY: " from the primary"}
        why = (
            f"which another read had already returned at or before {_ms(r.start)}"
            if self.kind is Anomaly.NEW_THEN_OLD
            else f"acknowledged at {_ms(m.end)}, before this read began"
        )
        return (
            f"{r.task} read {r.key} at {_ms(r.start)}-{_ms(r.end)} and got {got}"
            f"{where.get(r.source, '')}, missing v{m.version} written by {m.task} ({why})"
        )


def _ms(seconds: float) -> str:
    return f"{seconds * 1000.0:.3f}ms"


class _KeyState:
    __slots__ = ("ack_best", "ack_seq", "appends_since_prune", "seen_best", "seen_seq", "writes")

    def __init__(self) -> None:
        self.writes: dict[int, WriteRef] = {}
        # Acknowledgements in history order, each with the latest-starting write
        # acknowledged up to then (a running maximum, so one lookup answers rule 1).
        self.ack_seq: list[int] = []
        self.ack_best: list[WriteRef] = []
        # Completed reads in history order, each with the latest-starting write any read
        # had returned up to then (rule 2).
        self.seen_seq: list[int] = []
        self.seen_best: list[WriteRef] = []
        self.appends_since_prune = 0


class _OpenRead(NamedTuple):
    task: str
    key: str
    start: float
    start_seq: int


class Oracle:
    """Judges reads as their events arrive. ``keep`` bounds how many stale reads are kept
    for display (counts are always exact)."""

    def __init__(self, keep: int | None = None) -> None:
        self._keys: dict[str, _KeyState] = {}
        self._open_reads: dict[int, _OpenRead] = {}
        self.stale_reads: deque[StaleRead] = deque(maxlen=keep)
        self._by_span: dict[int, StaleRead] = {}
        self.reads = 0
        self.stale = 0
        self.writes = 0
        self.by_kind: Counter[Anomaly] = Counter()
        self.detected = 0
        self.repaired = 0
        self.last_seq = -1

    # -- input -------------------------------------------------------------------------------

    def preload(self, key: str, version: int) -> None:
        """A value present before the run: it precedes every write of the run."""
        self._state(key).writes[version] = WriteRef(0, "fixture", key, version, -1.0, -1.0, -1, -1)

    def feed(self, event: Event) -> StaleRead | None:
        """Take the next event of the history; returns a verdict when a read turns out stale."""
        self.last_seq = event.seq
        op = event.op
        if op is Op.GET:
            if event.phase is Phase.START:
                self._open_reads[event.span] = _OpenRead(
                    event.task, event.key, event.time, event.seq
                )
                return None
            opened = self._open_reads.pop(event.span, None)
            if opened is None or event.phase is Phase.FAILED:
                return None
            return self._judge(opened, event)
        if op is Op.SET or op is Op.EXEC:
            if event.version is not None:
                self._on_write(event)
            return None
        if op is Op.INCONSISTENT:
            if event.phase is Phase.START:
                self.detected += 1
            elif event.phase is Phase.COMPLETE:
                self.repaired += 1
        return None

    def feed_all(self, events: Iterable[Event]) -> list[StaleRead]:
        """Feed many events; returns the stale reads among them."""
        found = []
        feed = self.feed
        for event in events:
            verdict = feed(event)
            if verdict is not None:
                found.append(verdict)
        return found

    # -- output ------------------------------------------------------------------------------

    def verdict(self, span: int) -> StaleRead | None:
        """The verdict on the read ``span`` if it was stale (and is still kept)."""
        return self._by_span.get(span)

    @property
    def fresh(self) -> int:
        return self.reads - self.stale

    def __iter__(self) -> Iterator[StaleRead]:
        return iter(self.stale_reads)

    def __repr__(self) -> str:
        kinds = ", ".join(f"{k.value}={n}" for k, n in sorted(self.by_kind.items()))
        return f"<Oracle reads={self.reads} stale={self.stale} ({kinds or 'none'})>"

    # -- internals ---------------------------------------------------------------------------

    def _state(self, key: str) -> _KeyState:
        state = self._keys.get(key)
        if state is None:
            state = self._keys[key] = _KeyState()
        return state

    def _on_write(self, event: Event) -> None:
        state = self._state(event.key)
        version = event.version
        assert version is not None
        if event.phase is Phase.START:
            # Known from its start, so a read that sees it before the acknowledgement (a
            # real server applies before it answers) is judged as concurrent with it.
            state.writes[version] = WriteRef(
                event.span,
                event.task,
                event.key,
                version,
                event.time,
                float("inf"),
                event.seq,
                _NEVER,
            )
            return
        pending = state.writes.get(version)
        if pending is None or pending.span != event.span:
            return
        if event.phase is Phase.FAILED:
            return  # may have landed, never acknowledged: stays concurrent with everything
        if event.note == "aborted":
            del state.writes[version]
            return
        write = pending._replace(end=event.time, end_seq=event.seq)
        state.writes[version] = write
        self.writes += 1
        best = state.ack_best[-1] if state.ack_best else None
        if best is None or write.start_seq > best.start_seq:
            best = write
        state.ack_seq.append(event.seq)
        state.ack_best.append(best)
        state.appends_since_prune += 1
        if state.appends_since_prune >= _PRUNE_EVERY:
            self._prune(state)

    def _judge(self, opened: _OpenRead, event: Event) -> StaleRead | None:
        self.reads += 1
        state = self._state(opened.key)
        version = event.version
        returned = state.writes.get(version) if version is not None else None
        # The position after which a write is "newer" than what was returned. A value we do
        # not know (the key was absent, or its write is long gone) is older than any write.
        returned_end = returned.end_seq if returned is not None else -1
        start_seq = opened.start_seq

        verdict: StaleRead | None = None
        i = bisect_left(state.ack_seq, start_seq) - 1
        if i >= 0:
            newest = state.ack_best[i]
            if newest.start_seq > returned_end:
                kind = (
                    Anomaly.MISSED_INVALIDATION
                    if event.source is Source.RELATED
                    else Anomaly.STALE_PRIMARY
                )
                verdict = self._stale(opened, event, newest, kind, returned)
        if verdict is None:
            j = bisect_left(state.seen_seq, start_seq) - 1
            if j >= 0:
                seen = state.seen_best[j]
                if seen.start_seq > returned_end:
                    verdict = self._stale(opened, event, seen, Anomaly.NEW_THEN_OLD, returned)

        if returned is not None and returned.start_seq >= 0:
            best = state.seen_best[-1] if state.seen_best else None
            if best is None or returned.start_seq > best.start_seq:
                best = returned
            state.seen_seq.append(event.seq)
            state.seen_best.append(best)
            state.appends_since_prune += 1
            if state.appends_since_prune >= _PRUNE_EVERY:
                self._prune(state)
        return verdict

    def _stale(
        self,
        opened: _OpenRead,
        event: Event,
        missed: WriteRef,
        kind: Anomaly,
        returned: WriteRef | None,
    ) -> StaleRead:
        read = ReadRef(
            event.span,
            opened.task,
            opened.key,
            event.version,
            event.source or Source.NONE,
            opened.start,
            event.time,
            opened.start_seq,
            event.seq,
        )
        verdict = StaleRead(
            read, missed, kind, returned if returned and returned.start_seq >= 0 else None
        )
        self.stale += 1
        self.by_kind[kind] += 1
        kept = self.stale_reads
        if kept.maxlen is not None and len(kept) == kept.maxlen:
            self._by_span.pop(kept[0].read.span, None)
        kept.append(verdict)
        self._by_span[read.span] = verdict
        return verdict

    def _prune(self, state: _KeyState) -> None:
        """Forget what no present or future read can ask about, so memory stays flat."""
        state.appends_since_prune = 0
        low = min((r.start_seq for r in self._open_reads.values()), default=self.last_seq + 1)
        for seqs, bests in ((state.ack_seq, state.ack_best), (state.seen_seq, state.seen_best)):
            cut = bisect_left(seqs, low) - 1  # keep the last entry before ``low``
            if cut > 0:
                del seqs[:cut]
                del bests[:cut]
        i = bisect_left(state.ack_seq, low) - 1
        if i >= 0:
            # Every present or future read starts at or after ``low``, so the newest write
            # it can have missed started no earlier than this one. A write acknowledged
            # before that is judged the same whether remembered or treated as ancient.
            horizon = state.ack_best[i].start_seq
            for version in [v for v, w in state.writes.items() if 0 <= w.end_seq < horizon]:
                del state.writes[version]
