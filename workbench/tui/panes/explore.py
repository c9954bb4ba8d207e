"""The Explore tab: hunt a failing schedule (random, PCT, bounded exhaustive), shrink it,
show it column per task with where it became inevitable, open it in the timeline, and
replay a pasted token.

The search runs in a thread (it is plain CPU work in the core), so the screen keeps
drawing; progress comes back through ``call_from_thread`` a few times a second, and both
cancels (``x`` here, ctrl+c anywhere) stop it between schedules keeping what it found.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Checkbox, DataTable, Input, Label, Select, Static
from textual.worker import Worker, WorkerState, get_current_worker

from cache.errors import RunFailed
from cache.explore import POLICIES, ExploreReport, SpecError, TokenError, replay_token
from cache.simulation import Simulation
from cache.strategies.registry import BUILTIN
from workbench.session.explore import Exploration, Found, explore_entry
from workbench.session.settings import BOUND, DEPTH, MAX_SCHEDULES, Setting
from workbench.session.state import Session
from workbench.tui.messages import OpenReplay
from workbench.tui.panes.live import Replay
from workbench.tui.widgets.controls import SettingValidator
from workbench.tui.widgets.explore_report import causality_text, fill_table, verdict_text

__all__ = ["ExplorePane"]

PROGRESS_EVERY = 0.1  # seconds between progress updates sent to the screen
FIELDS: dict[str, tuple[Setting, int]] = {
    "depth": (DEPTH, 3),
    "bound": (BOUND, 2),
    "max_schedules": (MAX_SCHEDULES, 1000),
}


class ExplorePane(VerticalScroll):
    """The explorer's settings, its progress and report, and the token field."""

    DEFAULT_CSS = """
    ExplorePane { padding: 0 1; }
    ExplorePane .row { height: 1; margin: 0 0 0 0; }
    ExplorePane .row Label { padding: 0 1 0 0; color: $text-muted; }
    ExplorePane .row Select { width: 16; margin: 0 2 0 0; }
    ExplorePane .row #explore-policy, ExplorePane .row #explore-changes { width: 14; }
    ExplorePane .row Input { width: 9; margin: 0 2 0 0; }
    ExplorePane .row Input.-invalid { background: $error 30%; }
    ExplorePane .row Button { margin: 0 1 0 0; }
    ExplorePane #explore-paste { width: 1fr; }
    ExplorePane #explore-error { color: $error; height: auto; }
    ExplorePane .result { height: auto; }
    ExplorePane .section { text-style: bold; margin: 1 0 0 0; }
    ExplorePane DataTable { height: auto; max-height: 16; }
    """

    def __init__(self, session: Session, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session = session
        self.report: ExploreReport | None = None
        self.found: Found | None = None
        self.request: Exploration | None = None
        self.replayed_message = ""
        self.show_timing = True  # off for screenshots, which must not depend on the machine
        self._cancel = threading.Event()
        self._recorded = False

    def compose(self) -> ComposeResult:
        with Horizontal(classes="row"):
            yield Label("strategy")
            yield Select([(n, n) for n in BUILTIN], value="naive-async", allow_blank=False,
                         compact=True, id="explore-strategy")
            yield Label("policy")
            yield Select([(p, p) for p in POLICIES], value="pct", allow_blank=False,
                         compact=True, id="explore-policy")
            yield Label("changes")
            yield Select([("all three", "all"), ("async only", "async")], value="all",
                         allow_blank=False, compact=True, id="explore-changes")
        with Horizontal(classes="row"):
            for name, (spec, default) in FIELDS.items():
                yield Label(spec.label)
                yield Input(str(default), validators=[SettingValidator(spec)],
                            validate_on=["changed", "submitted"], compact=True,
                            id=f"explore-{name}",
                            tooltip=f"{spec.help} ({spec.describe_range()})")
            yield Checkbox("all", compact=True, id="explore-all",
                           tooltip="keep going after the first failure")
        with Horizontal(classes="row"):
            yield Button("Explore (g)", variant="primary", compact=True, id="explore-run")
            yield Button("Cancel (x)", compact=True, disabled=True, id="explore-cancel")
            yield Static("", id="explore-progress")
        yield Static("", id="explore-error")
        yield Static(self._idle(), id="explore-verdict", classes="result")
        yield Label("Shrunk failing schedule", classes="section")
        yield DataTable(cursor_type="none", zebra_stripes=True, id="explore-table")
        yield Static("", id="explore-causality", classes="result")
        yield Label("Replay token (y copies it)", classes="section")
        yield Static("none yet", id="explore-token", classes="result")
        with Horizontal(classes="row"):
            yield Label("paste a token")
            yield Input(placeholder="rwb1.... then Enter opens it", compact=True,
                        id="explore-paste")
        yield Static("", id="explore-replayed", classes="result")

    def _idle(self) -> str:
        return (f"Not run yet. g searches schedules of the story's test for a stale read, "
                f"with the session's seed ({self.session.seed}).")

    # -- what the keys do (bindings.py, through the app) ---------------------------------------

    def act(self, what: str) -> None:
        {"run": self.run_search, "cancel": self.cancel, "copy": self.copy_token,
         "open": self.open_shrunk, "original": self.open_original,
         "token": self.focus_paste}[what]()

    def run_search(self) -> None:
        request = self._request()
        if request is None:
            return
        if self.request is not None and self._searching():
            self.notify("A search is already running (x cancels it).", timeout=3)
            return
        self.request, self.report, self.found = request, None, None
        self._recorded = False
        self._cancel.clear()
        self._buttons(running=True)
        self.query_one("#explore-progress", Static).update("starting...")
        self.query_one("#explore-verdict", Static).update(
            f"Searching: {request.policy}, {request.strategy}, seed {request.seed}...")
        self.query_one(DataTable).clear(columns=True)
        self.query_one("#explore-causality", Static).update("")
        self.query_one("#explore-token", Static).update("none yet")
        self._search(request)

    def cancel(self) -> None:
        if not self._searching():
            self.notify("No search is running.", timeout=2)
            return
        self._cancel.set()

    def copy_token(self) -> None:
        token = self._token()
        if token is None:
            self.notify("No failing schedule yet: nothing to copy.", severity="warning")
            return
        self.app.copy_to_clipboard(token)
        self.notify("Replay token copied: `workbench replay --token ...` or paste it here.",
                    timeout=4)

    def open_shrunk(self) -> None:
        if self.found is None:
            self.notify("No failing schedule yet: explore first (g).", severity="warning")
            return
        self._open(self.found.played.sim, "shrunk failing schedule")

    def open_original(self) -> None:
        token = self.report.token if self.report is not None else None
        if token is None:
            self.notify("No failing schedule yet: explore first (g).", severity="warning")
            return
        self._open(replay_token(token).played.sim, "failing schedule as found")

    def focus_paste(self) -> None:
        self.query_one("#explore-paste", Input).focus()

    # -- the search ----------------------------------------------------------------------------

    def _request(self) -> Exploration | None:
        values: dict[str, int] = {}
        for name, (spec, _) in FIELDS.items():
            field = self.query_one(f"#explore-{name}", Input)
            try:
                values[name] = int(spec.parse(field.value))
            except ValueError as error:
                self._error(str(error))
                self.notify(str(error), severity="error", title="Explore")
                field.focus()
                return None
        self._error("")
        return Exploration(
            strategy=str(self.query_one("#explore-strategy", Select).value),
            policy=str(self.query_one("#explore-policy", Select).value),
            changes=str(self.query_one("#explore-changes", Select).value),
            all=self.query_one("#explore-all", Checkbox).value,
            seed=self.session.seed,
            **values,
        )

    @work(thread=True, exclusive=True, group="explore", exit_on_error=False,
          description="Explore")
    def _search(self, request: Exploration) -> None:
        worker = get_current_worker()
        sent = 0.0

        def stopped() -> bool:
            return self._cancel.is_set() or worker.is_cancelled

        def progress(report: ExploreReport) -> None:
            nonlocal sent
            now = time.perf_counter()
            if now - sent >= PROGRESS_EVERY and not stopped():
                sent = now
                # A copy: the search goes on changing its own while the screen reads this.
                self.app.call_from_thread(self._progress, replace(report, tokens=[]))

        try:
            report, found = request.run(progress, stopped)
        except (SpecError, RunFailed) as error:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._failed, str(error))
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._done, request, report, found)

    def _progress(self, report: ExploreReport) -> None:
        self.report = report
        rate = f", {report.per_second:,.0f}/s" if self.show_timing else ""
        found = "; a stale read found, shrinking it" if report.found else ""
        self.query_one("#explore-progress", Static).update(
            f"{report.schedules:,} schedules tried{rate}{found}")

    def _done(self, request: Exploration, report: ExploreReport, found: Found | None) -> None:
        self.report, self.found = report, found
        self._buttons(running=False)
        self._progress(report)
        end = "cancelled" if report.cancelled else "done"
        self.query_one("#explore-progress", Static).update(
            f"{report.schedules:,} schedules tried: {end}")
        self._show_verdict(report)
        self._show_found(found)
        self.query_one("#explore-token", Static).update(self._token() or "none: no stale read")
        self._record(request, report)

    def _failed(self, message: str) -> None:
        self._buttons(running=False)
        self._error(message)
        self.notify(message, severity="error", title="Explore")

    def _record(self, request: Exploration, report: ExploreReport) -> None:
        if not self._recorded:
            self._recorded = True
            self.session.journal.record("explore", **explore_entry(request, report))

    # -- the report ----------------------------------------------------------------------------

    def _show_verdict(self, report: ExploreReport) -> None:
        self.query_one("#explore-verdict", Static).update(
            verdict_text(report, timing=self.show_timing))

    def _show_found(self, found: Found | None) -> None:
        table = self.query_one(DataTable)
        chart = self.query_one("#explore-causality", Static)
        table.display = found is not None
        if found is None:
            table.clear(columns=True)
            chart.update("")
            return
        fill_table(table, found)
        minimal = self.report.minimal if self.report is not None else None
        chart.update(causality_text(found.steps, minimal.causality if minimal else []))

    def _token(self) -> str | None:
        report = self.report
        if report is None:
            return None
        return report.minimal.token if report.minimal is not None else report.token

    # -- opening runs in the timeline ----------------------------------------------------------

    def _open(self, sim: Simulation, what: str) -> None:
        request = self.request
        title = f"explored: {what}"
        if request is not None:
            title += f", {request.strategy}, {request.policy}, seed {request.seed}"
        self.post_message(OpenReplay(Replay(sim, title)))

    @on(Input.Submitted, "#explore-paste")
    def _paste(self, event: Input.Submitted) -> None:
        event.stop()
        field = event.input
        out = self.query_one("#explore-replayed", Static)
        try:
            replayed = replay_token(event.value)
        except (TokenError, SpecError, RunFailed) as error:
            field.add_class("-invalid")
            out.update(Text(str(error), "red"))
            return
        field.remove_class("-invalid")
        played = replayed.played
        verdict = f"{len(played.stale)} stale read(s)" if played.failed else "no stale read"
        if replayed.divergence is None:
            message = f"Replayed exactly ({len(played.steps)} steps): {verdict}."
        else:
            message = (f"The code changed since this token was made: "
                       f"{replayed.divergence.describe()}; continued with the token's seeded "
                       f"policy: {verdict}.")
            self.notify(message, severity="warning", title="Token diverged", timeout=10)
        self.replayed_message = message
        out.update(message)
        spec = replayed.token.spec
        self.post_message(OpenReplay(Replay(
            played.sim, f"token: {spec.strategy}, seed {replayed.token.seed}"
            + ("" if replayed.divergence is None else f", {replayed.divergence.describe()}"))))

    # -- fields --------------------------------------------------------------------------------

    @on(Input.Changed)
    def _validate_in_place(self, event: Input.Changed) -> None:
        if event.input.id == "explore-paste":
            return
        result = event.validation_result
        self._error("" if result is None or result.is_valid else result.failure_descriptions[0])

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "explore-paste":
            event.stop()
            self.run_search()

    @on(Select.Changed, "#explore-policy")
    def _policy(self, event: Select.Changed) -> None:
        policy = str(event.value)
        self.query_one("#explore-depth", Input).disabled = policy != "pct"
        self.query_one("#explore-bound", Input).disabled = policy != "exhaustive"
        changes = self.query_one("#explore-changes", Select)
        if policy == "exhaustive" and changes.value == "all":
            # With prewarm and TTL refresh the bounded space is far larger (docs/explore.md).
            changes.value = "async"
            self.notify("Exhaustive search explores the async change alone "
                        "(set changes back to run all three).", timeout=5)

    @on(Button.Pressed, "#explore-run")
    def _run_pressed(self) -> None:
        self.run_search()

    @on(Button.Pressed, "#explore-cancel")
    def _cancel_pressed(self) -> None:
        self.cancel()

    def _error(self, message: str) -> None:
        self.query_one("#explore-error", Static).update(message)

    def _buttons(self, *, running: bool) -> None:
        self.query_one("#explore-run", Button).disabled = running
        self.query_one("#explore-cancel", Button).disabled = not running

    def _searching(self) -> bool:
        return any(w.group == "explore" and not w.is_finished for w in self.app.workers)

    @on(Worker.StateChanged)
    def _worker_ended(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "explore":
            return
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            self._failed(f"the search failed: {type(error).__name__}: {error}")
        elif event.state is WorkerState.CANCELLED:
            # Ctrl+C: the thread stops at its next schedule; keep what it had reported.
            self._buttons(running=False)
            report = self.report
            if report is not None and self.request is not None:
                report.cancelled = True
                self._show_verdict(report)
                self.query_one("#explore-token", Static).update(self._token() or "none")
                self._record(self.request, report)
