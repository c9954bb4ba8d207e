"""The log's tail (what the live view shows each frame) is the last lines of the full log,
however the events arrive in batches."""

from __future__ import annotations

import pytest

from cache import Simulation, SustainedWorkload, load_strategy
from cache.logfmt import LogFormatter


@pytest.mark.parametrize("strategy", ["naive-async", "lock", "versioned"])
@pytest.mark.parametrize("verbose", [False, True])
def test_the_tail_of_each_batch_is_the_end_of_the_full_log(strategy: str, verbose: bool) -> None:
    sim = Simulation(SustainedWorkload(duration=0.3), load_strategy(strategy), seed=5)
    sim.run()
    events = list(sim.history)
    full = list(LogFormatter(sim.oracle.verdict, verbose=verbose).lines(events))
    assert full  # a run that logs nothing would prove nothing

    batched = LogFormatter(sim.oracle.verdict, verbose=verbose)
    shown: list[str] = []
    skipped = 0
    for begin in range(0, len(events), 97):  # frames of uneven size, as the live view's
        lines, dropped = batched.tail(events[begin : begin + 97], limit=5)
        shown += lines
        skipped += dropped
        assert len(lines) <= 5
    # Every line of the full log is either shown or counted as skipped, in order.
    assert len(shown) + skipped == len(full)
    assert shown[-5:] == full[-5:]
    assert all(line in full for line in shown)
