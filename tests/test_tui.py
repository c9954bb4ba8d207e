"""Pilot tests: every control and every stage's actions, asserting on state.

Live runs are advanced on virtual time (``advance_virtual``) rather than by waiting for
frames, so these tests are deterministic and fast; keys are pressed for real wherever the
app is idle (``pilot.press`` waits for idle, which a running workload never is).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.widgets import DataTable, Input, OptionList, Select, Static, TabbedContent

from cache.batch import derive_seed
from cache.oracle import Anomaly
from tests.apps import RecordingApp
from workbench import cli as cli_module
from workbench.session.lanes import BARS_PER_LANE
from workbench.session.live import HISTORY_EVENTS, LiveState
from workbench.session.settings import LiveSettings
from workbench.session.stages import Stage, StageState
from workbench.tui.app import WorkbenchApp
from workbench.tui.bindings import ACTIONS, inner_action
from workbench.tui.panes.evidence import EvidencePane
from workbench.tui.panes.hypothesis import HypothesisPane
from workbench.tui.panes.isolate import IsolatePane
from workbench.tui.panes.live import LivePane
from workbench.tui.panes.verify import VerifyPane
from workbench.tui.widgets.event_log import MAX_LINES, EventLog
from workbench.tui.widgets.timeline import Timeline

ROOT = Path(__file__).resolve().parent.parent
SIZE = (120, 40)


def run_pytest(path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run an exported test file in a fresh interpreter (after the app has closed)."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)],
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(ROOT), "PATH": "", **env},
    )


async def settle(app: WorkbenchApp, pilot: object) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]


# -- start and controls ---------------------------------------------------------------------


@pytest.mark.asyncio
async def test_opens_on_the_race_example_with_naive_async() -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.query_one(TabbedContent).active == "live"
        assert app.query_one("#strategy", Select).value == "naive-async"
        assert app.live.run.state is LiveState.READY
        assert isinstance(app.focused, Timeline)
        assert "naive-async" in app.sub_title and "ready" in app.sub_title


def test_command_line_presets_the_tui(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[tuple[LiveSettings, bool]] = []
    monkeypatch.setattr(
        WorkbenchApp, "run", lambda self: opened.append((self.settings, self.autostart))
    )
    result = CliRunner().invoke(
        cli_module.cli, ["--strategy", "lock", "--seed", "7", "--writers", "3", "--start"]
    )
    assert result.exit_code == 0, result.output
    ((settings, autostart),) = opened
    assert settings.strategy.name == "lock" and settings.seed == 7 and settings.writers == 3
    assert autostart


def test_bad_tui_presets_are_one_line_errors(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli_module.main(["--readers", "-1"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "readers must be 1-256, not -1" in err


@pytest.mark.asyncio
async def test_space_starts_pauses_and_resumes_then_stop_keeps_and_reset_clears() -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        live = app.live
        await pilot.press("space")
        assert live.run.state is LiveState.RUNNING
        live.run.pause()  # stop the frames, so the next press finds the app idle
        await pilot.press("space")
        assert live.run.state is LiveState.RUNNING
        await pilot.press("space")
        assert live.run.state is LiveState.PAUSED
        live.run_for(0.2)
        reads = live.run.stats().reads
        assert reads > 50
        await pilot.press("x")
        assert live.run.state is LiveState.STOPPED
        assert live.run.stats().reads == reads  # what was measured stays
        assert "stopped" in app.sub_title
        await pilot.press("r")
        assert live.run.state is LiveState.READY
        assert live.run.stats().reads == 0
        assert len(live.model) == 0


@pytest.mark.asyncio
async def test_a_knob_validates_in_place_and_applies_on_enter() -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        field = app.query_one("#knob-writers", Input)
        field.focus()
        field.value = ""
        await pilot.press("9", "9")
        assert field.has_class("-invalid")
        error = app.query_one("#controls-error", Static)
        assert "writers must be 0-64, not 99" in str(error.render())
        await pilot.press("enter")
        assert app.live.run.settings.writers == 2  # not applied
        field.value = ""
        await pilot.press("3", "enter")
        assert not field.has_class("-invalid")
        assert app.live.run.settings.writers == 3
        assert str(error.render()) == ""


@pytest.mark.asyncio
async def test_at_80x24_a_knob_s_message_scrolls_into_sight_beside_its_field() -> None:
    app = RecordingApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        sidebar = app.query_one("#live-sidebar")
        field = app.query_one("#knob-writers", Input)
        error = app.query_one("#controls-error", Static)
        field.focus()
        await pilot.pause()
        assert not sidebar.region.contains_region(error.region)  # below the fold at first
        field.value = ""
        await pilot.press("9", "9")
        await pilot.pause()
        assert "writers must be 0-64, not 99" in str(error.render())
        assert sidebar.region.contains_region(error.region)
        assert sidebar.region.contains_region(field.region)


@pytest.mark.asyncio
async def test_widen_knob_restarts_the_run_with_it() -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        field = app.query_one("#knob-widen_ms", Input)
        field.focus()
        field.value = "50"
        await pilot.press("enter")
        assert app.live.run.settings.widen_ms == 50
        assert app.session.settings.widen_ms == 50


@pytest.mark.asyncio
async def test_speed_changes_without_restarting() -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.live.run_for(0.05)
        measured = app.live.run.stats()
        before = app.live.run.speed
        await pilot.press("right_square_bracket")
        assert app.live.run.speed > before
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert app.live.run.speed < before
        assert app.live.run.stats() == measured  # the same run, not a new one


@pytest.mark.asyncio
async def test_strategy_selector_switches_the_run() -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.query_one("#strategy", Select).value = "transaction"
        await pilot.pause()
        assert app.live.run.settings.strategy.name == "transaction"
        app.live.run_for(0.5)
        assert app.live.run.stats().reads > 100
        assert app.live.run.stats().stale == 0


@pytest.mark.asyncio
async def test_a_users_strategy_loads_from_module_and_class() -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        field = app.query_one("#load-strategy", Input)
        field.focus()
        field.value = "tests.user_strategies:Nope"
        await pilot.press("enter")
        await settle(app, pilot)  # loaded on a worker thread
        assert field.has_class("-invalid")
        assert "has no 'Nope'" in str(app.query_one("#controls-error", Static).render())
        field.value = "tests.user_strategies:WriteThrough"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.query_one("#strategy", Select).value == "write-through"
        assert app.live.run.settings.strategy.name == "write-through"


@pytest.mark.asyncio
async def test_a_strategy_that_raises_is_a_notification_and_the_app_goes_on() -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        field = app.query_one("#load-strategy", Input)
        field.focus()
        field.value = "tests.user_strategies:Explodes"
        await pilot.press("enter")
        await settle(app, pilot)
        app.live.run_for(0.2)
        await pilot.pause()
        assert app.live.run.state is LiveState.FAILED
        assert any("the strategy has a bug" in n for n in app.notes)
        app.query_one("#strategy", Select).value = "lock"
        await pilot.pause()
        app.live.run_for(0.2)
        assert app.live.run.state is LiveState.PAUSED
        assert app.live.run.stats().reads > 0


# -- timeline, log and counter -------------------------------------------------------------


@pytest.mark.asyncio
async def test_timeline_marks_stale_reads_and_links_them_to_the_missed_write() -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.live.run_for(0.3)
        await pilot.pause()
        timeline = app.live.timeline
        assert timeline.model.stale_bars
        await pilot.press("n")
        bar = timeline.selected
        assert bar is not None and bar.stale is not None
        assert bar.stale.kind is Anomaly.MISSED_INVALIDATION
        missed = timeline.model.missed_bar(bar)
        assert missed is not None and missed.kind == "update"
        assert missed.version == bar.stale.missed.version
        assert missed.window(timeline.model.t_max) is not None  # the race window it was in
        assert not timeline.follow
        detail = str(app.query_one("#timeline-detail", Static).render())
        assert f"missing v{missed.version} written by {missed.lane}" in detail
        await pilot.press("f")
        assert timeline.follow


@pytest.mark.asyncio
async def test_zoom_changes_the_scale() -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        scale = app.live.timeline.scale_ms
        await pilot.press("plus")
        assert app.live.timeline.scale_ms < scale
        await pilot.press("minus", "minus")
        assert app.live.timeline.scale_ms > scale


@pytest.mark.asyncio
async def test_counter_and_log_show_what_the_oracle_found() -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.live.run_for(0.3)
        await pilot.pause()
        stats = app.live.run.stats()
        assert stats.reads > 0 and stats.stale > 0
        figures = str(app.query_one("#counter-figures").render())
        assert f"reads   {stats.reads:,}" in figures
        assert f"stale   {stats.stale:,}" in figures
        assert "95% CI" in figures and "missed-invalidation" in figures
        log = app.query_one(EventLog)
        assert any("<-- STALE (missed-invalidation)" in line for line in log.lines)


@pytest.mark.asyncio
async def test_memory_stays_bounded_on_a_long_run() -> None:
    app = RecordingApp(LiveSettings(writers=4, readers=32, keys=4, speed=1.0))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for _ in range(8):
            app.live.run_for(0.5)
        await pilot.pause()
        assert app.live.run.stats().events > HISTORY_EVENTS  # more happened than is kept...
        assert len(app.query_one(EventLog).lines) <= MAX_LINES  # ...and the screen is bounded
        for lane in app.live.model.lanes.values():
            assert len(lane.bars) <= BARS_PER_LANE


# -- the stages ----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_evidence_lists_failing_runs_and_opens_one_as_a_replay() -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("1")
        assert app.query_one(TabbedContent).active == "evidence"
        await pilot.press("b")
        await settle(app, pilot)
        pane = app.query_one(EvidencePane)
        assert pane.result is not None and pane.result.completed == 100
        failing = pane.result.failed_runs
        assert 3 <= len(failing) <= 15
        assert app.query_one("#evidence-failures", OptionList).option_count == len(failing)
        assert app.session.casebook.board[Stage.EVIDENCE] is StageState.IN_PROGRESS
        await pilot.press("o")
        await pilot.pause()
        assert app.query_one(TabbedContent).active == "live"
        replay = app.live.replay
        assert replay is not None and f"run {failing[0]} of seed 1" in replay.title
        assert replay.sim.oracle.stale >= 1
        assert app.live.timeline.selected is not None  # the stale read, already selected
        assert app.session.casebook.board[Stage.EVIDENCE] is StageState.DONE
        assert app.session.casebook.board[Stage.ISOLATE] is StageState.IN_PROGRESS
        assert "● 1 Evidence" in str(app.query_one(TabbedContent).get_tab("evidence").label)
        await pilot.press("space")  # back to the live run
        assert app.live.replay is None


@pytest.mark.asyncio
async def test_evidence_rejects_a_bad_run_count_in_place() -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.action_show_tab("evidence")
        await pilot.pause()
        app.query_one("#evidence-runs", Input).value = "0"
        app.query_one(EvidencePane).run_batch()
        await settle(app, pilot)
        assert app.query_one(EvidencePane).result is None
        assert any("runs must be 1-10,000,000, not 0" in n for n in app.notes)


@pytest.mark.asyncio
async def test_isolate_bisect_finds_the_async_change() -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("2")
        await pilot.press("m")
        await settle(app, pilot)
        working = str(app.query_one("#isolate-working-rate", Static).render())
        broken = str(app.query_one("#isolate-broken-rate", Static).render())
        assert working.startswith("sync: 0.0%") and not broken.startswith("naive-async: 0.0%")
        await pilot.press("a")
        await settle(app, pilot)
        table = app.query_one("#isolate-table", DataTable)
        # git bisect over the commits, oldest first: all, none, then halves of the range.
        assert [str(key.value) for key in table.rows] == [
            "async,prewarm,ttl-refresh",
            "none",
            "ttl-refresh",
            "prewarm,ttl-refresh",
        ]
        assert (
            app.session.casebook.culprit is not None
            and app.session.casebook.culprit.commit == "f8d3c21"
        )
        assert app.session.casebook.board[Stage.ISOLATE] is StageState.DONE


@pytest.mark.asyncio
async def test_isolate_manual_switches() -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.action_show_tab("isolate")
        await pilot.pause()
        app.query_one("#change-async").value = False  # type: ignore[attr-defined]
        await pilot.press("c")
        await settle(app, pilot)
        pane = app.query_one(IsolatePane)
        ((changes, result),) = pane.measured.items()
        assert changes == frozenset(c for c in changes) and "async" not in {
            c.value for c in changes
        }
        assert result.failures == 0


def book_hypothesis(app: RecordingApp) -> str:
    return app.session.casebook.hypothesis


@pytest.mark.asyncio
async def test_hypothesis_experiment_and_candidate_fix() -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("3")
        pane = app.query_one(HypothesisPane)
        pane.record()
        await pilot.pause()
        assert any("Choose an explanation first" in n for n in app.notes)
        # Chosen from candidates, never typed: a wrong one is answered with why it does not fit.
        pane.query_one("#hypothesis-text", Select).value = "early-read"
        await pilot.pause()
        assert "Does not fit" in str(pane.query_one("#hypothesis-verdict", Static).render())
        assert not book_hypothesis(app)
        pane.query_one("#hypothesis-text", Select).value = "window"
        await pilot.pause()
        assert book_hypothesis(app)
        await pilot.press("e")
        await settle(app, pilot)
        book = app.session.casebook
        assert book.baseline is not None and book.widened is not None
        assert book.widened.value > 0.45 > book.baseline.value
        assert book.experiment_supports_hypothesis
        await pilot.press("t")
        await settle(app, pilot)
        assert book.candidate is not None and book.candidate[0] == "lock"
        assert book.candidate[1].successes == 0
        assert book.board[Stage.HYPOTHESIS] is StageState.DONE


@pytest.mark.asyncio
async def test_verify_runs_compares_and_exports_a_test_that_fails_on_the_bug(
    tmp_path: Path,
) -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("4")
        await pilot.press("v")
        await settle(app, pilot)
        assert app.session.casebook.verified is not None
        fix, result = app.session.casebook.verified
        assert fix == "transaction" and result.completed == 1000 and result.failures == 0
        assert app.session.casebook.board[Stage.VERIFY] is StageState.DONE
        await pilot.press("c")
        await settle(app, pilot)
        costs = app.query_one("#verify-costs", DataTable)
        assert costs.row_count == 6
        rows = {costs.get_row_at(i)[0]: costs.get_row_at(i) for i in range(costs.row_count)}
        assert rows["naive-async"][-1] != "0" and rows["transaction"][-1] == "0"
        # The lock halves throughput against the transaction: the cost the stage is about.
        lock_ops = float(rows["lock"][1].replace(",", ""))
        transaction_ops = float(rows["transaction"][1].replace(",", ""))
        assert lock_ops < 0.7 * transaction_ops
        target = tmp_path / "test_pinned_race.py"
        app.query_one("#verify-export-path", Input).value = str(target)
        await pilot.press("e")
        await settle(app, pilot)
        assert not target.exists()  # outside the working directory: asked first
        assert any("outside the working directory" in n for n in app.notes)
        await pilot.press("e")
        await settle(app, pilot)
        assert target.exists()
    fixed = await asyncio.to_thread(run_pytest, target, {})
    assert fixed.returncode == 0, fixed.stdout
    broken = await asyncio.to_thread(run_pytest, target, {"RACE_STRATEGY": "naive-async"})
    assert broken.returncode == 1 and "returned stale data" in broken.stdout


@pytest.mark.asyncio
async def test_a_failed_export_is_a_notification(tmp_path: Path) -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.action_show_tab("verify")
        await pilot.pause()
        pane = app.query_one(VerifyPane)
        pane.query_one("#verify-export-path", Input).value = str(tmp_path / "missing" / "test_x.py")
        pane.export()
        pane.export()  # confirmed: outside the working directory
        await settle(app, pilot)
        assert any("Could not export" in n for n in app.notes)
        pane.query_one("#verify-export-path", Input).value = "notatest.txt"
        pane.export()
        await pilot.pause()
        assert any("test_something.py" in n for n in app.notes)
        app.action_show_tab("live")
        await pilot.pause()
        app.live.run_for(0.05)
        assert app.live.run.stats().reads > 0  # still working


# -- keys, palette, cancel, quit -----------------------------------------------------------


@pytest.mark.asyncio
async def test_every_action_has_a_key_in_the_footer_and_a_palette_command() -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = {c.title for c in app.get_system_commands(app.screen)}
        for tab in ("live", "evidence", "isolate", "hypothesis", "verify"):
            app.action_show_tab(tab)
            await pilot.pause()
            shown = {
                inner_action(b.binding.action)
                for b in app.screen.active_bindings.values()
                if b.enabled and b.binding.show
            }
            for action in ACTIONS:
                assert action.title in titles
                if action.tab == tab:
                    assert action.action in shown, (tab, action.action)
                elif action.tab is not None:
                    assert action.action not in shown, (tab, action.action)


@pytest.mark.asyncio
async def test_palette_commands_switch_to_their_tab_and_act() -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        command = next(
            c for c in app.get_system_commands(app.screen) if c.title.startswith("Evidence: run")
        )
        await command.callback()  # type: ignore[misc]
        await settle(app, pilot)
        assert app.query_one(TabbedContent).active == "evidence"
        assert app.query_one(EvidencePane).result is not None


@pytest.mark.asyncio
async def test_ctrl_c_cancels_a_batch_and_keeps_what_it_measured() -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.action_show_tab("evidence")
        await pilot.pause()
        app.query_one("#evidence-runs", Input).value = "100000"
        pane = app.query_one(EvidencePane)
        pane.run_batch()
        await pilot.pause()
        app.action_cancel()
        await pilot.pause()
        await pilot.pause()
        assert all(worker.is_finished for worker in app.workers)
        assert pane.result is not None and pane.result.interrupted  # never completed...
        shown = str(pane.query_one("#evidence-result", Static).render())
        assert f"Stopped after {pane.result.completed} of 100000 runs" in shown  # ...but kept
        assert any("Cancelled" in n for n in app.notes)
        assert not pane.query_one("#evidence-run").disabled


@pytest.mark.asyncio
async def test_quitting_mid_run_leaves_no_task_behind() -> None:
    app = RecordingApp(autostart=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.live.run.state is LiveState.RUNNING
        app.query_one(EvidencePane).run_batch()
        run = app.live.run
        app.exit()
    assert all(worker.is_finished for worker in app.workers)
    assert not run.alive  # the live run's process ended with the app


@pytest.mark.asyncio
async def test_live_pane_is_the_only_owner_of_its_run() -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.query(LivePane).first() is app.live


@pytest.mark.asyncio
async def test_the_seed_in_the_sidebar_is_the_seed_of_evidence_replays_and_exports(
    tmp_path: Path,
) -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        field = app.query_one("#knob-seed", Input)
        field.focus()
        field.value = "4242"
        await pilot.press("enter")
        assert app.live.run.settings.seed == 4242 and app.session.seed == 4242
        app.action_show_tab("evidence")
        await pilot.pause()
        app.query_one(EvidencePane).run_batch()
        await settle(app, pilot)
        evidence = app.query_one(EvidencePane).result
        assert evidence is not None and evidence.seed == 4242 and evidence.failed_runs
        app.query_one(EvidencePane).open_run()
        await pilot.pause()
        replay = app.live.replay
        assert replay is not None and f"run {evidence.failed_runs[0]} of seed 4242" in replay.title
        assert replay.sim.seed == derive_seed(4242, evidence.failed_runs[0])
        app.action_show_tab("verify")
        await pilot.pause()
        target = tmp_path / "test_seeded.py"
        app.query_one("#verify-export-path", Input).value = str(target)
        app.query_one(VerifyPane).export()
        app.query_one(VerifyPane).export()  # confirmed: outside the working directory
        await settle(app, pilot)
        source = target.read_text()
        assert "SEED = 4242" in source and f"RUN = {evidence.failed_runs[0]}" in source
