"""Messages that travel up to the app from the panes."""

from __future__ import annotations

from textual.message import Message

from workbench.session.stages import Stage
from workbench.tui.panes.live import Replay

__all__ = ["OpenReplay", "StageProgress"]


class StageProgress(Message):
    """A stage was started (``done`` False) or finished (``done`` True)."""

    def __init__(self, stage: Stage, done: bool, summary: str = "") -> None:
        super().__init__()
        self.stage = stage
        self.done = done
        self.summary = summary


class OpenReplay(Message):
    """Show this finished run in the live view's timeline."""

    def __init__(self, replay: Replay) -> None:
        super().__init__()
        self.replay = replay
