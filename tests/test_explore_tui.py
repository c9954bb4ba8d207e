"""The Explore tab, driven by its keys: it finds the story's failure, shows and copies the
token and the shrunk table, opens the failing schedule in the timeline with its stale read
selected, opens pasted tokens (naming a divergence), validates its fields in place, and
keeps what it found when cancelled."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable, Input, Select, Static

from cache.explore import ExploreReport, ExploreSpec, explore
from cache.scenarios.story import StoryScenario
from tests.apps import RecordingApp
from workbench.tui.bindings import ACTIONS
from workbench.tui.panes.explore import ExplorePane

SIZE = (120, 40)


@pytest.fixture(scope="module")
def token() -> str:
    report = explore(ExploreSpec.story("naive-async"), policy="pct", causality_k=0)
    assert report.minimal is not None
    return report.minimal.token


async def _explore_tab(app: RecordingApp, pilot: Pilot[None]) -> ExplorePane:
    await pilot.pause()
    await pilot.press("5")
    await pilot.pause()
    assert app.active_tab == "explore"
    return app.query_one(ExplorePane)


async def _settle(app: RecordingApp, pilot: Pilot[None]) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


def _assert_keys_in_footer_and_palette(app: RecordingApp) -> None:
    titles = {c.title for c in app.get_system_commands(app.screen)}
    shown = {
        b.binding.action for b in app.screen.active_bindings.values()
        if b.enabled and b.binding.show
    }
    mine = [a for a in ACTIONS if a.tab == "explore"]
    assert len(mine) == 6
    for action in mine:
        assert action.title in titles and action.action in shown


def _text(pane: ExplorePane, selector: str) -> str:
    return str(pane.query_one(selector, Static).render())


@pytest.mark.asyncio
async def test_pct_finds_the_story_failure_and_opens_it_in_the_timeline() -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        pane = await _explore_tab(app, pilot)
        _assert_keys_in_footer_and_palette(app)
        await pilot.press("g")
        await _settle(app, pilot)
        report = pane.report
        assert report is not None and report.found and report.minimal is not None
        assert report.seed == app.session.seed
        verdict = _text(pane, "#explore-verdict")
        assert verdict.startswith("FOUND a stale read after")
        assert "pct, depth 3: at least" in verdict
        token = report.minimal.token
        assert token.startswith("rwb1.") and _text(pane, "#explore-token") == token
        await pilot.press("y")
        assert app.clipboard == token
        # One column per task; the stale read and the write it missed are marked.
        table = pane.query_one(DataTable)
        assert [str(c.label) for c in table.columns.values()] == ["ms", "updater", "reader-1"]
        cells = [str(c) for r in range(table.row_count) for c in table.get_row_at(r)]
        assert sum("<-- STALE" in c for c in cells) == 1
        assert sum("<-- MISSED by reader-1" in c for c in cells) == 1
        assert "<- inevitable from here" in _text(pane, "#explore-causality")
        entry = app.session.journal.of("explore")[-1]
        assert entry["found"] and entry["minimal_token"] == token

        await pilot.press("o")
        await pilot.pause()
        assert app.active_tab == "live"
        replay = app.live.replay
        assert replay is not None and "shrunk" in replay.title
        selected = app.live.timeline.selected
        assert selected is not None and selected.stale is not None
        assert selected.stale.read.task == "reader-1"

        await pilot.press("5", "O")  # the original schedule, as the search found it
        await pilot.pause()
        assert app.live.replay is not None and "as found" in app.live.replay.title
        original = app.live.timeline.selected
        assert original is not None and original.stale is not None


@pytest.mark.asyncio
async def test_exhaustive_proves_the_lock_clean_within_its_bound() -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        pane = await _explore_tab(app, pilot)
        pane.query_one("#explore-strategy", Select).value = "lock"
        pane.query_one("#explore-policy", Select).value = "exhaustive"
        await pilot.pause()
        # Exhaustive search takes the async change alone, and says so.
        assert pane.query_one("#explore-changes", Select).value == "async"
        assert pane.query_one("#explore-depth", Input).disabled
        pane.query_one("#explore-max_schedules", Input).value = "5000"
        await pilot.press("g")
        await _settle(app, pilot)
        verdict = _text(pane, "#explore-verdict")
        assert verdict.startswith("No stale read in 2,534 schedules")
        assert "2,534 schedules covered (all of them: clean within the bound)" in verdict
        assert not pane.query_one(DataTable).display
        assert _text(pane, "#explore-token") == "none: no stale read"


@pytest.mark.asyncio
async def test_a_pasted_token_opens_exactly_or_names_where_the_code_changed(
    token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        pane = await _explore_tab(app, pilot)
        field = pane.query_one("#explore-paste", Input)

        async def paste(text: str) -> None:
            await pilot.press("5", "t")
            assert app.focused is field
            field.value = text
            await pilot.press("enter")
            await pilot.pause()

        await paste("not a token")
        assert _text(pane, "#explore-replayed").startswith("not a replay token")
        assert field.has_class("-invalid") and app.active_tab == "explore"

        await paste(token)
        assert pane.replayed_message.startswith("Replayed exactly (")
        assert not field.has_class("-invalid")
        assert app.active_tab == "live"
        selected = app.live.timeline.selected
        assert selected is not None and selected.stale is not None

        # The deliberate code change: every reader reads once more first.
        original = StoryScenario._read

        async def read_twice(runtime: Any, cache: Any, at: Any, reads: int) -> None:
            await original(runtime, cache, at, reads + 1)

        monkeypatch.setattr(StoryScenario, "_read", staticmethod(read_twice))
        await paste(token)
        assert "diverged at step" in pane.replayed_message
        assert any("diverged at step" in note for note in app.notes)
        assert app.live.replay is not None and "diverged at step" in app.live.replay.title


@pytest.mark.asyncio
async def test_bad_field_values_are_refused_in_place() -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        pane = await _explore_tab(app, pilot)
        depth = pane.query_one("#explore-depth", Input)
        depth.focus()
        depth.value = ""
        await pilot.press("0")
        await pilot.pause()
        assert _text(pane, "#explore-error") == "depth must be 1-10, not 0"
        assert depth.has_class("-invalid")
        await pilot.press("enter")  # Enter in a field searches: refused, nothing runs
        await _settle(app, pilot)
        assert pane.report is None
        assert "depth must be 1-10, not 0" in app.notes
        depth.value = "2"
        await pilot.pause()
        assert _text(pane, "#explore-error") == ""


@pytest.mark.asyncio
async def test_cancelling_stops_the_search_and_keeps_what_it_found() -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        pane = await _explore_tab(app, pilot)
        pane.query_one("#explore-max_schedules", Input).value = "10000000"
        pane.query_one("#explore-all", Checkbox).value = True  # keep going after a failure
        found = threading.Event()
        shown = pane._progress

        def progress(report: ExploreReport) -> None:
            shown(report)
            if report.found:
                found.set()

        pane._progress = progress  # type: ignore[method-assign]
        await pilot.press("g")
        # Wait for the event, not for time: the screen keeps handling progress meanwhile.
        assert await asyncio.to_thread(found.wait, 60)
        await pilot.press("x")
        await _settle(app, pilot)
        report = pane.report
        assert report is not None and report.cancelled and report.found
        assert report.schedules < 10_000_000
        assert report.token is not None and _text(pane, "#explore-token").startswith("rwb1.")
        assert "Cancelled: what was explored before is kept." in _text(pane, "#explore-verdict")
        assert _text(pane, "#explore-progress").endswith("cancelled")
        assert app.session.journal.of("explore")[-1]["cancelled"]
        await pilot.press("o")  # what it found still opens
        await pilot.pause()
        assert app.live.replay is not None
