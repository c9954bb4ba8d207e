"""Stage 3, form and test a hypothesis: write it down, widen the window, try a fix."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Label, Select, Static

from cache.batch import BatchResult, RunSpec
from cache.simulation import Knobs
from cache.stats import Rate
from cache.strategies.registry import BUILTIN, load_strategy
from workbench.session.explanations import CANDIDATES, candidate
from workbench.session.settings import WIDEN_MS
from workbench.session.stages import Stage
from workbench.tui.panes.base import StagePane
from workbench.tui.widgets.controls import SettingValidator

__all__ = ["HypothesisPane", "rate_bar"]

RUNS = 100
BAR = 30


def rate_bar(label: str, rate: Rate) -> Text:
    """``label  ████░░░ 67.0% (95% CI ...)``: a rate you can compare at a glance."""
    filled = round(rate.value * BAR)
    text = Text(f"{label:<32.32}")
    text.append("█" * filled, style="red" if rate.successes else "green")
    text.append("░" * (BAR - filled), style="dim")
    text.append(f" {rate}\n")
    return text


class HypothesisPane(StagePane):
    """The hypothesis, the widen-the-window experiment, and a candidate fix."""

    stage = Stage.HYPOTHESIS

    DEFAULT_CSS = """
    HypothesisPane #hypothesis-text { width: 1fr; margin: 0 0 1 0; }
    """

    def compose_body(self) -> ComposeResult:
        yield Label("Your hypothesis: which explanation fits the evidence?", classes="section")
        yield Select(
            [(c.text, c.id) for c in CANDIDATES],
            prompt="Choose the explanation",
            id="hypothesis-text",
        )
        yield Static("", id="hypothesis-verdict", classes="result")
        yield Label("Test it: widen the window between the update's steps", classes="section")
        with Horizontal(classes="row"):
            yield Label("widen ms")
            yield Input("100", validators=[SettingValidator(WIDEN_MS)], id="hypothesis-widen")
            yield Button("Run the experiment (e)", id="hypothesis-run", variant="primary")
        yield Static("", id="hypothesis-experiment", classes="result")
        yield Label("Then try a candidate fix, with the window still widened:", classes="section")
        with Horizontal(classes="row"):
            yield Select(
                [(n, n) for n in BUILTIN if n != "naive-async"],
                value="lock",
                allow_blank=False,
                id="hypothesis-fix",
            )
            yield Button("Try it (t)", id="hypothesis-try")
        yield Static("", id="hypothesis-fix-result", classes="result")

    # -- actions ------------------------------------------------------------------------------

    def record(self) -> None:
        """Record the chosen explanation (chosen, never typed: a check can judge it)."""
        value = self.query_one("#hypothesis-text", Select).value
        if not isinstance(value, str):
            self.notify("Choose an explanation first.", severity="warning")
            return
        chosen = candidate(value)
        self.session.journal.record("explanation", id=chosen.id)
        verdict = self.query_one("#hypothesis-verdict", Static)
        if chosen.why_not:
            verdict.update(Text(f"Does not fit: {chosen.why_not}", style="yellow"))
            return
        verdict.update(Text("Fits the evidence. Now test it.", style="green"))
        self.casebook.hypothesis = chosen.text
        self.begin()
        self._check_done()

    def experiment(self) -> None:
        """Baseline, then the same runs with the window widened (the `e` key)."""
        widen = self._widen()
        if widen is None:
            return
        self.begin()
        self._experiment(widen)

    def try_fix(self) -> None:
        """Run the candidate fix with the widened window (the `t` key)."""
        widen = self._widen()
        if widen is None:
            return
        self.begin()
        self._try(str(self.query_one("#hypothesis-fix", Select).value), widen)

    def _widen(self) -> float | None:
        field = self.query_one("#hypothesis-widen", Input)
        try:
            return float(WIDEN_MS.parse(field.value))
        except ValueError as error:
            self.notify(str(error), severity="error", title="Widen")
            return None

    @work(exclusive=True, group="hypothesis", exit_on_error=False, description="Experiment")
    async def _experiment(self, widen: float) -> None:
        out = self.query_one("#hypothesis-experiment", Static)
        broken = load_strategy("naive-async")
        rates = []
        plans = (("baseline", Knobs()), (f"widened by {widen:g} ms", Knobs(widen_ms=widen)))
        for label, knobs in plans:
            spec = RunSpec(self.session.story(), broken, knobs)

            def show(result: BatchResult, label: str = label) -> None:
                out.update(f"{label}: {result.completed}/{result.runs} runs...")

            result = await self.run_batch_of(spec, RUNS, show)
            rates.append((label, result.rate))
        text = Text()
        for label, rate in rates:
            text.append_text(rate_bar(f"naive-async, {label}", rate))
        self.casebook.baseline, self.casebook.widened = rates[0][1], rates[1][1]
        if self.casebook.experiment_supports_hypothesis:
            text.append(
                "Widening the window made failures far more common: timing is the cause.",
                style="bold",
            )
        else:
            text.append("No clear jump: the window may not be where you think.", style="yellow")
        out.update(text)
        self._check_done()

    @work(exclusive=True, group="hypothesis-fix", exit_on_error=False, description="Trying a fix")
    async def _try(self, name: str, widen: float) -> None:
        out = self.query_one("#hypothesis-fix-result", Static)
        spec = RunSpec(self.session.story(), load_strategy(name), Knobs(widen_ms=widen))
        result = await self.run_batch_of(
            spec, RUNS, lambda r: out.update(f"{r.completed}/{r.runs} runs...")
        )
        self.casebook.candidate = (name, result.rate)
        text = rate_bar(f"{name}, widened by {widen:g} ms", result.rate)
        if self.casebook.widened is not None:
            text = rate_bar("naive-async, widened", self.casebook.widened) + text
        out.update(text)
        self._check_done()

    def _check_done(self) -> None:
        book = self.casebook
        if (
            book.hypothesis
            and book.experiment_supports_hypothesis
            and book.candidate is not None
            and book.candidate[1].successes == 0
        ):
            self.finish(f"confirmed; {book.candidate[0]} held with the window widened")

    # -- events -------------------------------------------------------------------------------

    @on(Select.Changed, "#hypothesis-text")
    def _recorded(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.record()

    @on(Input.Submitted, "#hypothesis-widen")
    @on(Button.Pressed, "#hypothesis-run")
    def _run(self) -> None:
        self.experiment()

    @on(Button.Pressed, "#hypothesis-try")
    def _try_pressed(self) -> None:
        self.try_fix()
