"""The app as tests drive it: it records every notification it shows, so tests read what a
user read without reaching into Textual's private state."""

from __future__ import annotations

from typing import Any

from workbench.tui.app import WorkbenchApp


class RecordingApp(WorkbenchApp):
    """``WorkbenchApp`` that keeps the text of each notification in ``notes``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.notes: list[str] = []

    def notify(self, message: str, *args: Any, **kwargs: Any) -> None:
        self.notes.append(message)
        super().notify(message, *args, **kwargs)
