"""The oracle: the story's worked example, its edge cases, and a property test against a
brute-force reading of the written definition (``cache/oracle.py``'s docstring)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cache.oracle as oracle_module
from cache.events import Event, Op, Phase, Source
from cache.oracle import Anomaly, Oracle

KEY = "user:123"


class HistoryBuilder:
    """Writes events by hand, in history order, with times in milliseconds."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._span = 0

    def _add(self, t: float, phase: Phase, span: int, task: str, op: Op, **kw: object) -> None:
        seq = len(self.events) + 1
        self.events.append(Event(seq, t / 1000, phase, span, 0, task, op, KEY, **kw))  # type: ignore[arg-type]

    def start(self, t: float, task: str, op: Op, version: int | None = None) -> int:
        self._span += 1
        self._add(t, Phase.START, self._span, task, op, version=version)
        return self._span

    def complete(
        self,
        t: float,
        span: int,
        task: str,
        op: Op,
        version: int | None = None,
        source: Source | None = None,
        note: str = "",
        failed: bool = False,
    ) -> None:
        phase = Phase.FAILED if failed else Phase.COMPLETE
        self._add(t, phase, span, task, op, version=version, source=source, note=note)

    def judge(self) -> Oracle:
        oracle = Oracle()
        oracle.preload(KEY, 0)
        oracle.feed_all(self.events)
        return oracle


def test_the_storys_log_is_a_stale_read_that_missed_the_update() -> None:
    h = HistoryBuilder()
    w = h.start(450, "updater", Op.SET, version=1)
    h.complete(455, w, "updater", Op.SET, version=1)
    r = h.start(456, "reader", Op.GET)
    h.complete(458, r, "reader", Op.GET, version=0, source=Source.RELATED)
    oracle = h.judge()
    assert oracle.reads == 1 and oracle.stale == 1
    (verdict,) = oracle.stale_reads
    assert verdict.kind is Anomaly.MISSED_INVALIDATION
    assert verdict.missed.version == 1 and verdict.missed.task == "updater"
    assert verdict.missed.end == pytest.approx(0.455)
    assert "missing v1 written by updater" in verdict.explain()
    assert "acknowledged at 455.000ms" in verdict.explain()


def test_a_read_that_overlaps_the_set_may_return_the_old_value() -> None:
    h = HistoryBuilder()
    r = h.start(454, "reader", Op.GET)
    w = h.start(450, "updater", Op.SET, version=1)
    h.complete(455, w, "updater", Op.SET, version=1)
    h.complete(458, r, "reader", Op.GET, version=0, source=Source.RELATED)
    assert h.judge().stale == 0


def test_old_value_from_the_primary_is_a_stale_primary() -> None:
    h = HistoryBuilder()
    w = h.start(0, "writer", Op.SET, version=1)
    h.complete(5, w, "writer", Op.SET, version=1)
    r = h.start(6, "reader", Op.GET)
    h.complete(8, r, "reader", Op.GET, version=0, source=Source.PRIMARY)
    assert h.judge().by_kind == {Anomaly.STALE_PRIMARY: 1}


def test_new_then_old_without_any_acknowledgement() -> None:
    # A real server applies a write before it answers: one reader sees v1 early, a later
    # reader gets v0 back. No write was acknowledged, but rule 2 applies.
    h = HistoryBuilder()
    w = h.start(0, "writer", Op.SET, version=1)
    r1 = h.start(1, "r1", Op.GET)
    h.complete(2, r1, "r1", Op.GET, version=1, source=Source.PRIMARY)
    r2 = h.start(3, "r2", Op.GET)
    h.complete(4, r2, "r2", Op.GET, version=0, source=Source.RELATED)
    h.complete(9, w, "writer", Op.SET, version=1)
    oracle = h.judge()
    assert oracle.by_kind == {Anomaly.NEW_THEN_OLD: 1}
    assert oracle.stale_reads[0].read.task == "r2"


