"""The live run in a child process: same results as in-process, errors come back, nothing
is left running."""

from __future__ import annotations

import pytest

from cache import load_strategy
from workbench.app import WorkbenchApp
from workbench.live import LiveRun, LiveState
from workbench.remote import RemoteLiveRun
from workbench.settings import LiveSettings

SETTINGS = LiveSettings(writers=2, readers=8, keys=1, seed=3)


def test_a_child_run_measures_exactly_what_an_inline_run_does() -> None:
    inline = LiveRun(SETTINGS)
    inline.advance_virtual(0.3)
    remote = RemoteLiveRun(SETTINGS)
    try:
        remote.advance_virtual(0.3)
        assert remote.state is LiveState.PAUSED
        here, there = inline.stats(), remote.stats()
        assert there.reads == here.reads > 100
        assert there.stale == here.stale > 0
        assert there.events == here.events
        frame = remote.frame()
        assert frame is not None and frame.bars and frame.lines
        assert any(bar.stale is not None for bar in frame.bars)
    finally:
        remote.close()
        inline.close()


def test_commands_reach_the_child_and_reset_starts_over() -> None:
    remote = RemoteLiveRun(SETTINGS)
    try:
        assert remote.toggle() is LiveState.RUNNING
        assert remote.toggle() is LiveState.PAUSED
        remote.speed = 0.5
        remote.advance_virtual(0.1)
        assert remote.stats().reads > 0
        assert remote.stop() and remote.state is LiveState.STOPPED
        kept = remote.stats().reads
        assert kept > 0  # stopping keeps what was measured
        remote.reset(SETTINGS.with_value("strategy", load_strategy("lock")))
        assert remote.state is LiveState.READY and remote.stats().reads == 0
        remote.advance_virtual(0.1)
        assert remote.stats().stale == 0
    finally:
        remote.close()
    assert not remote._process.is_alive()


def test_a_strategy_that_raises_in_the_child_comes_back_as_an_error() -> None:
    failing = SETTINGS.with_value("strategy", load_strategy("tests.user_strategies:Explodes"))
    remote = RemoteLiveRun(failing)
    try:
        remote.advance_virtual(0.2)
        assert remote.state is LiveState.FAILED
        assert remote.error is not None and "the strategy has a bug" in remote.error
    finally:
        remote.close()


@pytest.mark.asyncio
async def test_the_app_with_a_child_run_draws_it_and_quits_cleanly() -> None:
    app = WorkbenchApp(SETTINGS, separate_process=True)
    engine = app.engine
    assert isinstance(engine, RemoteLiveRun)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.live.advance_virtual(0.3)
        await pilot.pause()
        assert app.live.model.stale_bars
        await pilot.press("n")
        assert app.live.timeline.selected is not None
        app.live.toggle()  # running when the app quits
    assert not engine._process.is_alive()
