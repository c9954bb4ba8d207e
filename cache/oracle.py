"""The stale-read oracle: which reads returned data that was already out of date.

Definition (``docs/oracle.md`` is the long form, with worked examples)
----------
The oracle looks only at a history of spans, never inside the cache, so it judges a real
Redis run by the same rule as a simulated one. "Before" means earlier in the history.

* A **write** of key *k* is a ``cache.set`` or ``cache.exec`` span that carries a version for
  *k*; it is **acknowledged** when its span completes. An aborted ``exec`` wrote nothing; a
  failed one may or may not have landed, so it is never acknowledged.
* The **store order** of *k*'s writes is the order in which they took effect. A write takes
  its place at its acknowledgement, or earlier if a read returned its value first (a real
  server applies a write before it answers). The fixture loaded before the run comes first.
  In the simulator a write takes effect in the very step its acknowledgement is recorded, so
  this is the order the store applied them; on Redis it is the order the client received
  the acknowledgements. It always agrees with real time: a write acknowledged before another
  started is earlier. It decides only between writes that overlapped.
* A **read** is a completed ``getCache`` span on *k*. It returns the value of some write *A*
  (nothing, or a value no write of the run wrote, counts as the fixture's).
* A read *R* is **stale** when some write *B* after *A* in the store order was already
  visible when *R* started:

  1. *B* had been acknowledged before *R* started, or
  2. another read that completed before *R* started had returned *B*'s value.

  The write *R* **missed** is the latest such *B* in the store order (by rule 1 when rule 1
  applies); under rule 2 the earlier read is named too. Reads that overlap a write may
  return either value: they are concurrent, and that is not an anomaly.

This is linearizability, per key, of a register whose writes take effect in the store order:
a run has a stale read exactly when its history is not linearizable, and removing the stale
reads leaves a linearizable history (``tests/test_linearizability_crosscheck.py`` checks both
against an independent search, ``cache/linearizability.py``).

The kind says how the old value got out: ``missed-invalidation`` when it came from a related
entry not yet invalidated (the story's race), ``stale-primary`` when the primary itself held
it, ``new-then-old`` when only rule 2 applies.

A **lost update** is the other anomaly it names: two completed ``incrementCounter`` spans
of one key that wrote the same value, so both read the same value and one increment
vanished. The witness is the two increments; of n increments that wrote one value, n - 1
are counted lost. (A counter's own writes are not reads, and no getCache reads a counter,
so the register rules above never judge it.)

The oracle is streaming: feed it events in history order and it judges each read the moment
it completes, in O(log n), with memory bounded on long runs (the increments it remembers,
one per value written, grow with a counter's runs; the races' runs are short).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from cache.events import ABORTED, Event, Op, Phase, Source
from cache.verdicts import NEVER as _NEVER
from cache.verdicts import (
    Anomaly,
    IncrementRef,
    LostUpdate,
    ReadRef,
    ReadVerdict,
    StaleRead,
    WriteRef,
)

__all__ = [
    "Anomaly",
    "LostUpdate",
    "Oracle",
    "ReadRef",
    "ReadVerdict",
    "StaleRead",
    "WriteRef",
    "judge",
]

_PRUNE_EVERY = 512


class _Seen(NamedTuple):
    order: int
    write: WriteRef
    read: ReadRef


class _KeyState:
    __slots__ = ("ack_best", "ack_seq", "appends_since_prune", "seen_best", "seen_seq", "writes")

    def __init__(self) -> None:
        self.writes: dict[int, WriteRef] = {}
        # Running maxima by store order, kept only where they change (so one binary search
        # answers "the latest write visible before position p"): over acknowledgements
        # (rule 1), and over the values completed reads returned (rule 2).
        self.ack_seq: list[int] = []
        self.ack_best: list[WriteRef] = []
        self.seen_seq: list[int] = []
        self.seen_best: list[_Seen] = []
        self.appends_since_prune = 0


# Every operation ``Oracle.feed`` looks at; a recorder that feeds only these (the batch's
# verdict-only path, ``cache.verdict``) gets the same verdicts as a full recording.
JUDGED_OPS = frozenset({Op.GET, Op.SET, Op.EXEC, Op.INCREMENT, Op.INCONSISTENT})


class Oracle:
    """Judges reads as their events arrive. ``keep`` bounds how many stale reads are kept
    for display (counts are always exact); ``record_reads`` keeps every read's verdict
    (``read_verdicts``), for a replay rather than a live run."""

    def __init__(self, keep: int | None = None, *, record_reads: bool = False) -> None:
        self._keys: dict[str, _KeyState] = {}
        self._open_reads: dict[int, Event] = {}
        self._open_writes: dict[int, int] = {}  # span -> version
        self._fixture: dict[str, int] = {}
        self._judged: list[ReadVerdict] | None = [] if record_reads else None
        self.stale_reads: deque[StaleRead] = deque(maxlen=keep)
        self._by_span: dict[int, StaleRead] = {}
        self.reads = 0
        self.stale = 0
        self.writes = 0
        self.by_kind: dict[Anomaly, int] = {}
        self.detected = 0
        self.repaired = 0
        self.last_seq = -1
        self._open_increments: dict[int, Event] = {}
        self._increments: dict[str, dict[int, IncrementRef]] = {}  # key -> value -> first
        self.lost_updates: deque[LostUpdate] = deque(maxlen=keep)
        self.lost = 0

    # -- input -------------------------------------------------------------------------------

    def preload(self, key: str, version: int) -> None:
        """A value present before the run: first in the store order, before every write."""
        self._fixture[key] = version
        self._state(key).writes[version] = WriteRef(
            0, "fixture", key, version, -1.0, -1.0, -1, -1, -1
        )

    def feed(self, event: Event) -> StaleRead | None:
        """Take the next event of the history; returns a verdict when a read turns out stale."""
        self.last_seq = event.seq
        op = event.op
        if op is Op.GET:
            if event.phase is Phase.START:
                self._open_reads[event.span] = event
                return None
            opened = self._open_reads.pop(event.span, None)
            if opened is None or event.phase is Phase.FAILED:
                return None
            return self._judge(opened, event)
        if op is Op.SET or op is Op.EXEC:
            if event.phase is Phase.START:
                if event.version is not None:
                    self._write_started(event, event.version)
            else:
                version = self._open_writes.pop(event.span, None)
                if version is not None:
                    self._write_ended(event, version)
            return None
        if op is Op.INCREMENT:
            if event.phase is Phase.START:
                self._open_increments[event.span] = event
            else:
                began = self._open_increments.pop(event.span, None)
                if began is not None and event.phase is Phase.COMPLETE:
                    self._increment_done(began, event)
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
    def fixture(self) -> Mapping[str, int]:
        """Each preloaded key's initial version."""
        return self._fixture

    @property
    def read_verdicts(self) -> list[ReadVerdict]:
        """Every completed read in completion order, fresh or stale (``record_reads`` only)."""
        if self._judged is None:
            raise ValueError("this oracle was not asked to record reads (record_reads=True)")
        return self._judged

    def __repr__(self) -> str:
        kinds = ", ".join(f"{k.value}={n}" for k, n in sorted(self.by_kind.items()))
        lost = f" lost={self.lost}" if self.lost else ""
        return f"<Oracle reads={self.reads} stale={self.stale} ({kinds or 'none'}){lost}>"

    # -- internals ---------------------------------------------------------------------------

    def _state(self, key: str) -> _KeyState:
        state = self._keys.get(key)
        if state is None:
            state = self._keys[key] = _KeyState()
        return state

    def _write_started(self, event: Event, version: int) -> None:
        # Known from its start, so a read that returns it before the acknowledgement (a
        # real server applies before it answers) is judged as concurrent with it.
        self._state(event.key).writes[version] = WriteRef(
            event.span,
            event.task,
            event.key,
            version,
            event.time,
            float("inf"),
            event.seq,
            _NEVER,
            _NEVER,
        )
        self._open_writes[event.span] = version

    def _write_ended(self, event: Event, version: int) -> None:
        state = self._state(event.key)
        pending = state.writes.get(version)
        if pending is None or pending.span != event.span:
            return
        if event.phase is Phase.FAILED:
            return  # may have landed, never acknowledged: placed only if a read returns it
        if event.note == ABORTED:
            del state.writes[version]
            return
        seq = event.seq
        order = pending.order if pending.order < seq else seq
        write = pending._replace(end=event.time, end_seq=seq, order=order)
        state.writes[version] = write
        self.writes += 1
        best = state.ack_best
        if not best or order > best[-1].order:
            state.ack_seq.append(seq)
            best.append(write)
            state.appends_since_prune += 1
            if state.appends_since_prune >= _PRUNE_EVERY:
                self._prune(state)

    def _judge(self, opened: Event, event: Event) -> StaleRead | None:
        self.reads += 1
        state = self._state(opened.key)
        version = event.version
        returned = state.writes.get(version) if version is not None else None
        if returned is None:
            order = -1  # unknown: judged as the fixture's value, the oldest
        else:
            order = returned.order
            if order == _NEVER:
                # This read is the first sign that the write took effect: that places it.
                order = event.seq
                returned = returned._replace(order=order)
                state.writes[returned.version] = returned
        start = opened.seq

        missed: WriteRef | None = None
        seen_by: _Seen | None = None
        seqs = state.ack_seq
        if seqs and seqs[0] < start:
            newest = state.ack_best[bisect_left(seqs, start) - 1]
            if newest.order > order:
                missed = newest
        if missed is None:
            seqs = state.seen_seq
            if seqs and seqs[0] < start:
                seen = state.seen_best[bisect_left(seqs, start) - 1]
                if seen.order > order:
                    missed, seen_by = seen.write, seen

        read: ReadRef | None = None
        if returned is not None and order >= 0:
            best = state.seen_best
            if not best or order > best[-1].order:
                read = self._read_ref(opened, event)
                state.seen_seq.append(event.seq)
                best.append(_Seen(order, returned, read))
                state.appends_since_prune += 1
                if state.appends_since_prune >= _PRUNE_EVERY:
                    self._prune(state)
        verdict: StaleRead | None = None
        if missed is not None:
            if seen_by is None:
                kind = (
                    Anomaly.MISSED_INVALIDATION
                    if event.source is Source.RELATED
                    else Anomaly.STALE_PRIMARY
                )
            else:
                kind = Anomaly.NEW_THEN_OLD
            read = read or self._read_ref(opened, event)
            verdict = StaleRead(
                read,
                missed,
                kind,
                returned if returned is not None and order >= 0 else None,
                seen_by.read if seen_by is not None else None,
            )
            self._count(verdict)
        if self._judged is not None:
            self._judged.append(ReadVerdict(read or self._read_ref(opened, event), verdict))
        return verdict

    @staticmethod
    def _read_ref(opened: Event, event: Event) -> ReadRef:
        return ReadRef(
            event.span,
            opened.task,
            opened.key,
            event.version,
            event.source or Source.NONE,
            opened.time,
            event.time,
            opened.seq,
            event.seq,
        )

    def _increment_done(self, began: Event, event: Event) -> None:
        if event.version is None:
            return
        done = IncrementRef(
            event.span,
            began.task,
            began.key,
            event.version,
            began.time,
            event.time,
            began.seq,
            event.seq,
        )
        written = self._increments.setdefault(began.key, {})
        first = written.get(done.wrote)
        if first is None:
            written[done.wrote] = done
            return
        self.lost += 1
        self.lost_updates.append(LostUpdate(first, done))

    def _count(self, verdict: StaleRead) -> None:
        self.stale += 1
        by_kind = self.by_kind
        by_kind[verdict.kind] = by_kind.get(verdict.kind, 0) + 1
        kept = self.stale_reads
        if kept.maxlen is not None and len(kept) == kept.maxlen:
            self._by_span.pop(kept[0].read.span, None)
        kept.append(verdict)
        self._by_span[verdict.read.span] = verdict

    def _prune(self, state: _KeyState) -> None:
        """Forget what no present or future read can ask about, so memory stays flat."""
        state.appends_since_prune = 0
        low = min((r.seq for r in self._open_reads.values()), default=self.last_seq + 1)
        for seqs, bests in ((state.ack_seq, state.ack_best), (state.seen_seq, state.seen_best)):
            cut = bisect_left(seqs, low) - 1  # keep the last entry before ``low``
            if cut > 0:
                del seqs[:cut]
                del bests[:cut]
        i = bisect_left(state.ack_seq, low) - 1
        if i >= 0:
            # Every present or future read starts at or after ``low``, so rule 1 makes any
            # read of a value placed before this write stale, with the same witness,
            # whether that value is remembered or treated as the (oldest) fixture's.
            horizon = state.ack_best[i].order
            for version in [
                v
                for v, w in state.writes.items()
                if w.start_seq >= 0 and w.end_seq != _NEVER and w.order < horizon
            ]:
                del state.writes[version]


def judge(events: Iterable[Event], fixture: Mapping[str, int]) -> list[ReadVerdict]:
    """Every completed read of a recorded run with its verdict, in completion order.

    ``fixture`` is each key's initial version (``Oracle.fixture`` of the run's own oracle).
    The same verdicts as the run's oracle gave, for a replay that lists fresh reads too.
    """
    oracle = Oracle(record_reads=True)
    for key, version in fixture.items():
        oracle.preload(key, version)
    oracle.feed_all(events)
    return oracle.read_verdicts
