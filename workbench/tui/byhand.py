"""You are the scheduler: a screen where the learner steps the story's race by hand."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Markdown, Static

from cache.byhand import ByHand
from workbench.session.journal import Journal
from workbench.tui.bindings import by_hand_bindings
from workbench.tui.panes.guide import witness_markdown

__all__ = ["ByHandScreen"]

INTRO = (
    "**You are the scheduler.** One update of user:123 to v1 races one read. Press a task's "
    "number to let it take its next step; `u` undoes, `r` starts over, `escape` goes back. "
    "Make the read return old data."
)


class ByHandScreen(Screen[None]):
    """The cache, each task's next operation, the reads so far, and the witness."""

    BINDINGS: ClassVar[list[BindingType]] = by_hand_bindings()  # type: ignore[assignment]

    DEFAULT_CSS = """
    ByHandScreen #byhand-top { height: auto; }
    ByHandScreen #byhand-tasks { width: 1fr; height: auto; padding: 0 1; }
    ByHandScreen #byhand-cache { width: 1fr; height: auto; padding: 0 1; }
    ByHandScreen #byhand-intro, ByHandScreen #byhand-why { margin: 0 1; }
    """

    def __init__(self, journal: Journal, run: ByHand | None = None) -> None:
        super().__init__()
        self.journal = journal
        self.run = run if run is not None else ByHand()
        self._reported = len(self.run.reads())

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(INTRO, id="byhand-intro")
            with Horizontal(id="byhand-top"):
                yield Static(id="byhand-tasks")
                yield Static(id="byhand-cache")
            yield Markdown("", id="byhand-why")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "You are the scheduler"
        self.show()

    def on_unmount(self) -> None:
        # Closed however the screen goes (the app may quit with it on top), so no task of
        # the run is left never awaited.
        self.run.close()

    def show(self) -> None:
        run = self.run
        tasks = Text("Who steps next?\n", style="bold")
        for number, task in enumerate(run.tasks(), 1):
            tasks.append(f" {number} ", style="reverse")
            tasks.append(f" {task.name}: {task.next_op}\n")
        if run.finished:
            tasks.append("The run is over. u undoes a step, r starts again.\n", style="dim")
        tasks.append(f"\nSteps so far: {' '.join(run.choices) or 'none'}", style="dim")
        self.query_one("#byhand-tasks", Static).update(tasks)
        cache = Text("The cache now\n", style="bold")
        for key, version in run.cache().items():
            cache.append(f"  {key:<20} v{version}\n")
        for reader, returned, stale in run.reads():
            got = "nothing" if returned is None else f"v{returned}"
            style = "bold red" if stale else "green"
            verdict = "STALE" if stale else "fresh"
            cache.append(f"\n{reader} read {got}: {verdict}", style=style)
        self.query_one("#byhand-cache", Static).update(cache)
        witness = run.witness()
        self.query_one("#byhand-why", Markdown).update(
            witness_markdown(witness) if witness is not None else ""
        )

    def _record_reads(self) -> None:
        reads = self.run.reads()
        for task, version, stale in reads[self._reported:]:
            self.journal.record(
                "by_hand", task=task, version=version, stale=stale, choices=list(self.run.choices)
            )
        self._reported = len(reads)

    def action_step(self, number: int) -> None:
        tasks = self.run.tasks()
        if not 1 <= number <= len(tasks):
            self.notify(f"No task {number} can step now.", severity="warning", timeout=2)
            return
        self.run.step(tasks[number - 1].name)
        self._record_reads()
        self.show()

    def play(self, choices: list[str]) -> None:
        """Step these tasks in order (the guide's "show me")."""
        for name in choices:
            self.run.step(name)
            self._record_reads()
        self.show()

    def action_undo(self) -> None:
        if not self.run.undo():
            self.notify("Nothing to undo.", timeout=2)
        self._reported = min(self._reported, len(self.run.reads()))
        self.show()

    def action_restart(self) -> None:
        self.run.reset()
        self._reported = 0
        self.show()
