"""The guide: a Markdown panel beside the stages (in the manner of Textual's HelpPanel) that
tells the story step by step and follows what the learner actually does.

Hidden (the workbench without ``walkthrough``), the pane is empty: its Markdown, and the
Markdown parser Textual imports with it (markdown-it, Pygments: more than the rest of the
first screen), are built the first time it is shown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button

from workbench.session.checkpoints import CHECKPOINTS, Verdict
from workbench.session.glossary import glossary_markdown
from workbench.session.walkthrough import Walkthrough

if TYPE_CHECKING:  # a witness comes from the engine, after the first screen
    from cache.witness import Witness

__all__ = ["GuidePane", "witness_markdown"]

_MARKS = {Verdict.PASS: "✓", Verdict.FAIL: "✗", Verdict.UNKNOWN: "·"}


def witness_markdown(witness: Witness) -> str:
    """Why a read was stale: its witness, whether it fails alone, and the words it uses."""
    alone = "yes" if witness.replays_stale() else "no"
    # A list, not a code block: it must wrap in a narrow guide.
    lines = "\n".join(f"- {' '.join(line.split())}" for line in witness.lines())
    return (
        f"### Why was it stale\n\n{lines}\n\n"
        f"These {len(witness.events)} events alone are judged stale: {alone}.\n\n"
        f"{glossary_markdown(witness.terms())}\n"
    )


class GuidePane(Vertical):
    """The current step, its checkpoints, the last hint, and the learner's buttons."""

    DEFAULT_CSS = """
    GuidePane {
        width: 40%; min-width: 30; max-width: 64; height: 1fr;
        border-left: vkey $primary; background: $panel;
    }
    GuidePane.-hidden { display: none; }
    GuidePane VerticalScroll { height: 1fr; }
    GuidePane Markdown { margin: 0 1; background: $panel; }
    GuidePane #guide-buttons { height: auto; padding: 0 1; }
    GuidePane #guide-buttons Button { min-width: 6; margin: 0 1 0 0; }
    """

    class Asked(Message):
        """The learner pressed one of the guide's buttons (``what``: next, hint, show)."""

        def __init__(self, what: str) -> None:
            super().__init__()
            self.what = what

    def __init__(self, walk: Walkthrough, *, id: str | None = None, classes: str = "") -> None:
        super().__init__(id=id, classes=classes)
        self.walk = walk
        self.hint_text = ""
        self._hint_step: str | None = None
        self.witness: Witness | None = None
        self._built = False

    def compose(self) -> ComposeResult:
        if not self.has_class("-hidden"):
            self._built = True
            yield from self._content()

    def _content(self) -> list[Widget]:
        """The step's text and the learner's buttons, each shown as the step says."""
        from textual.widgets import Markdown

        step = self.walk.current
        buttons = {
            "guide-next": ("Next >", step is not None and step.reading),
            "guide-hint": ("Hint H", step is not None and bool(step.hints)),
            "guide-show": ("Show me S", step is not None and bool(step.show_me)),
        }
        row = []
        for name, (label, shown) in buttons.items():
            button = Button(label, id=name, compact=True)
            if name == "guide-next":
                button.variant = "primary"
            button.display = shown
            row.append(button)
        return [
            VerticalScroll(Markdown(self.markdown(), id="guide-text")),
            Horizontal(*row, id="guide-buttons"),
        ]

    def markdown(self) -> str:
        walk = self.walk
        step = walk.current
        done = sum(walk.done(s) for s in walk.steps)
        head = f"**Guide** · step {min(done + 1, len(walk.steps))} of {len(walk.steps)}"
        if step is None:
            body = "## Done\n\nEvery step is done. Write the session report from the palette."
            return f"{head}\n\n{body}\n"
        parts = [head, f"## {step.title}", step.body]
        if step.checkpoints:
            marks = []
            for cid in step.checkpoints:
                outcome = walk.outcome(cid)
                reason = f": {outcome.reason}" if outcome.reason else ""
                marks.append(f"- {_MARKS[outcome.verdict]} {CHECKPOINTS[cid].title}{reason}")
            parts.append("\n".join(marks))
        if step.id in walk.revealed():
            parts.append("*Shown to you: this step counts as revealed.*")
        if self.hint_text:
            parts.append(f"> Hint: {self.hint_text}")
        if self.witness is not None:
            parts.append(witness_markdown(self.witness))
        return "\n\n".join(parts) + "\n"

    def refresh_view(self) -> None:
        """Re-render after the journal changed; the Next button only on a reading step."""
        step = self.walk.current
        if step is None or step.id != self._hint_step:
            self.hint_text = ""  # a hint belongs to the step it was asked on
        if not self._built:
            if not self.has_class("-hidden"):
                self._built = True
                self.mount_all(self._content())  # up to date as built
            return
        from textual.widgets import Markdown

        try:
            text = self.query_one("#guide-text", Markdown)
        except NoMatches:  # still being mounted: brought up to date once it is
            self.call_after_refresh(self.refresh_view)
            return
        self.query_one("#guide-next", Button).display = step is not None and step.reading
        self.query_one("#guide-show", Button).display = step is not None and bool(step.show_me)
        self.query_one("#guide-hint", Button).display = step is not None and bool(step.hints)
        text.update(self.markdown())

    def on_mount(self) -> None:
        self.refresh_view()

    def show_hint(self, text: str) -> None:
        step = self.walk.current
        self._hint_step = step.id if step is not None else None
        self.hint_text = text
        self.refresh_view()

    def show_witness(self, witness: Witness | None) -> None:
        self.witness = witness
        self.refresh_view()

    @on(Button.Pressed, "#guide-next")
    def _next(self) -> None:
        self.post_message(self.Asked("next"))

    @on(Button.Pressed, "#guide-hint")
    def _hint(self) -> None:
        self.post_message(self.Asked("hint"))

    @on(Button.Pressed, "#guide-show")
    def _show(self) -> None:
        self.post_message(self.Asked("show"))
