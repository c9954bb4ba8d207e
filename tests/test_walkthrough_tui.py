"""The walkthrough in the app, driven through real actions as a learner would."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, Select

from tests.apps import RecordingApp
from workbench.session.report import report_data, report_markdown
from workbench.tui.byhand import ByHandScreen
from workbench.tui.help import HelpScreen

SIZE = (120, 40)
SCHEMA = Path(__file__).parent.parent / "schemas" / "session-report.schema.json"


async def settle(app: RecordingApp, pilot: Pilot[None]) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


async def read_step(app: RecordingApp, pilot: Pilot[None]) -> None:
    assert app.walk.current is not None and app.walk.current.reading
    await pilot.press("greater_than_sign")


async def walk_through(app: RecordingApp, pilot: Pilot[None], *, bisect: bool, fix: str) -> None:
    await read_step(app, pilot)  # the report
    await pilot.press("1", "b")
    await settle(app, pilot)
    await pilot.press("o")
    await settle(app, pilot)
    await pilot.press("n")  # on the live tab, where the replay is shown
    await pilot.pause()
    assert "Why was it stale" in app.guide.markdown()
    await read_step(app, pilot)  # the recent changes
    await pilot.press("h", "1", "1", "1", "2", "2", "2")
    assert isinstance(app.screen, ByHandScreen) and app.screen.run.reads()[0][2]
    await pilot.press("question_mark")
    assert isinstance(app.screen, HelpScreen)
    await pilot.press("escape", "escape")
    await pilot.press("2")
    if bisect:
        await pilot.press("a")
        await settle(app, pilot)
    else:
        for ticked in ({"async", "prewarm", "ttl-refresh"}, {"prewarm", "ttl-refresh"}):
            for box in app.query(Checkbox):
                box.value = (box.id or "").removeprefix("change-") in ticked
            await pilot.press("c")
            await settle(app, pilot)
    await pilot.press("3")
    app.query_one("#hypothesis-text", Select).value = "window"
    await pilot.pause()
    await pilot.press("e")
    await settle(app, pilot)
    app.query_one("#hypothesis-fix", Select).value = fix
    await pilot.press("t")
    await settle(app, pilot)
    await pilot.press("4")
    app.query_one("#verify-fix", Select).value = fix
    await pilot.press("v")
    await settle(app, pilot)
    await read_step(app, pilot)  # monitoring
    await read_step(app, pilot)  # lessons


@pytest.mark.asyncio
@pytest.mark.parametrize(("bisect", "fix"), [(True, "lock"), (False, "transaction")])
async def test_a_learner_completes_the_walkthrough(bisect: bool, fix: str) -> None:
    app = RecordingApp(walkthrough=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await walk_through(app, pilot, bisect=bisect, fix=fix)
        assert app.walk.finished, app.walk.outcomes
        assert app.walk.revealed() == []
        data = report_data(app.walk)
        jsonschema.validate(data, json.loads(SCHEMA.read_text()))
        assert data["verification"]["strategy"] == fix
        assert data["explanation"]["correct"]
        shown = app.query_one("#verify-result").render().plain  # type: ignore[attr-defined]
        assert "clean runs in a row give 95% confidence" in shown and "reach 99%" in shown


@pytest.mark.asyncio
async def test_pressing_through_passes_no_checkpoint() -> None:
    app = RecordingApp(walkthrough=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for _ in range(15):
            await pilot.press("greater_than_sign")
        await pilot.press("H", "H", "H", "1", "2", "3", "4", "n")
        await pilot.pause()
        assert app.walk.passed == {}
        assert app.walk.current is not None and app.walk.current.id == "reproduce"
        # A doing step has no Next button, and its refusal says why.
        assert not app.query_one("#guide-next").display
        assert any("do it for real" in note for note in app.notes)


@pytest.mark.asyncio
async def test_a_revealed_step_is_reported_as_revealed() -> None:
    app = RecordingApp(walkthrough=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await read_step(app, pilot)
        await pilot.press("S")
        await settle(app, pilot)
        assert "batch_failed" in app.walk.passed
        data = report_data(app.walk)
        steps = {s["id"]: s for s in data["steps"]}
        assert steps["reproduce"]["done"] and steps["reproduce"]["revealed"]
        assert not steps["read-run"]["revealed"]
        assert "revealed: reproduce." in report_markdown(data)


@pytest.mark.asyncio
async def test_by_hand_stale_read_then_undo_gives_a_clean_read() -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("h", "1", "1", "1", "2", "2", "2")
        screen = app.screen
        assert isinstance(screen, ByHandScreen)
        assert screen.run.reads() == [("reader-1", 0, True)]
        assert "Why was it stale" in str(screen.query_one("#byhand-why").source)  # type: ignore[attr-defined]
        await pilot.press("u", "1", "1")
        assert screen.run.reads() == [("reader-1", 1, False)]
        assert [e["stale"] for e in app.session.journal.of("by_hand")] == [True, False]


@pytest.mark.asyncio
async def test_a_learner_resumes_after_quitting(tmp_path: Path) -> None:
    state = tmp_path / "state" / "walkthrough.json"
    first = RecordingApp(walkthrough=True, state_path=state)
    async with first.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await read_step(first, pilot)
        await pilot.press("1", "b")
        await settle(first, pilot)
        assert "batch_failed" in first.walk.passed
    again = RecordingApp(walkthrough=True, state_path=state)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "batch_failed" in again.walk.passed
        assert again.walk.current is not None and again.walk.current.id == "read-run"
        assert "Read a failing run" in again.guide.markdown()
    fresh = RecordingApp(walkthrough=True, state_path=state, fresh=True)
    async with fresh.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert fresh.walk.passed == {} and fresh.walk.current.id == "report"  # type: ignore[union-attr]
