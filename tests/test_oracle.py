"""The oracle: the story's worked example, overlapping updates, its edge cases, and property
tests against a brute-force reading of the written definition (``cache/oracle.py``'s
docstring) and against the independent linearizability checker."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cache.oracle as oracle_module
from cache import Simulation, SustainedWorkload, load_strategy
from cache.events import Event, Op, Phase, Source
from cache.keys import KeySpace
from cache.linearizability import is_linearizable
from cache.oracle import Anomaly, Oracle, StaleRead, judge

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


# --- overlapping updates of one key: the store order decides ----------------------------


def test_overlapping_writes_then_the_older_value_is_stale() -> None:
    # The issue's reproduction, by hand: two sets overlap, both are acknowledged, then a
    # read gets the value acknowledged first. Neither write precedes the other; the store
    # applied v2 last, so v1 is stale, and the witness is the write of v2.
    h = HistoryBuilder()
    w1 = h.start(1.691, "writer-1", Op.SET, version=1)
    w2 = h.start(3.030, "writer-2", Op.SET, version=2)
    h.complete(4.151, w1, "writer-1", Op.SET, version=1)
    h.complete(8.381, w2, "writer-2", Op.SET, version=2)
    r4 = h.start(11.090, "reader-4", Op.GET)
    h.complete(14.106, r4, "reader-4", Op.GET, version=1, source=Source.RELATED)
    r3 = h.start(16.035, "reader-3", Op.GET)
    h.complete(20.128, r3, "reader-3", Op.GET, version=2, source=Source.PRIMARY)
    oracle = h.judge()
    (verdict,) = oracle.stale_reads
    assert verdict.read.task == "reader-4" and verdict.kind is Anomaly.MISSED_INVALIDATION
    assert (verdict.missed.version, verdict.missed.task, verdict.seen_by) == (2, "writer-2", None)
    assert verdict.returned is not None and verdict.returned.version == 1
    assert verdict.overlapping
    assert "acknowledged at 8.381ms, before this read began" in verdict.explain()
    assert "the write of v1 overlapped it and took effect first, at 4.151ms" in verdict.explain()
    assert not is_linearizable(h.events)
    assert is_linearizable(h.events, without={verdict.read.span})


def test_an_earlier_read_of_a_newer_overlapping_write_is_the_witness() -> None:
    # reader-1 returned v2 before v2 was acknowledged (a real server applies before it
    # answers): v2 took effect after v1 (acknowledged at 4) but before reader-2 began, so
    # reader-2's v1 is stale by rule 2, although v2's write is still in flight.
    h = HistoryBuilder()
    w1 = h.start(0, "writer-1", Op.SET, version=1)
    w2 = h.start(1, "writer-2", Op.SET, version=2)
    r1 = h.start(2, "reader-1", Op.GET)
    h.complete(4, w1, "writer-1", Op.SET, version=1)
    h.complete(5, r1, "reader-1", Op.GET, version=2, source=Source.PRIMARY)
    r2 = h.start(6, "reader-2", Op.GET)
    h.complete(7, r2, "reader-2", Op.GET, version=1, source=Source.PRIMARY)
    h.complete(9, w2, "writer-2", Op.SET, version=2)
    (verdict,) = h.judge().stale_reads
    assert verdict.kind is Anomaly.NEW_THEN_OLD and verdict.read.task == "reader-2"
    assert verdict.missed.version == 2 and verdict.overlapping
    assert verdict.seen_by is not None and verdict.seen_by.task == "reader-1"
    assert "which reader-1 had already returned at 5.000ms" in verdict.explain()
    assert "the write of v1 overlapped it and took effect first, at 4.000ms" in verdict.explain()
    assert verdict.short() == "missed v2 by writer-2, already returned to reader-1 at 5.000ms"
    assert verdict.to_dict()["witness"] == "read"
    assert verdict.to_dict()["witness_read_span"] == r1
    assert verdict.to_dict()["missed_acknowledged_ms"] is None


def test_overlapping_writes_in_either_order_are_fresh_while_they_overlap_the_read() -> None:
    h = HistoryBuilder()
    w1 = h.start(0, "writer-1", Op.SET, version=1)
    w2 = h.start(1, "writer-2", Op.SET, version=2)
    r = h.start(2, "reader", Op.GET)
    h.complete(3, w2, "writer-2", Op.SET, version=2)
    h.complete(4, w1, "writer-1", Op.SET, version=1)
    h.complete(5, r, "reader", Op.GET, version=2, source=Source.PRIMARY)
    assert h.judge().stale == 0


def _sustained(writers: int, seed: int) -> Simulation:
    workload = SustainedWorkload(writers=writers, readers=4, keys=KeySpace(1), duration=0.05)
    sim = Simulation(workload, load_strategy("naive-async"), seed)
    sim.run()
    return sim


@pytest.mark.parametrize(
    ("writers", "seed", "stale_tasks", "missed", "returned"),
    [
        (2, 89, ["reader-1", "reader-2", "reader-4"], (2, "writer-2"), 1),
        (3, 100, ["reader-1", "reader-4", "reader-3"], (4, "writer-3"), 3),
    ],
)
def test_the_issues_reproductions_are_flagged_with_their_witness(
    writers: int, seed: int, stale_tasks: list[str], missed: tuple[int, str], returned: int
) -> None:
    sim = _sustained(writers, seed)
    verdicts = list(sim.oracle.stale_reads)
    assert [v.read.task for v in verdicts] == stale_tasks
    for v in verdicts:
        assert (v.missed.version, v.missed.task) == missed and v.read.version == returned
        assert v.kind is Anomaly.MISSED_INVALIDATION and v.overlapping
        assert v.missed.end < v.read.start  # acknowledged before the read began
    events = list(sim.history)
    assert not is_linearizable(events)
    assert is_linearizable(events, without={v.read.span for v in verdicts})


def test_judge_lists_every_read_with_its_verdict_and_the_fixture() -> None:
    sim = _sustained(2, 89)
    assert dict(sim.oracle.fixture) == {KEY: 0}
    verdicts = judge(sim.history, sim.oracle.fixture)
    assert len(verdicts) == sim.oracle.reads
    stale = [v.to_dict() for v in verdicts if v.stale is not None]
    assert [d["read_span"] for d in stale] == [v.read.span for v in sim.oracle.stale_reads]
    first = stale[0]
    assert first["verdict"] == "stale" and first["witness"] == "write"
    assert (first["missed_version"], first["missed_by"], first["returned"]) == (2, "writer-2", 1)
    assert first["missed_acknowledged_ms"] == pytest.approx(8.381, abs=1e-3)
    fresh = verdicts[0].to_dict()
    assert fresh["verdict"] == "fresh" and "missed_span" not in fresh


def test_an_oracle_not_recording_reads_says_so() -> None:
    with pytest.raises(ValueError, match="record_reads"):
        Oracle().read_verdicts  # noqa: B018


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


def brute_force(events: list[Event]) -> dict[int, tuple[str, dict[int, int]]]:
    """The definition, read literally: for each stale read's span, the rule that makes it
    stale (rule 1 wins) and, for every write that does, its version and place in the store
    order. Quadratic and obviously so."""
    start: dict[int, int] = {}
    end: dict[int, int] = {}
    for index, e in enumerate(events):
        (start if e.phase is Phase.START else end)[e.span] = index
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

    def order(write: int | None) -> int:
        # The fixture and unknown values come first; a write takes its place at its
        # acknowledgement, or at the first read that returned it, whichever came first.
        if write is None:
            return -1
        places = [end[q.span] for q in reads if writer_of(q.version) == write]
        if write in acknowledged:
            places.append(end[write])
        return min(places, default=len(events) + 1)

    stale: dict[int, tuple[str, dict[int, int]]] = {}
    for r in reads:
        a = order(writer_of(r.version))
        rule1 = {
            writes[b]: order(b) for b in acknowledged if end[b] < start[r.span] and order(b) > a
        }
        rule2 = {
            q.version: order(writer_of(q.version))
            for q in reads
            if end[q.span] < start[r.span] and order(writer_of(q.version)) > a
        }
        if rule1:
            stale[r.span] = ("1", rule1)  # type: ignore[assignment]
        elif rule2:
            stale[r.span] = ("2", rule2)  # type: ignore[assignment]
    return stale


def _check(events: list[Event]) -> list[StaleRead]:
    oracle = Oracle()
    oracle.preload(KEY, 0)
    found = oracle.feed_all(events)
    verdicts = {v.read.span: v for v in found}
    expected = brute_force(events)
    assert set(verdicts) == set(expected)
    for span, verdict in verdicts.items():
        rule, why = expected[span]
        # The witness is the latest write in the store order that makes the read stale,
        # under rule 1 if rule 1 applies; under rule 2 the earlier read that returned it.
        assert verdict.missed.version == max(why, key=why.__getitem__)
        assert (verdict.seen_by is None) == (rule == "1")
        if verdict.seen_by is not None:
            assert verdict.seen_by.version == verdict.missed.version
            assert verdict.seen_by.end_seq < verdict.read.start_seq
    return found


@settings(max_examples=400, deadline=None)
@given(histories())
def test_oracle_agrees_with_the_brute_force_definition(events: list[Event]) -> None:
    _check(events)


@settings(max_examples=300, deadline=None)
@given(histories())
def test_oracle_flags_exactly_the_histories_that_are_not_linearizable(
    events: list[Event],
) -> None:
    # The definition's promise, checked against the independent search: a stale read
    # exactly when the history is not linearizable, and without them it is.
    flagged = {v.read.span for v in _check(events)}
    assert bool(flagged) != is_linearizable(events)
    assert is_linearizable(events, without=flagged)


@settings(max_examples=150, deadline=None)
@given(histories())
def test_pruning_does_not_change_any_verdict(events: list[Event]) -> None:
    # Prune after every append, the most aggressive setting, and still agree.
    original = oracle_module._PRUNE_EVERY
    oracle_module._PRUNE_EVERY = 1
    try:
        pruned = [(v.read.span, v.kind, v.missed.span, v.seen_by) for v in _check(events)]
    finally:
        oracle_module._PRUNE_EVERY = original
    assert pruned == [(v.read.span, v.kind, v.missed.span, v.seen_by) for v in _check(events)]


@st.composite
def linearizable_histories(draw: st.DrawFn) -> list[Event]:
    """Histories of a correct register: each read takes effect at one instant inside its
    interval and returns the last write before that instant; each write takes effect at
    the instant it is acknowledged, as the simulated store's do (so the store order is the
    order of the acknowledgements)."""
    count = draw(st.integers(1, 8))
    ops = []
    for i in range(count):
        point = draw(st.floats(0, 100, allow_nan=False))
        before = draw(st.floats(0.01, 20, allow_nan=False))
        after = draw(st.floats(0.01, 20, allow_nan=False))
        kind = draw(st.sampled_from(["write", "read"]))
        instant = point + after if kind == "write" else point
        ops.append((instant, point - before, point + after, kind, i))
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
    events: list[Event] = []
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
