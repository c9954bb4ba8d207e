"""The live run in a child process: same results as in-process, errors come back, every
wait on the child is bounded, nothing is left running."""

from __future__ import annotations

import time

import pytest

from cache import load_strategy
from tests.apps import RecordingApp
from workbench.session.child import ANSWER_TIMEOUT, STARTUP_TIMEOUT, LiveProcess
from workbench.session.live import LiveRun, LiveState
from workbench.session.settings import LiveSettings

SETTINGS = LiveSettings(writers=2, readers=8, keys=1, seed=3)


def test_a_child_run_measures_exactly_what_an_inline_run_does() -> None:
    inline = LiveRun(SETTINGS)
    inline.run_for(0.3)
    remote = LiveProcess(SETTINGS)
    try:
        remote.run_for(0.3)
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
    remote = LiveProcess(SETTINGS)
    try:
        assert remote.toggle() is LiveState.RUNNING
        assert remote.toggle() is LiveState.PAUSED
        remote.speed = 0.5
        remote.run_for(0.1)
        assert remote.stats().reads > 0
        assert remote.stop() and remote.state is LiveState.STOPPED
        kept = remote.stats().reads
        assert kept > 0  # stopping keeps what was measured
        remote.reset(SETTINGS.with_value("strategy", load_strategy("lock")))
        assert remote.state is LiveState.READY and remote.stats().reads == 0
        remote.run_for(0.1)
        assert remote.stats().stale == 0
    finally:
        remote.close()
    assert not remote.alive


def test_a_strategy_that_raises_in_the_child_comes_back_as_an_error() -> None:
    failing = SETTINGS.with_value("strategy", load_strategy("tests.user_strategies:Explodes"))
    remote = LiveProcess(failing)
    try:
        remote.run_for(0.2)
        assert remote.state is LiveState.FAILED
        assert remote.error is not None and "the strategy has a bug" in remote.error
    finally:
        remote.close()


def test_the_child_starts_with_the_first_run_not_before() -> None:
    remote = LiveProcess(SETTINGS)
    try:
        remote.reset(SETTINGS.with_value("seed", 9))
        assert remote.stop() and not remote.alive  # nothing ran: no process was needed
        remote.reset()
        remote.run_for(0.05)
        assert remote.alive and remote.stats().reads > 0
    finally:
        remote.close()
    assert not remote.alive


def test_stop_returns_within_two_seconds_when_the_strategy_never_yields() -> None:
    spinning = SETTINGS.with_value(
        "strategy", load_strategy("tests.user_strategies:SpinsWhenBuilt")
    )
    remote = LiveProcess(spinning)
    try:
        assert remote.start()
        assert remote.wait_started()  # the child is up; building the run is what spins
        began = time.monotonic()
        remote.stop()
        # Bounded by the child's own waits, not frozen (a loaded machine stretches them).
        assert time.monotonic() - began < 2 * ANSWER_TIMEOUT + 2.0
        assert remote.state is LiveState.FAILED and not remote.alive
        assert remote.error is not None and "never yields" in remote.error
        remote.reset(SETTINGS)  # and the next run works
        remote.run_for(0.05)
        assert remote.stats().reads > 0
    finally:
        remote.close()


def test_an_update_that_never_yields_fails_the_run_instead_of_freezing_it() -> None:
    spinning = SETTINGS.with_value("strategy", load_strategy("tests.user_strategies:NeverYields"))
    remote = LiveProcess(spinning)
    try:
        began = time.monotonic()
        remote.run_for(0.5)  # the first update spins
        # Bounded by the child's start and one answer's wait, not frozen.
        assert time.monotonic() - began < STARTUP_TIMEOUT + ANSWER_TIMEOUT
        assert remote.state is LiveState.FAILED and not remote.alive
        assert remote.error is not None and "'never-yields' never yields" in remote.error
    finally:
        remote.close()


@pytest.mark.asyncio
async def test_the_app_with_a_child_run_draws_it_and_quits_cleanly() -> None:
    app = RecordingApp(SETTINGS)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        engine = app.live.run
        assert isinstance(engine, LiveProcess) and not engine.alive
        app.live.run_for(0.3)
        await pilot.pause()
        assert engine.alive and app.live.model.stale_bars
        await pilot.press("n")
        assert app.live.timeline.selected is not None
        app.live.toggle()  # running when the app quits
    assert not engine.alive
