"""Stage 4, verify the fix: a thousand runs, what each fix costs, and a regression test."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, DataTable, Input, Label, ProgressBar, Select, Static

from cache.batch import BatchResult, RunSpec
from cache.measure import Cost, measure_cost
from cache.scenarios.changes import parse_changes
from cache.simulation import Knobs
from cache.strategies.registry import BUILTIN, load_strategy
from workbench.session.confidence import CleanRuns
from workbench.session.export import (
    BROKEN,
    check_export_name,
    export_concerns,
    export_regression_test,
)
from workbench.session.settings import RUNS
from workbench.session.stages import Stage
from workbench.tui.panes.base import StagePane
from workbench.tui.widgets.controls import SettingValidator

__all__ = ["VerifyPane"]

COST_SECONDS = 2.0


class VerifyPane(StagePane):
    """Verification with a progress bar, a cost table, and the test export."""

    stage = Stage.VERIFY

    DEFAULT_CSS = """
    VerifyPane #verify-export-path { width: 1fr; }
    """

    # The export last refused for want of confirmation: the same again confirms it.
    _export_asked: tuple[Path, list[str]] | None = None

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="row"):
            yield Label("Fix")
            yield Select(
                [(n, n) for n in BUILTIN if n != BROKEN],
                value="transaction",
                allow_blank=False,
                id="verify-fix",
            )
            yield Label("runs")
            yield Input("1000", validators=[SettingValidator(RUNS)], id="verify-runs")
            yield Button("Verify (v)", id="verify-run", variant="primary")
        yield ProgressBar(total=1000, show_eta=False, id="verify-progress")
        yield Static("Not verified yet.", id="verify-result", classes="result")
        yield Label("What each fix costs (sustained workload, virtual time):", classes="section")
        yield Button("Compare the fixes (c)", id="verify-compare")
        table: DataTable[str] = DataTable(id="verify-costs", cursor_type="row")
        table.add_columns(
            "strategy", "ops/s", "read p50", "read p95", "update p50", "trips/update", "stale"
        )
        yield table
        yield Label("Export a regression test that replays a failing run:", classes="section")
        with Horizontal(classes="row"):
            yield Input("test_cache_race_regression.py", id="verify-export-path")
            yield Button("Export (e)", id="verify-export")
        yield Static("", id="verify-export-result", classes="result")

    def _fix(self) -> str:
        return str(self.query_one("#verify-fix", Select).value)

    # -- actions ------------------------------------------------------------------------------

    def verify(self) -> None:
        """Run the chosen fix many times (the `v` key)."""
        field = self.query_one("#verify-runs", Input)
        try:
            runs = int(RUNS.parse(field.value))
        except ValueError as error:
            self.notify(str(error), severity="error", title="Runs")
            return
        self.begin()
        self.query_one("#verify-run", Button).disabled = True
        self.query_one(ProgressBar).update(total=runs, progress=0)
        self._verify(self._fix(), runs)

    @work(exclusive=True, group="verify", exit_on_error=False, description="Verification")
    async def _verify(self, fix: str, runs: int) -> None:
        spec = RunSpec(self.session.story(), load_strategy(fix), Knobs())
        result = await self.run_batch_of(
            spec,
            runs,
            lambda r: self.query_one(ProgressBar).update(progress=r.completed),
            step=25,
        )
        self._verified(fix, result)

    def _verified(self, fix: str, result: BatchResult) -> None:
        self.query_one("#verify-run", Button).disabled = False
        text = Text(f"{fix}: {result.failures} of {result.completed} runs failed: ", style="bold")
        text.append(str(result.rate), style="red" if result.failures else "green")
        if result.failures == 0 and result.completed >= 1000:
            text.append(
                f"\n✓ verified: not one stale read in {result.reads:,} reads", style="bold green"
            )
            self.casebook.verified = (fix, result)
            self.finish(f"{fix}: 0 of {result.completed} runs failed")
        elif result.failures:
            text.append(f"\n✗ not fixed: failing runs {result.failed_runs[:10]}", style="bold red")
        else:
            text.append(
                "\nNo failures, but verify at least 1000 runs to finish the stage.", style="yellow"
            )
        clean = self._clean_runs(result)
        if clean is not None:
            text.append(f"\nHow many clean runs prove it: {clean.describe()}.")
        else:
            text.append(
                f"\nRun {BROKEN} on Evidence first: its failure rate says how many clean runs "
                "prove the fix.",
                style="dim",
            )
        self.query_one("#verify-result", Static).update(text)

    def _clean_runs(self, result: BatchResult) -> CleanRuns | None:
        """The broken code's rate at the same settings, and what these clean runs prove."""
        changes = sorted(c.value for c in parse_changes(result.changes))
        failures = completed = 0
        for batch in self.session.journal.of("batch"):
            if (
                batch["strategy"] == BROKEN
                and batch["widen_ms"] == result.widen_ms
                and batch["changes"] == changes
            ):
                failures += batch["failures"]
                completed += batch["completed"]
        if not failures or result.failures:
            return None
        return CleanRuns(failures / completed, result.completed)

    def compare(self) -> None:
        """Measure throughput and latency of every strategy (the `c` key)."""
        self.begin()
        self.query_one("#verify-costs", DataTable).clear()
        self._compare()

    @work(
        exclusive=True,
        group="verify-costs",
        exit_on_error=False,
        thread=True,
        description="Cost comparison",
    )
    def _compare(self) -> None:
        for name in BUILTIN:
            cost = measure_cost(load_strategy(name), seconds=COST_SECONDS, seed=self.session.seed)
            self.app.call_from_thread(self._add_cost, cost)

    def _add_cost(self, cost: Cost) -> None:
        self.query_one("#verify-costs", DataTable).add_row(
            cost.strategy,
            f"{cost.ops_per_second:,.0f}",
            f"{cost.read_p50_ms:.2f}ms",
            f"{cost.read_p95_ms:.2f}ms",
            f"{cost.update_p50_ms:.2f}ms",
            f"{cost.round_trips_per_update:.2f}",
            f"{cost.stale:,}",
        )

    def export(self) -> None:
        """Write the regression test (the `e` key). A path outside the working directory, or
        a file that exists, is written only when the same export is asked for again."""
        raw = self.query_one("#verify-export-path", Input).value.strip()
        path = Path(raw)
        try:
            check_export_name(path)
            concerns = export_concerns(path)
        except (OSError, ValueError) as error:
            self.notify(f"{error}.", severity="error", title="Export")
            return
        confirmed = bool(concerns) and self._export_asked == (path, concerns)
        if concerns and not confirmed:
            self._export_asked = (path, concerns)
            message = f"{'; '.join(concerns)}. Press e again to write it anyway."
            self.query_one("#verify-export-result", Static).update(message)
            self.notify(message, severity="warning", title="Export: confirm")
            return
        self._export_asked = None
        self.begin()
        self._export(path, self._fix(), overwrite=confirmed)

    @work(exclusive=True, group="verify-export", exit_on_error=False, description="Export")
    async def _export(self, path: Path, fix: str, *, overwrite: bool) -> None:
        try:
            path, run = await export_regression_test(path, self.session, fix, overwrite=overwrite)
        except FileExistsError:
            self.notify(
                f"{path} appeared meanwhile; press e again to replace it.",
                severity="warning",
                title="Export: confirm",
            )
            return
        except (OSError, ValueError) as error:
            self.notify(f"Could not export: {error}", severity="error", title="Export failed")
            return
        self.query_one("#verify-export-result", Static).update(
            f"Wrote {path} (pins run {run}). `python -m pytest {path}` passes with "
            f"{fix}; RACE_STRATEGY={BROKEN} makes it fail."
        )
        self.notify(f"Exported {path}", timeout=3)

    # -- events -------------------------------------------------------------------------------

    @on(Button.Pressed, "#verify-run")
    @on(Input.Submitted, "#verify-runs")
    def _run(self) -> None:
        self.verify()

    @on(Button.Pressed, "#verify-compare")
    def _compare_pressed(self) -> None:
        self.compare()

    @on(Button.Pressed, "#verify-export")
    @on(Input.Submitted, "#verify-export-path")
    def _export_pressed(self) -> None:
        self.export()

    def restore(self, *, cancelled: bool) -> None:
        self.query_one("#verify-run", Button).disabled = False
