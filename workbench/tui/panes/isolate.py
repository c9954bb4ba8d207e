"""Stage 2, isolate variables: a working strategy beside the broken one, and a bisection of
the story's three recent changes."""

from __future__ import annotations

from rich.syntax import Syntax
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, DataTable, Label, Select, Static

from cache.batch import BatchResult, RunSpec
from cache.scenarios.changes import Change, format_changes
from cache.simulation import Knobs
from cache.strategies.registry import BUILTIN, load_strategy
from workbench.session.bisect import bisect_changes, find_culprit
from workbench.session.stages import Stage
from workbench.session.state import Session
from workbench.tui.panes.base import StagePane

__all__ = ["IsolatePane"]

RUNS = 200


class IsolatePane(StagePane):
    """Side by side code and rates; switches for the recent changes."""

    stage = Stage.ISOLATE

    DEFAULT_CSS = """
    IsolatePane #isolate-compare { height: auto; }
    IsolatePane #isolate-compare > Vertical { width: 1fr; height: auto; padding: 0 1 0 0; }
    IsolatePane .code { height: auto; background: $boost; margin: 0 0 1 0; }
    IsolatePane Checkbox { width: auto; border: none; padding: 0 1; }
    """

    def __init__(self, session: Session, *, id: str | None = None) -> None:
        super().__init__(session, id=id)
        self.measured: dict[frozenset[Change], BatchResult] = {}

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="isolate-compare"):
            for side, default in (("working", "sync"), ("broken", "naive-async")):
                with Vertical():
                    yield Select(
                        [(n, n) for n in BUILTIN],
                        value=default,
                        allow_blank=False,
                        id=f"isolate-{side}",
                    )
                    yield Static("not measured yet (m)", id=f"isolate-{side}-rate")
                    yield Static(self._code(default), id=f"isolate-{side}-code", classes="code")
        yield Button("Measure both (m)", id="isolate-measure")
        yield Label("Bisect the recent changes, with the broken strategy:", classes="section")
        with Horizontal(classes="row"):
            for change in Change:
                yield Checkbox(
                    f"{change.value} ({change.commit})", value=True, id=f"change-{change.value}"
                )
        with Horizontal(classes="row"):
            yield Button("Run with these changes (c)", id="isolate-run-changes")
            yield Button("Bisect automatically (a)", id="isolate-bisect", variant="primary")
        table: DataTable[str] = DataTable(id="isolate-table", cursor_type="row")
        table.add_columns("changes applied", "failed runs", "rate (95% CI)")
        yield table
        yield Static("", id="isolate-conclusion", classes="result")

    @staticmethod
    def _code(name: str) -> Syntax:
        source = load_strategy(name).update_source()
        return Syntax(
            source, "python", theme="ansi_dark", word_wrap=True, background_color="default"
        )

    def _broken(self) -> str:
        return str(self.query_one("#isolate-broken", Select).value)

    def _chosen_changes(self) -> frozenset[Change]:
        return frozenset(c for c in Change if self.query_one(f"#change-{c.value}", Checkbox).value)

    # -- actions ------------------------------------------------------------------------------

    def measure(self) -> None:
        """Measure the working and the broken strategy (the `m` key)."""
        self.begin()
        self._measure_sides()

    def run_changes(self) -> None:
        """Measure the broken strategy with the ticked changes (the `c` key)."""
        self.begin()
        self._measure_changes(self._chosen_changes())

    def bisect(self) -> None:
        """Bisect the recent commits, oldest to newest, as ``git bisect`` would (the `a`
        key)."""
        self.begin()
        self._bisect()

    @work(
        exclusive=True,
        group="isolate-sides",
        exit_on_error=False,
        description="Measuring strategies",
    )
    async def _measure_sides(self) -> None:
        for side in ("working", "broken"):
            name = str(self.query_one(f"#isolate-{side}", Select).value)
            spec = RunSpec(self.session.story(), load_strategy(name), Knobs())
            label = self.query_one(f"#isolate-{side}-rate", Static)

            def show(result: BatchResult, label: Static = label) -> None:
                label.update(f"measuring... {result.completed}/{result.runs}")

            result = await self.run_batch_of(spec, RUNS, show)
            text = Text(f"{name}: ", style="bold")
            text.append(str(result.rate), style="red" if result.failures else "green")
            label.update(text)

    async def _measure(self, changes: frozenset[Change]) -> BatchResult:
        broken = load_strategy(self._broken())
        spec = RunSpec(self.session.story(changes=changes), broken, Knobs())
        result = await self.run_batch_of(spec, RUNS)
        self.measured[changes] = result
        table = self.query_one("#isolate-table", DataTable)
        key = format_changes(changes)
        row = (key, f"{result.failures}/{result.completed}", str(result.rate))
        if key in table.rows:
            table.remove_row(key)
        table.add_row(*row, key=key)
        return result

    @work(
        exclusive=True, group="isolate-bisect", exit_on_error=False, description="Measuring changes"
    )
    async def _measure_changes(self, changes: frozenset[Change]) -> None:
        await self._measure(changes)
        self._conclude()

    @work(
        exclusive=True, group="isolate-bisect", exit_on_error=False, description="Bisecting changes"
    )
    async def _bisect(self) -> None:
        await bisect_changes(self._measure)
        self._conclude()

    def _conclude(self) -> None:
        culprit = find_culprit(self.measured)
        conclusion = self.query_one("#isolate-conclusion", Static)
        if culprit is None:
            conclusion.update("No single change isolated yet: leave one out at a time.")
            return
        self.casebook.culprit = culprit
        text = Text("Culprit: ", style="bold")
        text.append(f"{culprit.commit} {culprit.summary}", style="bold red")
        text.append(f"\nWith it, stale reads; without it, none. {culprit.effect}.")
        conclusion.update(text)
        self.finish(f"culprit {culprit.commit}")

    # -- events -------------------------------------------------------------------------------

    @on(Select.Changed)
    def _show_code(self, event: Select.Changed) -> None:
        side = (event.select.id or "").removeprefix("isolate-")
        if side in ("working", "broken"):
            self.query_one(f"#isolate-{side}-code", Static).update(self._code(str(event.value)))
            self.query_one(f"#isolate-{side}-rate", Static).update("not measured yet (m)")

    @on(Button.Pressed, "#isolate-measure")
    def _pressed_measure(self) -> None:
        self.measure()

    @on(Button.Pressed, "#isolate-run-changes")
    def _pressed_changes(self) -> None:
        self.run_changes()

    @on(Button.Pressed, "#isolate-bisect")
    def _pressed_bisect(self) -> None:
        self.bisect()
