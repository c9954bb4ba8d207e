from __future__ import annotations

import pytest

from cache.events import Event, Op, Phase
from cache.history import History, Recorder


def _event(seq: int) -> Event:
    return Event(seq, seq / 1000, Phase.START, seq, 0, "t", Op.GET, "k")


def test_since_returns_new_events_and_advances_the_cursor() -> None:
    history = History()
    for i in range(5):
        history.append(_event(i))
    batch = history.since(2)
    assert [e.seq for e in batch.events] == [2, 3, 4]
    assert batch.cursor == 5
    assert batch.dropped == 0
    assert history.since(batch.cursor).events == []


def test_bounded_history_keeps_the_newest_and_reports_what_was_dropped() -> None:
    history = History(maxlen=3)
    for i in range(10):
        history.append(_event(i))
    assert len(history) == 3
    assert history.total == 10
    batch = history.since(4)
    assert [e.seq for e in batch.events] == [7, 8, 9]
    assert batch.dropped == 3


def test_bounded_history_rejects_a_useless_bound() -> None:
    with pytest.raises(ValueError):
        History(maxlen=0)


def test_recorder_links_children_to_their_parent_span() -> None:
    history = History()
    clock = iter(range(100))
    rec = Recorder(history, lambda: float(next(clock)), lambda: "writer")
    outer = rec.start(Op.UPDATE, "user:1", version=3)
    inner = rec.start(Op.SET, "user:1", version=3)
    rec.complete(inner, version=3)
    rec.complete(outer)
    events = list(history)
    assert [(e.op, e.phase) for e in events] == [
        (Op.UPDATE, Phase.START),
        (Op.SET, Phase.START),
        (Op.SET, Phase.COMPLETE),
        (Op.UPDATE, Phase.COMPLETE),
    ]
    assert events[1].parent == outer
    assert events[2].span == inner and events[2].parent == outer
    assert [e.seq for e in events] == sorted(e.seq for e in events)
    assert rec.open_spans == 0


def test_recorder_feeds_a_sink_even_what_a_bounded_history_drops() -> None:
    seen: list[Event] = []
    rec = Recorder(History(maxlen=1), lambda: 0.0, lambda: "t", sink=seen.append)
    rec.note(Op.DELAY, "k", "hello")
    assert len(seen) == 2


def test_a_span_records_its_outcome_and_a_failure_propagates() -> None:
    history = History()
    rec = Recorder(history, lambda: 0.0, lambda: "t")
    with rec.span(Op.READ, "k") as span:
        span.version, span.note = 3, "ok"
    with pytest.raises(KeyError), rec.span(Op.SET, "k", version=4):
        raise KeyError("store went away")
    with rec.span(Op.UPDATE, "k", version=5) as span:
        span.fail("abandoned")
    ends = [(e.op, e.phase, e.version, e.note) for e in history if e.phase is not Phase.START]
    assert ends == [
        (Op.READ, Phase.COMPLETE, 3, "ok"),
        (Op.SET, Phase.FAILED, None, ""),
        (Op.UPDATE, Phase.FAILED, None, "abandoned"),
    ]
    assert rec.open_spans == 0
