"""The app against a hostile user: every field shows what is typed into it, Escape leaves a
field, a user's module never freezes or closes the app, a refused server is not shown as
chosen, a replay's idle keys say so, and a small terminal gets a notice, not a broken
layout."""

from __future__ import annotations

import sys

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from tests.apps import RecordingApp
from workbench.tui.panes.evidence import EvidencePane
from workbench.tui.widgets.controls import Controls
from workbench.tui.widgets.timeline import Timeline

SIZE = (120, 40)
TABS = ("live", "evidence", "isolate", "hypothesis", "verify")


def screen_lines(app: RecordingApp) -> list[str]:
    """The screen as the user sees it, one string per row."""
    return ["".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips()]


async def settle(app: RecordingApp, pilot: Pilot[None]) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.asyncio
async def test_typing_into_every_field_shows_the_text_on_screen() -> None:
    app = RecordingApp()
    typed = 0
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for tab in TABS:
            app.action_show_tab(tab)
            await pilot.pause()
            pane = app.query_one(f"#{tab}-pane")
            for field in pane.query(Input):
                if not field.display:
                    continue
                field.focus()
                field.value = ""
                await pilot.pause()
                text = "9z" if field.id != "redis-url" else "redis://q9z"
                await pilot.press(*text)
                await pilot.pause()
                assert field.value == text, field.id
                region = field.content_region
                assert region.height >= 1, f"{field.id} has no row left for its text"
                row = screen_lines(app)[region.y]
                assert text in row[region.x : region.right], f"{field.id}: {row!r}"
                typed += 1
    assert typed >= 12  # the sidebar's knobs, load, redis url, and the stages' fields


@pytest.mark.asyncio
async def test_escape_leaves_a_field_and_the_keys_are_the_apps_again() -> None:
    app = RecordingApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        field = app.query_one("#knob-seed", Input)
        field.focus()
        await pilot.press("escape")
        assert isinstance(app.focused, Timeline)
        footer = [key.key for key in app.screen.query("FooterKey")]
        assert "space" in footer and "x" in footer
        await pilot.press("x", "4")  # keys now, not text
        assert field.value == "1"
        assert app.active_tab == "verify"


@pytest.mark.asyncio
async def test_a_module_that_sleeps_at_import_never_blocks_the_ui(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(Controls, "import_timeout", 3.0)
    # Another test's import may have finished by now: this one must import afresh.
    monkeypatch.delitem(sys.modules, "tests.hostile_import_sleep", raising=False)
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        field = app.query_one("#load-strategy", Input)
        field.focus()
        field.value = "tests.hostile_import_sleep:Slow"
        await pilot.press("enter")
        assert "loading" in str(app.query_one("#controls-error", Static).render())
        await pilot.press("escape", "1")  # the import sleeps; the app answers keys
        assert app.active_tab == "evidence"
        await settle(app, pilot)
        error = str(app.query_one("#controls-error", Static).render())
        assert "took longer than 3s" in error and field.has_class("-invalid")
        assert app.live.run.settings.strategy.name == "naive-async"


@pytest.mark.asyncio
async def test_a_module_that_exits_at_import_is_a_message_not_a_closed_app() -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        field = app.query_one("#load-strategy", Input)
        field.focus()
        field.value = "tests.hostile_import_exit:Anything"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.is_running
        assert "SystemExit" in str(app.query_one("#controls-error", Static).render())
        app.live.run_for(0.05)
        assert app.live.run.stats().reads > 0


@pytest.mark.asyncio
async def test_a_refused_redis_url_leaves_the_selector_on_the_simulator() -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.query_one("#redis-url", Input).value = "redis://u:hunter2@10.1.2.3:6379/0"
        backend = app.query_one("#backend", Select)
        backend.value = "redis"
        await settle(app, pilot)
        assert backend.value == "sim" and app.session.target.kind == "sim"
        error = str(app.query_one("#controls-error", Static).render())
        assert "not a loopback address" in error
        assert "hunter2" not in "\n".join(screen_lines(app))


@pytest.mark.asyncio
async def test_in_a_replay_the_live_runs_keys_are_dimmed_and_explained() -> None:
    app = RecordingApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.check_action("stop", ()) is True
        app.action_show_tab("evidence")
        app.query_one(EvidencePane).run_batch()
        await settle(app, pilot)
        app.query_one(EvidencePane).open_run()
        await settle(app, pilot)
        assert app.live.replay is not None
        for action in ("stop", "reset", "speed"):
            assert app.check_action(action, (1,)) is None  # shown, dimmed
        status = str(app.query_one("#live-status", Static).render())
        assert "x r ] [" in status
        await pilot.press("space")  # back to live: the keys work again
        assert app.live.replay is None and app.check_action("stop", ()) is True


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(50, 15), (79, 40), (120, 23)])
async def test_below_80x24_a_notice_says_the_terminal_is_too_small(
    size: tuple[int, int],
) -> None:
    app = RecordingApp()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        shown = "\n".join(screen_lines(app))
        assert "Terminal too small" in shown and "80x24" in shown
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert "Terminal too small" not in "\n".join(screen_lines(app))
