"""The minimal witness of a stale read: the few events that make it stale on their own.

A failing run has hundreds of events; the oracle's verdict already points at the ones that
matter (``StaleRead.read`` and ``StaleRead.missed`` carry their sequence numbers). The
witness is those events and nothing else: the missed write starting with its new version,
its acknowledgement, the read starting, and the read returning the old value. Fed alone to
a fresh oracle (with the run's fixture) they are still judged stale, and without any one of
them they are not; ``replays_stale`` and ``is_minimal`` check exactly that.

The invalidation that lands after the read is not evidence (the read was stale whether or
not it ever lands) but it is the explanation a learner needs, so it travels as ``context``.

Under the oracle's rule 2 (the new value had already been returned to another reader) the
earlier read's two events join the witness: five events instead of four.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from cache.events import Event, Op, Phase, Source
from cache.oracle import Oracle
from cache.verdicts import ReadRef, StaleRead, WriteRef

__all__ = ["GLOSSARY_TERMS", "Witness", "is_minimal", "replays_stale", "witness_of"]

# The glossary entries a witness's description leans on (the session layer defines them).
GLOSSARY_TERMS = ("stale read", "acknowledged", "related entry", "race window",
                  "missed invalidation")


@dataclass(frozen=True, slots=True)
class Witness:
    """The events that make ``stale`` stale, in history order, and what explains them."""

    stale: StaleRead
    events: tuple[Event, ...]
    fixture: Mapping[str, int]
    context: tuple[Event, ...] = ()

    def replays_stale(self) -> bool:
        return replays_stale(self.events, self.fixture)

    def lines(self) -> list[str]:
        """One line per event, numbered, in the words of the story's timing logs."""
        out = [f"{i}. {_describe(e)}" for i, e in enumerate(self.events, 1)]
        out += [f"   then {_describe(e)}" for e in self.context]
        return out

    def terms(self) -> tuple[str, ...]:
        """The glossary terms this witness uses."""
        if self.stale.read.source is Source.RELATED:
            return GLOSSARY_TERMS
        return tuple(t for t in GLOSSARY_TERMS if t not in ("related entry",
                                                            "missed invalidation"))

    def to_dict(self) -> dict[str, object]:
        return {
            "stale_read": self.stale.to_dict(),
            "events": [e.to_dict() for e in self.events],
            "context": [e.to_dict() for e in self.context],
            "lines": self.lines(),
            "terms": list(self.terms()),
        }


def _write_events(write: WriteRef) -> list[Event]:
    return [
        Event(write.start_seq, write.start, Phase.START, write.span, 0, write.task, Op.SET,
              write.key, write.version),
        Event(write.end_seq, write.end, Phase.COMPLETE, write.span, 0, write.task, Op.SET,
              write.key),
    ]


def _read_events(read: ReadRef) -> list[Event]:
    return [
        Event(read.start_seq, read.start, Phase.START, read.span, 0, read.task, Op.GET,
              read.key),
        Event(read.end_seq, read.end, Phase.COMPLETE, read.span, 0, read.task, Op.GET,
              read.key, read.version, read.source),
    ]


def witness_of(
    stale: StaleRead, fixture: Mapping[str, int], history: Iterable[Event] | None = None
) -> Witness:
    """The witness of ``stale``. With the run's ``history`` its events are the recorded ones
    (and the invalidation that landed too late is found); without it (a live run, whose
    history is in another process) they are rebuilt from the verdict, which carries every
    field the oracle reads."""
    wanted = _write_events(stale.missed) + _read_events(stale.read)
    seen = stale.seen_by
    if seen is not None:
        wanted += _read_events(seen)
    events = sorted(wanted, key=lambda e: e.seq)
    context: tuple[Event, ...] = ()
    if history is not None:
        by_seq = {e.seq: e for e in history}
        events = [by_seq.get(e.seq, e) for e in events]
        landed = next(
            (e for e in by_seq.values()
             if e.op is Op.DELETE and e.phase is Phase.COMPLETE
             and e.task == stale.missed.task and e.seq > stale.read.end_seq),
            None,
        )
        context = (landed,) if landed is not None else ()
    return Witness(stale, tuple(events), dict(fixture), context)


def replays_stale(events: Sequence[Event], fixture: Mapping[str, int]) -> bool:
    """Whether a fresh oracle, given only ``events`` (and the fixture), finds a stale read."""
    oracle = Oracle()
    for key, version in fixture.items():
        oracle.preload(key, version)
    oracle.feed_all(sorted(events, key=lambda e: e.seq))
    return oracle.stale > 0


def is_minimal(events: Sequence[Event], fixture: Mapping[str, int]) -> bool:
    """Whether removing any one event makes the rest pass (and all of them fail)."""
    if not replays_stale(events, fixture):
        return False
    return not any(
        replays_stale([e for j, e in enumerate(events) if j != i], fixture)
        for i in range(len(events))
    )


def _describe(event: Event) -> str:
    at = f"[{event.time * 1000.0:9.3f}ms] {event.task:<10}"
    if event.op is Op.SET and event.phase is Phase.START:
        return f"{at} starts writing {event.key} = v{event.version}"
    if event.op is Op.SET:
        return f"{at} write of {event.key} acknowledged: the new value is in the cache"
    if event.op is Op.GET and event.phase is Phase.START:
        return f"{at} read of {event.key} starts"
    if event.op is Op.GET:
        got = "nothing" if event.version is None else f"v{event.version}"
        source = {Source.RELATED: " from an old related entry",
                  Source.PRIMARY: " from the primary"}.get(event.source or Source.NONE, "")
        return f"{at} read returns {got}{source}"
    if event.op is Op.DELETE:
        return f"{at} invalidation of {event.key} lands, too late for that read"
    return f"{at} {event.op.value} {event.phase.value.lower()} {event.key}"
