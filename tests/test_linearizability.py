"""The independent linearizability checker on small histories whose answer is known."""

from __future__ import annotations

from cache.events import Event, Op, Phase
from cache.linearizability import Operation, check_key, is_linearizable

KEY = "user:123"


def _history(*steps: tuple[str, int, int | None]) -> list[Event]:
    """Events from (what, span, version): ``w+``/``w-`` start/acknowledge a write,
    ``r+``/``r-`` start/complete a read (which returns ``version``)."""
    events = []
    for seq, (what, span, version) in enumerate(steps, start=1):
        op = Op.SET if what[0] == "w" else Op.GET
        phase = Phase.START if what[1] == "+" else Phase.COMPLETE
        shown = version if op is Op.SET or phase is Phase.COMPLETE else None
        events.append(Event(seq, seq / 1000, phase, span, 0, "t", op, KEY, shown))
    return events


def test_a_read_after_an_acknowledged_write_must_see_it() -> None:
    fresh = _history(("w+", 1, 1), ("w-", 1, 1), ("r+", 2, None), ("r-", 2, 1))
    stale = _history(("w+", 1, 1), ("w-", 1, 1), ("r+", 2, None), ("r-", 2, 0))
    assert is_linearizable(fresh)
    assert not is_linearizable(stale)
    assert is_linearizable(stale, without={2})


def test_a_read_overlapping_the_write_may_see_either_value() -> None:
    for version in (0, 1):
        assert is_linearizable(
            _history(("r+", 2, None), ("w+", 1, 1), ("w-", 1, 1), ("r-", 2, version))
        )


def test_new_then_old_is_not_linearizable() -> None:
    events = _history(
        ("w+", 1, 1), ("r+", 2, None), ("r-", 2, 1), ("r+", 3, None), ("r-", 3, 0), ("w-", 1, 1)
    )
    assert not is_linearizable(events)


def test_the_store_order_decides_between_overlapping_writes() -> None:
    # Both writes acknowledged, v1 first; then a read of v1. Plain linearizability may put
    # v2 first; in the store's order v1 was overwritten, so the read is stale.
    events = _history(
        ("w+", 1, 1), ("w+", 2, 2), ("w-", 1, 1), ("w-", 2, 2), ("r+", 3, None), ("r-", 3, 1)
    )
    assert is_linearizable(events, store_order=False)
    assert not is_linearizable(events)
    # A later read of v2 makes it non-linearizable under either reading.
    later = [*events, *_history(("r+", 4, None), ("r-", 4, 2))]
    later = [e._replace(seq=i) for i, e in enumerate(later, start=1)]
    assert not is_linearizable(later, store_order=False)


def test_an_aborted_write_wrote_nothing_and_a_failed_one_may_have() -> None:
    aborted = [
        Event(1, 0.001, Phase.START, 1, 0, "w", Op.EXEC, KEY, 1),
        Event(2, 0.002, Phase.COMPLETE, 1, 0, "w", Op.EXEC, KEY, None, None, "aborted"),
        *_history(("r+", 2, None), ("r-", 2, 0)),
    ]
    aborted = [e._replace(seq=i) for i, e in enumerate(aborted, start=1)]
    assert is_linearizable(aborted)
    failed = [
        Event(1, 0.001, Phase.START, 1, 0, "w", Op.SET, KEY, 1),
        Event(2, 0.002, Phase.FAILED, 1, 0, "w", Op.SET, KEY),
    ]
    for version in (0, 1):
        read = _history(("r+", 2, None), ("r-", 2, version))
        events = [e._replace(seq=i) for i, e in enumerate(failed + read, start=1)]
        assert is_linearizable(events)


def test_the_search_backtracks_over_a_wrong_first_choice() -> None:
    # Three concurrent writes; the reads fix their order as 3, 1, 2 (the search must undo
    # its first guesses). A fourth read going back to 3 is impossible.
    ops = [
        Operation(1, True, 1, 0, 100),
        Operation(2, True, 2, 1, 101),
        Operation(3, True, 3, 2, 102),
        Operation(4, False, 3, 3, 4),
        Operation(5, False, 1, 5, 6),
        Operation(6, False, 2, 7, 8),
    ]
    assert check_key(ops, store_order=False)
    assert not check_key([*ops, Operation(7, False, 3, 9, 10)], store_order=False)
