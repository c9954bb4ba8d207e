"""What every stage pane shares: a header with the stage's state, and worker failures
turned into notifications (one handler, so a failing batch never takes the app down)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from cache.batch import BatchResult, Progress, RunSpec
from workbench.session.casebook import Casebook
from workbench.session.stages import Stage, StageState
from workbench.session.state import Session
from workbench.tui.messages import StageProgress

__all__ = ["StagePane"]


class StagePane(VerticalScroll):
    """A stage's panel; subclasses set ``stage`` and compose their body after the header."""

    stage: ClassVar[Stage]

    DEFAULT_CSS = """
    StagePane { padding: 0 1; }
    StagePane .stage-header { height: auto; margin: 0 0 1 0; }
    StagePane .row { height: auto; margin: 0 0 1 0; }
    StagePane .row > Label { padding: 1 1 0 0; }
    StagePane .row > Input { width: 12; }
    StagePane .row > Select { width: 24; }
    StagePane .result { height: auto; margin: 0 0 1 0; }
    StagePane ProgressBar { margin: 0 0 1 0; }
    StagePane DataTable { height: auto; max-height: 12; margin: 0 0 1 0; }
    StagePane .section { text-style: bold; margin: 1 0 0 0; }
    """

    def __init__(self, session: Session, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session = session

    @property
    def casebook(self) -> Casebook:
        return self.session.casebook

    def compose(self) -> ComposeResult:
        yield Static(self._header(), classes="stage-header")
        yield from self.compose_body()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def _header(self) -> Text:
        state = self.casebook.board[self.stage]
        style = {
            StageState.PENDING: "dim",
            StageState.IN_PROGRESS: "bold yellow",
            StageState.DONE: "bold green",
        }[state]
        text = Text()
        text.append(f"Stage {self.stage.number}: {self.stage.heading}  ", style="bold")
        text.append(f"{state.icon} {state.value}", style=style)
        text.append(f"\nTo finish: {self.stage.goal}.", style="dim")
        return text

    def refresh_header(self) -> None:
        self.query_one(".stage-header", Static).update(self._header())

    async def run_batch_of(
        self, spec: RunSpec, runs: int, progress: Progress | None = None, *, step: int = 20
    ) -> BatchResult:
        """A batch with the session's seed, where batches run; a step at a time, so the
        screen keeps drawing and a cancellation gets in."""
        if self.session.target.kind != "sim":
            step = max(1, step // 4)
        result = await self.session.batch(spec, runs, progress, step=step)
        if result.stopped_by:
            self.notify(
                f"{result.stopped_by}. The {result.completed} runs measured before are kept.",
                severity="error",
                title=f"Stopped after run {result.completed}",
                timeout=10,
            )
        return result

    def begin(self) -> None:
        """The user acted in this stage: it is in progress (if it was pending)."""
        self.post_message(StageProgress(self.stage, done=False))

    def finish(self, summary: str) -> None:
        self.post_message(StageProgress(self.stage, done=True, summary=summary))

    @on(Worker.StateChanged)
    def _worker_ended(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            self.notify(
                f"{event.worker.description or event.worker.name} failed: "
                f"{type(error).__name__}: {error}",
                severity="error",
                title="Stopped",
                timeout=8,
            )
            self.restore(cancelled=False)
        elif event.state is WorkerState.CANCELLED:
            self.restore(cancelled=True)

    def restore(self, *, cancelled: bool) -> None:
        """Put the pane back in a usable state after a worker failed or was cancelled;
        whatever it had shown of its progress stays on screen."""