def test_aborted_and_failed_writes_are_never_acknowledged() -> None:
    h = HistoryBuilder()
    a = h.start(0, "w1", Op.EXEC, version=1)
    h.complete(1, a, "w1", Op.EXEC, note="aborted")
    b = h.start(2, "w2", Op.SET, version=2)
    h.complete(3, b, "w2", Op.SET, failed=True)
    r = h.start(4, "reader", Op.GET)
    h.complete(5, r, "reader", Op.GET, version=0, source=Source.RELATED)
    oracle = h.judge()
    assert oracle.stale == 0 and oracle.writes == 0


def test_inconsistency_spans_count_detected_and_repaired() -> None:
    h = HistoryBuilder()
    span = h.start(0, "reader", Op.INCONSISTENT)
    h.complete(1, span, "reader", Op.INCONSISTENT, version=1)
    oracle = h.judge()
    assert (oracle.detected, oracle.repaired) == (1, 1)


# --- the property test ------------------------------------------------------------------


@dataclass
class Spec:
    """One operation of a random history, before it is laid out in order."""

    kind: str  # "write" or "read"
    version: int  # writes: their version; reads: ignored (chosen at layout)
    outcome: str  # writes: "ok", "aborted", "failed"


@st.composite
def histories(draw: st.DrawFn) -> list[Event]:
    """Random small histories: up to 4 writes and 4 reads on one key, in any overlap, with
    aborted and failed writes, and reads returning any value that could physically be in
    the store when they complete (the initial one, absent, or any write already started
    and not aborted)."""
    writes = draw(st.integers(0, 4))
    reads = draw(st.integers(1, 4))
    specs = [
        Spec("write", i + 1, draw(st.sampled_from(["ok", "ok", "ok", "aborted", "failed"])))
        for i in range(writes)
    ] + [Spec("read", 0, "") for _ in range(reads)]
    tokens = [i for i in range(len(specs)) for _ in (0, 1)]
    order = draw(st.permutations(tokens))
    events: list[Event] = []
    started: set[int] = set()
    for i in order:
        op_spec = specs[i]
        seq = len(events) + 1
        span = i + 1
        t = seq / 1000
        task = f"{op_spec.kind}-{i}"
        if i not in started:
            started.add(i)
            if op_spec.kind == "write":
                events.append(
                    Event(seq, t, Phase.START, span, 0, task, Op.SET, KEY, op_spec.version)
                )
            else:
                events.append(Event(seq, t, Phase.START, span, 0, task, Op.GET, KEY))
            continue
        if op_spec.kind == "write":
            if op_spec.outcome == "failed":
                events.append(Event(seq, t, Phase.FAILED, span, 0, task, Op.SET, KEY))
            else:
                note = "aborted" if op_spec.outcome == "aborted" else ""
                version = op_spec.version if not note else None
                events.append(
                    Event(seq, t, Phase.COMPLETE, span, 0, task, Op.SET, KEY, version, None, note)
                )
        else:
            possible: list[int | None] = [0, None] + [
                s.version
                for j, s in enumerate(specs)
                if s.kind == "write" and j in started and s.outcome != "aborted"
            ]
            version = draw(st.sampled_from(possible))
            source = draw(st.sampled_from([Source.PRIMARY, Source.RELATED]))
            events.append(
                Event(seq, t, Phase.COMPLETE, span, 0, task, Op.GET, KEY, version, source)
            )
    return events


