"""The screen's timeline model is bounded by its lanes: a bar that scrolls off the back of
its lane is let go by every index too, so the app's memory stops growing once the lanes are
full (the write index once held every update for minutes)."""

from __future__ import annotations

from workbench.session.lanes import BARS_PER_LANE, LaneModel
from workbench.session.live import LiveRun
from workbench.session.settings import LiveSettings


def test_no_index_holds_a_bar_that_left_its_lane() -> None:
    run = LiveRun(LiveSettings(writers=2, readers=2, keys=1, seed=7))
    model = LaneModel()
    try:
        for _ in range(30):
            run.run_for(0.1)
            frame = run.frame()
            assert frame is not None
            model.apply(frame.bars, frame.t_max, (frame.reads, frame.stale))
    finally:
        run.close()
    on_lanes = {id(bar) for lane in model.lanes.values() for bar in lane.bars}
    assert any(len(lane.bars) == BARS_PER_LANE for lane in model.lanes.values())
    assert {id(bar) for bar in model._by_span.values()} <= on_lanes
    assert {id(bar) for bar in model._by_write.values()} <= on_lanes
    # A kept stale read still finds the update it missed, while that update is kept.
    kept = [bar for bar in model.stale_bars if id(bar) in on_lanes]
    assert kept and any(model.missed_bar(bar) is not None for bar in kept)
