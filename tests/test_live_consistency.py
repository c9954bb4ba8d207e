"""The live view's numbers agree with themselves: the counter, the timeline and the log
describe the same events at every moment the screen shows (running, paused, stopped, reset),
with the live run in its child process, as shipped."""

from __future__ import annotations

import asyncio
import random

import pytest
from textual.app import App, ComposeResult
from textual.widgets import OptionList, Static

from cache.batch import BatchResult
from tests.apps import RecordingApp
from workbench.session.live import LiveState
from workbench.session.settings import LiveSettings
from workbench.tui.panes.evidence import EvidencePane
from workbench.tui.widgets.counter import StaleCounter
from workbench.tui.widgets.event_log import EventLog

SIZE = (120, 40)
FAST = LiveSettings(writers=2, readers=16, keys=2, speed=0.5)


def counter_figures(app: RecordingApp) -> str:
    return str(app.query_one("#counter-figures").render())


def assert_in_agreement(app: RecordingApp) -> None:
    """What the counter says is what the timeline's model and the log hold."""
    counter = app.query_one(StaleCounter)
    shown = counter.shown
    model = app.live.model
    if shown is None or shown.reads == 0:
        assert model.reads == 0 and model.stale == 0
        assert "reads   0" in counter_figures(app)
        return
    assert (shown.reads, shown.stale) == (model.reads, model.stale)
    assert f"reads   {shown.reads:,}" in counter_figures(app)
    assert f"stale   {shown.stale:,}" in counter_figures(app)
    stale_bars = {bar.span for bar in model.stale_bars}
    assert len(stale_bars) == min(shown.stale, model.stale_bars.maxlen or shown.stale)
    marked = sum("<-- STALE" in line for line in app.query_one(EventLog).lines)
    assert marked <= shown.stale  # the log never shows a stale read the counter lacks


@pytest.mark.asyncio
async def test_counter_timeline_and_log_agree_when_paused_stopped_and_reset() -> None:
    rng = random.Random(20261127)
    app = RecordingApp(FAST)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        live = app.live
        for _ in range(8):
            live.run_for(rng.uniform(0.02, 0.2))  # a known stretch of virtual time...
            assert_in_agreement(app)
            live.toggle()  # ...then the run goes on in real time, in the child process
            assert live.run.state is LiveState.RUNNING
            for _ in range(rng.randrange(1, 30)):
                live.show_latest()  # a frame, at whatever moment the child has reached
                assert_in_agreement(app)
                await asyncio.sleep(0)  # yield to the app's own timers and messages
            if rng.random() < 0.7:
                live.toggle()
                assert live.run.state is LiveState.PAUSED
            else:
                live.stop()
                assert live.run.state is LiveState.STOPPED
            assert_in_agreement(app)
            if rng.random() < 0.4:
                live.reset()
                await pilot.pause()
                assert live.run.state is LiveState.READY
                assert live.model.reads == 0 and not live.model.stale_bars
                assert live.timeline.selected is None
                assert "reads   0" in counter_figures(app)
                assert app.query_one(EventLog).line_count == 0
                detail = str(app.query_one("#timeline-detail", Static).render())
                assert detail.startswith("━ update")


@pytest.mark.asyncio
async def test_reset_after_a_selected_stale_read_leaves_nothing_of_the_last_run() -> None:
    app = RecordingApp(FAST)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.live.run_for(0.3)
        await pilot.pause()
        app.action_stale(1)
        assert app.live.timeline.selected is not None
        assert "✗" in str(app.query_one("#timeline-detail", Static).render())
        app.action_reset()
        await pilot.pause()
        assert app.live.timeline.selected is None and not app.live.model.lanes
        assert str(app.query_one("#timeline-detail", Static).render()).startswith("━ update")
        assert "reads   0" in counter_figures(app)


class LogApp(App[None]):
    def compose(self) -> ComposeResult:
        yield EventLog()


@pytest.mark.asyncio
async def test_the_log_still_follows_after_a_hundred_thousand_lines() -> None:
    app = LogApp()
    async with app.run_test(size=(80, 24)) as pilot:
        log = app.query_one(EventLog)
        written = 0
        for frame in range(900):
            wide = " and a line far wider than the screen" * 4 if frame == 300 else ""
            log.add([f"line {written + i}{wide}" for i in range(120)], skipped=frame % 7)
            written += 120
            if frame == 500:
                await pilot.resize_terminal(100, 30)
            if frame % 25 == 0:
                await pilot.pause()
        await pilot.pause()
        assert written >= 100_000 and log.line_count <= 5_000  # bounded...
        assert log.lines[-1] == f"line {written - 1}"
        assert log.follow and log.scroll_offset.y == log.max_scroll_y > 0  # ...and following
        log.action_page_up()  # the user scrolls back to read: the log stays put
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        held = log.scroll_offset.y
        log.add(["one more"])
        await pilot.pause()
        assert not log.follow and log.scroll_offset.y == held < log.max_scroll_y
        log.focus()
        await pilot.press("end")  # and follows again on request
        log.add(["and another"])
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        assert log.follow and log.scroll_offset.y == log.max_scroll_y


@pytest.mark.asyncio
async def test_the_live_log_follows_the_run() -> None:
    app = RecordingApp(LiveSettings(writers=8, readers=64, keys=8, speed=1.0))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        log = app.query_one(EventLog)
        for _ in range(60):
            app.live.run_for(0.02)
        await pilot.pause()
        assert log.written > 5_000 and log.follow
        assert log.scroll_offset.y == log.max_scroll_y > 0
        assert_in_agreement(app)


@pytest.mark.asyncio
async def test_a_cancelled_evidence_batch_keeps_its_failing_runs_and_opens_one() -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.action_show_tab("evidence")
        await pilot.pause()
        pane = app.query_one(EvidencePane)
        original = pane._progress

        def cancel_once_something_failed(result: BatchResult) -> None:
            original(result)
            if len(result.failed_runs) >= 2:
                app.action_cancel()  # as ctrl+c would, mid-way through 100,000 runs

        pane._progress = cancel_once_something_failed  # type: ignore[method-assign]
        app.query_one("#evidence-runs").value = "100000"  # type: ignore[attr-defined]
        pane.run_batch()
        for _ in range(1_000):  # each pause lets the batch take a step; no waiting on time
            if all(worker.is_finished for worker in app.workers):
                break
            await pilot.pause()
        result = pane.result
        assert result is not None and result.interrupted and result.completed < 100_000
        assert len(result.failed_runs) >= 2
        options = app.query_one("#evidence-failures", OptionList)
        assert options.option_count == len(result.failed_runs)
        assert any("kept" in note for note in app.notes)
        pane.open_run(result.failed_runs[1])
        await pilot.pause()
        replay = app.live.replay
        assert replay is not None and f"run {result.failed_runs[1]} of seed" in replay.title
        assert replay.sim.oracle.stale >= 1

