"""The app's own screen: the default one, but styled once on its first showing, not twice.

Textual restyles every widget of a screen each time the screen is shown again, in case the
theme or the CSS changed while it was hidden. On a screen's first showing that pass repeats
what mounting its widgets did a moment before, and on the workbench's first screen (some
fifty widgets) it was about a twentieth of the start-up. Later showings (after a dialog, a
theme change) still restyle everything.
"""

from __future__ import annotations

from textual import events
from textual.screen import Screen

__all__ = ["MainScreen"]


class MainScreen(Screen[None]):
    """The screen ``WorkbenchApp`` starts on."""

    _shown = False

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Textual calls this before ``Screen``'s own handler, which reads the flag. Only a
        # ScreenResume that has the flag (every Textual since 0.86) is told to skip.
        if not self._shown:
            self._shown = True
            if hasattr(event, "refresh_styles"):
                event.refresh_styles = False
