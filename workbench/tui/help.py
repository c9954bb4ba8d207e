"""`?`: the keys that apply where you are, the glossary, and what each number means."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from workbench.session.glossary import glossary_markdown, numbers_markdown

__all__ = ["HelpScreen", "help_markdown"]


def help_markdown(where: str, keys: list[tuple[str, str]]) -> str:
    rows = "\n".join(f"| `{key}` | {what} |" for key, what in keys)
    return (
        f"# Help: {where}\n\n| key | what |\n|---|---|\n{rows}\n\n"
        f"## Words\n\n{glossary_markdown()}\n\n## Numbers\n\n{numbers_markdown()}\n\n"
        "Press `escape` or `?` to close."
    )


class HelpScreen(ModalScreen[None]):
    """A scrollable Markdown page over the current screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close"),
        Binding("question_mark", "dismiss", "Close", show=False),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen VerticalScroll {
        width: 90%; max-width: 100; height: 90%; border: round $primary; background: $panel;
    }
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(self.text, id="help-text")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
