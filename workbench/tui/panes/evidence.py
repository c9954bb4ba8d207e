"""Stage 1, collect evidence: run the test many times, list the failing runs, open one."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Label, OptionList, ProgressBar, Select, Static
from textual.widgets.option_list import Option

from cache.batch import BatchResult, RunSpec
from cache.scenarios.changes import Change
from cache.simulation import Knobs
from cache.strategies.registry import BUILTIN, load_strategy
from workbench.session.settings import RUNS
from workbench.session.stages import Stage
from workbench.session.state import Session
from workbench.tui.messages import OpenReplay
from workbench.tui.panes.base import StagePane
from workbench.tui.panes.live import Replay
from workbench.tui.widgets.controls import SettingValidator

__all__ = ["EvidencePane"]

LISTED = 200


def _suspects() -> Text:
    text = Text("Recent changes to the cache code (the suspects):\n", style="bold")
    for change in Change:
        text.append(f"  {change.commit} ", style="yellow")
        text.append(f"{change.summary}\n")
    return text


class EvidencePane(StagePane):
    """Run the story's test N times; failing runs open as deterministic replays."""

    stage = Stage.EVIDENCE

    def __init__(self, session: Session, strategy: str, *, id: str | None = None) -> None:
        super().__init__(session, id=id)
        self._strategy = strategy if strategy in BUILTIN else "naive-async"
        self.result: BatchResult | None = None
        self._spec: RunSpec | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(
            "The report: the cache sometimes returns old data after an update. Run the "
            "test many times to see how often, then open a failing run.",
            classes="result",
        )
        with Horizontal(classes="row"):
            yield Label("Code under test")
            yield Select(
                [(n, n) for n in BUILTIN],
                value=self._strategy,
                allow_blank=False,
                id="evidence-strategy",
            )
            yield Label("runs")
            yield Input("100", validators=[SettingValidator(RUNS)], id="evidence-runs")
            yield Button("Run (b)", id="evidence-run", variant="primary")
        yield ProgressBar(total=100, show_eta=False, id="evidence-progress")
        yield Static("Not run yet.", id="evidence-result", classes="result")
        yield Label("Failing runs (Enter opens one in the timeline):", classes="section")
        yield OptionList(id="evidence-failures")
        yield Static(_suspects(), id="evidence-suspects", classes="result")

    # -- actions ------------------------------------------------------------------------------

    def run_batch(self) -> None:
        """Run the test as many times as asked (the `b` key)."""
        field = self.query_one("#evidence-runs", Input)
        try:
            runs = int(RUNS.parse(field.value))
        except ValueError as error:
            self.notify(str(error), severity="error", title="Runs")
            field.focus()
            return
        strategy = load_strategy(str(self.query_one("#evidence-strategy", Select).value))
        spec = RunSpec(self.session.story(), strategy, Knobs())
        self.begin()
        self.query_one("#evidence-run", Button).disabled = True
        self.query_one(ProgressBar).update(total=runs, progress=0)
        self.query_one("#evidence-failures", OptionList).clear_options()
        self.result = None
        self._spec = spec
        self._run(spec, runs)

    @work(exclusive=True, group="evidence", exit_on_error=False, description="Evidence batch")
    async def _run(self, spec: RunSpec, runs: int) -> None:
        result = await self.run_batch_of(spec, runs, self._progress)
        self._done(spec, result)

    def _progress(self, result: BatchResult) -> None:
        # Kept as it grows: a cancelled batch keeps its failing runs (``restore``).
        self.result = result
        self.casebook.evidence = result
        self.query_one(ProgressBar).update(progress=result.completed)
        self.query_one("#evidence-result", Static).update(
            f"{result.completed}/{result.runs} runs, {result.failures} failed so far"
        )

    def _done(self, spec: RunSpec, result: BatchResult) -> None:
        self.result = result
        self.casebook.evidence = result
        self.casebook.evidence_spec = spec
        self.query_one("#evidence-run", Button).disabled = False
        text = Text()
        where = "" if result.backend == "sim" else f" on {self.session.target.describe()}"
        if result.interrupted:
            text.append(f"Stopped after {result.completed} of {result.runs} runs.\n")
        text.append(
            f"{result.strategy}{where}: {result.failures} of {result.completed} runs failed: ",
            style="bold",
        )
        text.append(str(result.rate), style="red" if result.failures else "green")
        text.append(
            "\n(a run fails when any of its reads is stale; the live view counts per read: "
            f"here {result.stale_reads} of {result.reads} reads, {result.stale_rate.value:.1%})",
            style="dim",
        )
        if result.failures:
            shown = ", ".join(str(n) for n in result.failed_runs[:12])
            more = "" if result.failures <= 12 else f", ... ({result.failures - 12} more)"
            text.append(f"\nFailed: {shown}{more}")
        else:
            text.append("\nNo failures: nothing to investigate with this strategy.", style="green")
        self.query_one("#evidence-result", Static).update(text)
        options = self.query_one("#evidence-failures", OptionList)
        options.clear_options()
        options.add_options([Option(f"Run {n}", id=str(n)) for n in result.failed_runs[:LISTED]])
        if result.failures:
            options.highlighted = 0

    def open_run(self, run: int | None = None) -> None:
        """Open a failing run (the highlighted one by default) in the timeline."""
        options = self.query_one("#evidence-failures", OptionList)
        if run is None:
            if options.highlighted is None or self.result is None or not self.result.failures:
                self.notify("Run the test first, then pick a failing run.", severity="warning")
                return
            option = options.get_option_at_index(options.highlighted)
            run = int(option.id or 0)
        spec = self.casebook.evidence_spec
        if spec is None:
            return
        if self.result is not None and self.result.backend == "redis":
            self.notify(
                "A run on a real server cannot be replayed: the network chose its "
                "interleaving. Run the test on the simulator to open failing runs.",
                severity="warning",
                title="No replay",
                timeout=8,
            )
            return
        sim = self.session.replay(spec, run)
        title = f"run {run} of seed {self.session.seed}, {spec.strategy.name}"
        self.post_message(OpenReplay(Replay(sim, title)))
        self.casebook.replayed_runs.append(run)
        if self.result is not None and self.result.failures:
            self.finish(
                f"{self.result.failures}/{self.result.completed} runs failed; run {run} replayed"
            )

    # -- events -------------------------------------------------------------------------------

    @on(Button.Pressed, "#evidence-run")
    def _pressed(self) -> None:
        self.run_batch()

    @on(Input.Submitted, "#evidence-runs")
    def _submitted(self) -> None:
        self.run_batch()

    @on(OptionList.OptionSelected, "#evidence-failures")
    def _open(self, event: OptionList.OptionSelected) -> None:
        self.open_run(int(event.option.id or 0))

    def restore(self, *, cancelled: bool) -> None:
        self.query_one("#evidence-run", Button).disabled = False
        if self.result is not None and self._spec is not None:
            self._done(self._spec, self.result)  # what it measured, failing runs included