def brute_force(events: list[Event]) -> dict[int, set[int]]:
    """The definition, read literally: for each stale read's span, the versions of every
    write that makes it stale (rule 1 or rule 2). Quadratic and obviously so."""
    pos: dict[tuple[int, Phase], int] = {}
    for index, e in enumerate(events):
        pos[(e.span, Phase.START if e.phase is Phase.START else Phase.COMPLETE)] = index
    start = {e.span: pos[(e.span, Phase.START)] for e in events}
    end = {e.span: pos[(e.span, Phase.COMPLETE)] for e in events if e.phase is not Phase.START}
    writes = {e.span: e.version for e in events if e.op is Op.SET and e.phase is Phase.START}
    acknowledged = {
        e.span
        for e in events
        if e.op is Op.SET and e.phase is Phase.COMPLETE and e.note != "aborted"
    }
    aborted = {e.span for e in events if e.op is Op.SET and e.note == "aborted"}
    reads = [e for e in events if e.op is Op.GET and e.phase is Phase.COMPLETE]

    def writer_of(version: int | None) -> int | None:
        for span, v in writes.items():
            if v == version and span not in aborted:
                return span
        return None

    def ack_position(write: int | None) -> int:
        # Unknown values (the fixture, absent) precede every write: position -1.
        if write is None:
            return -1
        return end[write] if write in acknowledged else len(events) + 1

    stale: dict[int, set[int]] = {}
    for r in reads:
        a = ack_position(writer_of(r.version))
        why: set[int] = set()
        for b in acknowledged:
            if end[b] < start[r.span] and a < start[b]:
                why.add(writes[b])  # type: ignore[arg-type]
        if not why:
            for q in reads:
                c = writer_of(q.version)
                if c is not None and end[q.span] < start[r.span] and a < start[c]:
                    why.add(writes[c])  # type: ignore[arg-type]
        if why:
            stale[r.span] = why
    return stale


def _check(events: list[Event]) -> None:
    oracle = Oracle()
    oracle.preload(KEY, 0)
    verdicts = {v.read.span: v for v in oracle.feed_all(events)}
    expected = brute_force(events)
    assert set(verdicts) == set(expected)
    for span, verdict in verdicts.items():
        # The write named as missed is one that makes the read stale.
        assert verdict.missed.version in expected[span]


@settings(max_examples=400, deadline=None)
@given(histories())
def test_oracle_agrees_with_the_brute_force_definition(events: list[Event]) -> None:
    _check(events)


@settings(max_examples=150, deadline=None)
@given(histories())
def test_pruning_does_not_change_any_verdict(events: list[Event]) -> None:
    # Prune after every append, the most aggressive setting, and still agree.
    original = oracle_module._PRUNE_EVERY
    oracle_module._PRUNE_EVERY = 1
    try:
        _check(events)
    finally:
        oracle_module._PRUNE_EVERY = original


@st.composite
def linearizable_histories(draw: st.DrawFn) -> list[Event]:
    """Histories of a correct register: each operation takes effect at one instant inside
    its interval, and each read returns the last write before its instant."""
    count = draw(st.integers(1, 8))
    ops = []
    for i in range(count):
        point = draw(st.floats(0, 100, allow_nan=False))
        before = draw(st.floats(0.01, 20, allow_nan=False))
        after = draw(st.floats(0.01, 20, allow_nan=False))
        kind = draw(st.sampled_from(["write", "read"]))
        ops.append((point, point - before, point + after, kind, i))
    current = 0
    returned: dict[int, int] = {}
    for _point, _, _, kind, i in sorted(ops):
        if kind == "write":
            current = i + 1
        else:
            returned[i] = current
    marks = []
    for _point, s, e, kind, i in ops:
        # Ties put completions first, so an end at the same time as a start precedes it,
        # which the register semantics above also assumes.
        marks.append((s, 1, i, Phase.START, kind))
        marks.append((e, 0, i, Phase.COMPLETE, kind))
    events = []
    for t, _, i, phase, kind in sorted(marks):
        seq = len(events) + 1
        if kind == "write":
            events.append(Event(seq, t, phase, i + 1, 0, "w", Op.SET, KEY, i + 1))
        else:
            version = returned[i] if phase is Phase.COMPLETE else None
            events.append(Event(seq, t, phase, i + 1, 0, "r", Op.GET, KEY, version, Source.PRIMARY))
    return events


@settings(max_examples=300, deadline=None)
@given(linearizable_histories())
def test_a_correct_register_never_looks_stale(events: list[Event]) -> None:
    oracle = Oracle()
    oracle.preload(KEY, 0)
    oracle.feed_all(events)
    assert oracle.stale == 0


@settings(max_examples=300, deadline=None)
@given(linearizable_histories())
def test_brute_force_agrees_on_correct_registers_too(events: list[Event]) -> None:
    assert brute_force(events) == {}
