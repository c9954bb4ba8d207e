"""The app's own screen: the default one, but styled once on its first showing, not twice.

Textual restyles every widget of a screen each time the screen is shown again, in case the
theme or the CSS changed while it was hidden. On a screen's first showing that pass repeats
what mounting its widgets did a moment before: on the workbench's first screen, 134 style
passes before the first paint instead of 67. Later showings (after a dialog, a theme
change) still restyle everything.
"""

from __future__ import annotations

from textual import events
from textual.screen import Screen

__all__ = ["MainScreen"]


class MainScreen(Screen[None]):
    """The screen ``WorkbenchApp`` starts on."""

    _shown = False

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Textual calls this before ``Screen``'s own handler, which reads the flag; a Textual
        # whose ScreenResume has no such flag is left to restyle as it always did.
        if not self._shown:
            self._shown = True
            if hasattr(event, "refresh_styles"):
                event.refresh_styles = False
