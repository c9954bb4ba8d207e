"""A run-level linearizability checker, independent of the streaming oracle.

It answers one question about a whole recorded run: is there, for every key, a sequential
order of its operations, consistent with real time, in which each read returns the value of
the last write before it? It is the Wing & Gong search with Lowe's memoization (the
algorithm of the history checkers Porcupine and Knossos), run per key, since a register's
keys are independent. It shares no code with ``cache/oracle.py``; the tests use it to
cross-check the oracle on thousands of runs.

The model is the oracle's (``docs/oracle.md``): a register per primary key, whose writes are
the ``cache.set``/``cache.exec`` spans that carry a version (an aborted ``exec`` wrote
nothing; a failed or unfinished write may take effect any time after it started) and whose
reads are the completed ``getCache`` spans. A read that returned nothing, or a value no
write wrote, returned the initial value. With ``store_order`` (the oracle's definition) the
writes must also take effect in the store's order: by acknowledgement, or by the first
completed read that returned their value if that came earlier. Without it, any order of
overlapping writes is allowed (plain linearizability).

Exponential in the worst case, as the general problem is NP-complete; fine for the short
histories the tests give it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import NamedTuple

from cache.events import ABORTED, Event, Op, Phase

__all__ = ["Operation", "check_key", "histories", "is_linearizable"]

_NEVER = 1 << 62
_INITIAL = -(1 << 62)  # the value before any write


class Operation(NamedTuple):
    """One operation on one key: ``call`` and ``ret`` are history positions (``ret`` is
    effectively infinite for a write that never answered)."""

    span: int
    is_write: bool
    value: int
    call: int
    ret: int


def histories(events: Iterable[Event]) -> dict[str, list[Operation]]:
    """Each key's operations, from a recorded run."""
    calls: dict[int, Event] = {}
    writes: dict[str, dict[int, Operation]] = {}
    reads: dict[str, list[tuple[Event, Event]]] = {}
    for event in events:
        if event.op is Op.GET:
            if event.phase is Phase.START:
                calls[event.span] = event
            elif event.phase is Phase.COMPLETE and event.span in calls:
                reads.setdefault(event.key, []).append((calls.pop(event.span), event))
        elif event.op is Op.SET or event.op is Op.EXEC:
            if event.phase is Phase.START:
                if event.version is not None:
                    calls[event.span] = event
                continue
            began = calls.pop(event.span, None)
            if began is None or began.version is None:
                continue
            if event.phase is Phase.COMPLETE and event.note == ABORTED:
                continue
            ret = event.seq if event.phase is Phase.COMPLETE else _NEVER
            op = Operation(began.span, True, began.version, began.seq, ret)
            writes.setdefault(began.key, {})[began.version] = op
    for began in calls.values():  # writes still in flight when the history ends
        if began.op is not Op.GET and began.version is not None:
            op = Operation(began.span, True, began.version, began.seq, _NEVER)
            writes.setdefault(began.key, {})[began.version] = op
    out: dict[str, list[Operation]] = {}
    for key in set(writes) | set(reads):
        written = writes.get(key, {})
        ops = list(written.values())
        for start, end in reads.get(key, []):
            value = end.version if end.version in written else _INITIAL
            ops.append(Operation(end.span, False, value, start.seq, end.seq))
        out[key] = ops
    return out


def _store_ranks(ops: list[Operation]) -> dict[int, int]:
    """Each write's rank in the store order: acknowledgement, or an earlier first read."""
    placed = {op.value: op.ret for op in ops if op.is_write}
    for op in ops:
        if not op.is_write and op.value in placed:
            placed[op.value] = min(placed[op.value], op.ret)
    writes = sorted((op for op in ops if op.is_write), key=lambda w: (placed[w.value], w.call))
    return {w.value: rank for rank, w in enumerate(writes)}


def check_key(ops: list[Operation], *, store_order: bool = True) -> bool:
    """Whether one key's operations are linearizable (from the initial value)."""
    n = len(ops)
    if n == 0:
        return True
    ranks = _store_ranks(ops) if store_order else {}
    # Entries sorted by position; a doubly linked list over them, with a sentinel at 0, so
    # that lifting an operation out and putting it back are O(1) (dancing links).
    entries = sorted(
        [(op.call, 0, i) for i, op in enumerate(ops)] + [(op.ret, 1, i) for i, op in enumerate(ops)]
    )
    size = len(entries) + 1
    nxt = list(range(1, size + 1))
    nxt[-1] = 0  # 0 ends the list
    prv = list(range(-1, size - 1))
    is_call = [False] * size
    op_of = [0] * size
    call_at = [0] * n
    ret_at = [0] * n
    for position, (_, kind, i) in enumerate(entries, start=1):
        is_call[position] = kind == 0
        op_of[position] = i
        if kind == 0:
            call_at[i] = position
        else:
            ret_at[i] = position

    def lift(i: int) -> None:
        for e in (call_at[i], ret_at[i]):
            nxt[prv[e]] = nxt[e]
            if nxt[e]:
                prv[nxt[e]] = prv[e]

    def unlift(i: int) -> None:
        for e in (ret_at[i], call_at[i]):
            nxt[prv[e]] = e
            if nxt[e]:
                prv[nxt[e]] = e

    value = _INITIAL
    written = 0
    linearized = 0
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[int, int]] = []  # (operation, value before it)
    entry = nxt[0]
    while nxt[0]:
        if is_call[entry]:
            i = op_of[entry]
            op = ops[i]
            if op.is_write:
                ok = not store_order or ranks[op.value] == written
                after = op.value
            else:
                ok = op.value == value
                after = value
            if ok:
                state = (linearized | (1 << i), after)
                if state not in seen:
                    seen.add(state)
                    stack.append((i, value))
                    linearized, value = state
                    written += op.is_write
                    lift(i)
                    entry = nxt[0]
                    continue
            entry = nxt[entry]
        else:
            # An operation returned before anything left could be placed: undo the last.
            if not stack:
                return False
            i, value = stack.pop()
            linearized &= ~(1 << i)
            written -= ops[i].is_write
            unlift(i)
            entry = nxt[call_at[i]]
    return True


def is_linearizable(
    events: Iterable[Event], *, store_order: bool = True, without: Collection[int] = ()
) -> bool:
    """Whether a recorded run is linearizable, key by key. ``without`` names read spans to
    leave out (the reads the oracle flagged, to check what remains)."""
    for ops in histories(events).values():
        kept = [op for op in ops if op.is_write or op.span not in without]
        if not check_key(kept, store_order=store_order):
            return False
    return True
