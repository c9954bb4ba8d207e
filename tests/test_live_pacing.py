"""How the live view takes frames and keys while a workload runs in its child process.

The frame timer is only a fallback: each frame is taken as soon as the last one is on the
screen, or the moment the child sends one. And the live view's keys act as soon as the app
sees them while the live view's own widgets have the focus, but never take a key from a
field, or from a screen on top, that wants it.
"""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Input

from tests.apps import RecordingApp
from workbench.session.child import STARTUP_TIMEOUT
from workbench.session.live import LiveState
from workbench.tui.widgets.timeline import Timeline

SIZE = (120, 40)


@pytest.mark.asyncio
async def test_frames_come_as_the_child_sends_them_without_the_frame_timer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        pane = app.live
        monkeypatch.setattr(pane, "_frame", lambda: None)  # the timer takes nothing
        reported = asyncio.Event()
        wake = pane._reported

        def reported_and_told() -> None:
            wake()
            reported.set()

        monkeypatch.setattr(pane, "_reported", reported_and_told)
        await pilot.press("space")
        assert pane.run.state is LiveState.RUNNING
        # The child's first reports: each wakes the view through its pipe.
        for _ in range(3):
            reported.clear()
            await asyncio.wait_for(reported.wait(), STARTUP_TIMEOUT)
            await pilot.pause()
        assert pane.run.stats().events > 0
        assert len(pane.model) > 0  # drawn into the timeline, not only counted
        pane.stop()
        assert pane._watched is None  # a stopped run leaves no pipe watched


@pytest.mark.asyncio
async def test_live_keys_act_at_once_on_the_timeline_but_fields_keep_their_characters() -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        timeline = app.live.timeline
        assert isinstance(app.focused, Timeline)
        scale = timeline.scale_ms
        await pilot.press("minus")
        assert timeline.scale_ms > scale
        # The Redis URL field takes "-" (a host name may have one): no zoom.
        field = app.query_one("#redis-url", Input)
        field.value = "redis://cache"
        field.focus()
        await pilot.pause()
        field.cursor_position = len(field.value)  # typing goes at the end, replacing nothing
        scale = timeline.scale_ms
        await pilot.press("minus", "r")
        assert field.value == "redis://cache-r"
        assert timeline.scale_ms == scale
        assert app.live.run.state is LiveState.READY


@pytest.mark.asyncio
async def test_a_screen_on_top_keeps_its_own_keys() -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("h")  # the by-hand screen, whose r restarts its own run
        await pilot.pause()
        by_hand = app.screen
        assert by_hand is not app.screen_stack[0]
        await pilot.press("1", "r")
        await pilot.pause()
        assert app.screen is by_hand
        assert app.live.run.state is LiveState.READY  # the live run was not reset or started
        footer_r = app.screen.active_bindings["r"].binding
        assert footer_r.description == "Restart"
