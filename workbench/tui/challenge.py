"""The challenge app: the brief and the stages with their goals on the left, the controls
and what the learner's actions showed on the right, and a diagnosis form that scores the
answer and explains the real cause. The deployed code is never named before the answer."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    Footer,
    Header,
    Input,
    Label,
    Markdown,
    RadioButton,
    RadioSet,
    RichLog,
    Static,
)

from workbench.session.challenge import ChallengeRun
from workbench.session.challenge_report import challenge_markdown, challenge_report
from workbench.session.checkpoints import CHECKPOINTS, Verdict
from workbench.session.packs import DEPLOYED, Action, Challenge
from workbench.session.report import write_report
from workbench.session.scoring import PARTS, explain, score

__all__ = ["ChallengeApp", "DiagnosisScreen"]

_MARK = {Verdict.PASS: "[green]✓[/]", Verdict.FAIL: "[red]✗[/]", Verdict.UNKNOWN: "·"}


class DiagnosisScreen(ModalScreen[dict[str, str] | None]):
    """One candidate per part (change, window, fix), from the pack; Escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    DiagnosisScreen { align: center middle; }
    DiagnosisScreen > VerticalScroll { width: 90%; height: 90%; border: round $accent;
                                       background: $surface; padding: 0 1; }
    DiagnosisScreen RadioSet { width: 100%; }
    """

    def __init__(self, challenge: Challenge) -> None:
        super().__init__()
        self.challenge = challenge

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Label("[b]Your diagnosis[/b]: pick one in each group, then Submit.")
            for part in PARTS:
                yield Label(f"Which {part}?")
                with RadioSet(id=f"part-{part}"):
                    for c in self.challenge.diagnosis[part]:
                        yield RadioButton(c.text, id=f"{part}-{c.id}")
            yield Button("Submit", id="submit", variant="primary")

    @on(Button.Pressed, "#submit")
    def _submit(self) -> None:
        picked = {}
        for part in PARTS:
            button = self.query_one(f"#part-{part}", RadioSet).pressed_button
            if button is None or button.id is None:
                self.notify(f"Pick a {part}.", severity="warning", timeout=3)
                return
            picked[part] = button.id.removeprefix(f"{part}-")
        self.dismiss(picked)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChallengeApp(App[None]):
    """One challenge, worked in stages, answered with a diagnosis."""

    TITLE = "Race Workbench: challenge"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("b", "batch", "Run batch"),
        Binding("f", "next_strategy", "Code"),
        Binding("plus,equals_sign", "widen(1)", "Widen +1ms", show=False),
        Binding("minus", "widen(-1)", "Widen -1ms", show=False),
        Binding("o", "replay", "Open failing run"),
        Binding("n", "select", "Select anomaly"),
        Binding("h", "hint", "Hint"),
        Binding("s", "show_me", "Show me"),
        Binding("d", "diagnose", "Diagnose"),
        Binding("R", "report", "Report"),
        Binding("q", "quit", "Quit"),
    ]
    DEFAULT_CSS = """
    #brief { width: 45%; border-right: solid $primary; padding: 0 1; }
    #work { width: 55%; padding: 0 1; }
    #controls { height: auto; }
    #controls Input { width: 14; }
    #controls Label { padding: 1 1 0 0; }
    #code { padding: 1 1 0 0; width: auto; }
    #out { height: 1fr; }
    """

    def __init__(
        self, challenge: Challenge, pack: str = "", *, state_path: Path | None = None,
        fresh: bool = False, report_path: Path | None = None, learner: str = "",
    ) -> None:
        super().__init__()
        self.run_ = ChallengeRun(challenge, pack, save_to=state_path)
        self.learner = learner
        self.report_path = report_path or Path(f"challenge-{challenge.id}-report.md")
        self.resume_error = ""
        if fresh:
            self.run_.journal.restore([], 0.0)
            self.run_.passed.clear()
            self.run_.evaluate()
        else:
            try:
                self.run_.resume()
            except ValueError as error:
                self.resume_error = str(error)
        self.run_.start()
        self.codes = [DEPLOYED, *challenge.strategies]
        self.code = 0
        self.widen_ms = 0.0
        self.run_.listeners.append(self._changed)

    @property
    def challenge(self) -> Challenge:
        return self.run_.challenge

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            with VerticalScroll(id="brief"):
                yield Markdown(f"# {self.challenge.title}\n\n{self.challenge.brief}")
                yield Static(id="stages")
            with Vertical(id="work"):
                with Horizontal(id="controls"):
                    yield Static(id="code")
                    yield Label("runs")
                    yield Input(str(self.challenge.runs), id="runs", type="integer")
                    if self.challenge.allow_changes:
                        yield Label("changes")
                        yield Input("all", id="changes")
                yield RichLog(id="out", wrap=True, markup=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = self.challenge.id
        self._changed()
        if self.resume_error:
            self.notify(self.resume_error, severity="warning")

    # -- the view ---------------------------------------------------------------------------

    def _changed(self) -> None:
        if not self.is_running:
            return
        run = self.run_
        current = run.current
        lines = []
        for stage in self.challenge.stages:
            mark = "[green]✓[/]" if run.done(stage) else "▶" if stage is current else " "
            revealed = " (revealed)" if stage.id in run.revealed() else ""
            lines.append(f"{mark} [b]{stage.title}[/b]{revealed}")
            if stage is current:
                lines.append(f"   {stage.body}")
            for i, goal in enumerate(stage.goals):
                outcome = run.goal_outcome(stage, i)
                lines.append(f"   {_MARK[outcome.verdict]} {CHECKPOINTS[goal.id].title}"
                             + (f": {outcome.reason}" if outcome.reason else ""))
        if current is None:
            lines.append("\nEvery stage is done: press [b]d[/b] to submit your diagnosis.")
        self.query_one("#stages", Static).update("\n".join(lines))
        name = self.codes[self.code]
        label = "the deployed code" if name == DEPLOYED else name
        self.query_one("#code", Static).update(f"code: [b]{label}[/b]  widen {self.widen_ms:g}ms")

    def say(self, text: str) -> None:
        self.query_one("#out", RichLog).write(text)

    # -- actions ----------------------------------------------------------------------------

    def action_next_strategy(self) -> None:
        self.code = (self.code + 1) % len(self.codes)
        self._changed()

    def action_widen(self, by: float) -> None:
        if not self.challenge.allow_widen:
            self.notify("This challenge does not let you widen the window.", timeout=3)
            return
        self.widen_ms = max(0.0, self.widen_ms + by)
        self._changed()

    def _action(self) -> Action:
        runs = int(self.query_one("#runs", Input).value or self.challenge.runs)
        changes = "all"
        if self.challenge.allow_changes:
            changes = self.query_one("#changes", Input).value or "all"
        return Action("batch", self.codes[self.code], runs, self.widen_ms, changes)

    def action_batch(self) -> None:
        try:
            action = self._action()
        except ValueError:
            self.notify("Runs must be a whole number.", severity="error", timeout=3)
            return
        self._batch(action)

    @work(exclusive=True, group="batch", exit_on_error=False)
    async def _batch(self, action: Action) -> None:
        label = "the deployed code" if action.strategy == DEPLOYED else action.strategy
        self.say(f"running {action.runs} runs of {label}, widen {action.widen_ms:g}ms ...")
        try:
            spec, result = await asyncio.to_thread(self.run_.measure, action)
        except ValueError as error:
            self.notify(str(error), severity="error", timeout=5)
            return
        self.run_.record_batch(spec, result)
        rate = result.rate
        self.say(f"  {result.failures} of {result.completed} runs failed: {rate.value:.1%} "
                 f"(95% CI {rate.low:.1%}-{rate.high:.1%}); stale reads {result.stale_reads}, "
                 f"lost updates {result.lost_updates}")

    def action_replay(self) -> None:
        why = self.run_.replay()
        if why:
            self.notify(why, timeout=4)
            return
        sim = self.run_.replayed
        assert sim is not None
        self.say(f"opened a failing run: {sim.oracle.stale} stale reads, {sim.oracle.lost} "
                 "lost updates. Press n to select the first.")

    def action_select(self) -> None:
        picked = self.run_.select()
        if picked is None:
            self.notify("Nothing to select: open a failing run (o) first.", timeout=4)
            return
        self.say(f"[b]{picked.kind}[/b] by {picked.task}, its minimal witness:")
        for line in picked.lines:
            self.say(f"  {line}")

    def action_hint(self) -> None:
        self.say(f"[yellow]hint:[/] {self.run_.hint()}")

    def action_show_me(self) -> None:
        self._show_me()

    @work(exclusive=True, group="batch", exit_on_error=False)
    async def _show_me(self) -> None:
        stage = self.run_.current
        if stage is None:
            self.notify("Every stage is done.", timeout=3)
            return
        self.say(f"showing: {stage.title} (this stage now scores nothing)")
        problems = await asyncio.to_thread(self.run_.reveal)
        for problem in problems:
            self.say(f"  {problem}")

    def action_diagnose(self) -> None:
        self.push_screen(DiagnosisScreen(self.challenge), self._diagnosed)

    def _diagnosed(self, picked: dict[str, str] | None) -> None:
        if picked is None:
            return
        self.run_.diagnose(**picked)
        result = score(self.run_)
        verdict = "[green]right[/]" if result.diagnosis_right else "[red]not right[/]"
        self.say(f"\nYour diagnosis is {verdict}. Score {result.points} of {result.best} "
                 f"({result.status}).")
        for line in result.lines:
            self.say(f"  {line}")
        self.say("\n[b]What really happened[/b]")
        for line in explain(self.run_):
            self.say(line)

    def action_report(self) -> None:
        data = challenge_report(self.run_, self.learner)
        try:
            written = write_report(self.report_path, data, overwrite=True,
                                   render=challenge_markdown)
        except OSError as error:
            self.notify(f"Could not write the report: {error}", severity="error")
            return
        self.notify(f"Wrote {written[0]} and {written[1]}", title="Report", timeout=6)
