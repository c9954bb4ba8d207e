"""The app's walkthrough actions: the guide pane, hints, "show me", undo, the report, the
by-hand screen, `?` help and the witness of a selected stale read. A mixin, so that
``app.py`` stays the wiring of the stages."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App
from textual.worker import get_current_worker

from workbench.session.explanations import CORRECT
from workbench.session.state import Session
from workbench.session.walkthrough import Walkthrough
from workbench.tui.bindings import ACTIONS, BY_HAND_KEYS
from workbench.tui.panes.guide import GuidePane
from workbench.tui.widgets.timeline import Timeline

if TYPE_CHECKING:
    from workbench.tui.panes.live import LivePane

__all__ = ["REPORT_PATH", "STALE_BY_HAND", "Guided"]

REPORT_PATH = Path("walkthrough-report.md")
# A schedule that produces the stale read: the set is acknowledged, then the whole read runs.
STALE_BY_HAND = ("updater", "updater", "updater", "reader-1", "reader-1", "reader-1")


class Guided(App[None]):
    """Walkthrough behaviour shared by the workbench app."""

    session: Session
    walk: Walkthrough
    report_path: Path
    _overwrite_asked: Path | None = None

    if TYPE_CHECKING:

        @property
        def live(self) -> LivePane: ...

        @property
        def active_tab(self) -> str: ...

        def action_show_tab(self, tab: str) -> None: ...

    @property
    def guide(self) -> GuidePane:
        return self.query_one(GuidePane)

    def _walk_changed(self) -> None:
        if self.is_running:
            self.guide.refresh_view()

    # -- the guide ------------------------------------------------------------------------------

    def action_toggle_guide(self) -> None:
        self.guide.set_class(not self.guide.has_class("-hidden"), "-hidden")
        if not self.guide.has_class("-hidden"):
            self.guide.refresh_view()

    def open_guide(self) -> None:
        self.guide.remove_class("-hidden")
        self.guide.refresh_view()

    def action_guide_next(self) -> None:
        refused = self.walk.next()
        if refused:
            self.notify(refused, timeout=4)

    def action_guide_hint(self) -> None:
        self.open_guide()
        self.guide.show_hint(self.walk.hint())

    def action_guide_undo(self) -> None:
        if not self.walk.undo():
            self.notify("Nothing to undo.", timeout=2)

    @on(GuidePane.Asked)
    def _asked(self, event: GuidePane.Asked) -> None:
        {"next": self.action_guide_next, "hint": self.action_guide_hint,
         "show": self.action_guide_show}[event.what]()

    def action_guide_show(self) -> None:
        """Do the current step for the learner; it is reported as revealed."""
        step = self.walk.current
        if step is None or not step.show_me:
            self.notify("Nothing to show here: read the step, then Next.", timeout=3)
            return
        self.walk.reveal(step)
        self._show_me(step.show_me)

    @work(group="guide-show", exit_on_error=False, description="Show me")
    async def _show_me(self, what: str) -> None:
        from workbench.tui.panes.evidence import EvidencePane
        from workbench.tui.panes.hypothesis import HypothesisPane
        from workbench.tui.panes.isolate import IsolatePane
        from workbench.tui.panes.verify import VerifyPane

        if what == "evidence_run" or (what == "evidence_open" and not self._evidence_failed()):
            self.action_show_tab("evidence")
            self.query_one(EvidencePane).run_batch()
            await self._others_done()
        if what == "evidence_open":
            self.query_one(EvidencePane).open_run()
            await self._others_done()
            self.action_stale(1)
        elif what == "by_hand_stale":
            from workbench.tui.byhand import ByHandScreen  # on use: it costs the first screen

            screen = ByHandScreen(self.session.journal)
            await self.push_screen(screen)
            screen.play(list(STALE_BY_HAND))
        elif what == "isolate_bisect":
            self.action_show_tab("isolate")
            self.query_one(IsolatePane).bisect()
        elif what == "choose_explanation":
            self.action_show_tab("hypothesis")
            self.query_one("#hypothesis-text").value = CORRECT  # type: ignore[attr-defined]
        elif what == "hypothesis_experiment":
            self.action_show_tab("hypothesis")
            self.query_one(HypothesisPane).experiment()
        elif what == "hypothesis_try":
            self.action_show_tab("hypothesis")
            self.query_one(HypothesisPane).try_fix()
        elif what == "verify_run":
            self.action_show_tab("verify")
            self.query_one(VerifyPane).verify()
        await self._others_done()

    def _evidence_failed(self) -> bool:
        evidence = self.session.casebook.evidence
        return evidence is not None and evidence.failures > 0

    async def _others_done(self) -> None:
        me = get_current_worker()
        for worker in list(self.workers):
            if worker is not me and not worker.is_finished:
                # A failure: its pane already told the learner what went wrong.
                with contextlib.suppress(Exception):
                    await worker.wait()

    # -- stale reads and their witness ----------------------------------------------------------

    def action_stale(self, step: int) -> None:
        bar = self.live.timeline.select_stale(step)
        if bar is None:
            self.notify("No stale read yet.", timeout=2)
            return
        where = "replay" if self.live.replay is not None else "live"
        if bar.stale is not None:
            self.session.journal.record(
                "stale_selected", where=where, task=bar.stale.read.task, kind=bar.stale.kind.value
            )

    @on(Timeline.Selected)
    def _stale_selected(self, event: Timeline.Selected) -> None:
        stale = event.bar.stale if event.bar is not None else None
        if stale is None:
            return
        from cache.witness import witness_of  # the engine's: not the first screen's

        replay = self.live.replay
        if replay is not None:
            witness = witness_of(stale, replay.sim.oracle.fixture, replay.sim.history)
        else:
            witness = witness_of(stale, {})
        self.guide.show_witness(witness)

    # -- by hand, help, report ------------------------------------------------------------------

    def action_by_hand(self) -> None:
        # Imported on use, like the help below: together they cost the first screen ~0.1 s.
        from cache.byhand import ByHand
        from workbench.tui.byhand import ByHandScreen

        if isinstance(self.screen, ByHandScreen):
            return
        self.push_screen(ByHandScreen(self.session.journal, ByHand()))

    def action_help(self) -> None:
        from workbench.tui.byhand import ByHandScreen
        from workbench.tui.help import HelpScreen, help_markdown

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        if isinstance(self.screen, ByHandScreen):
            keys = [(k, what) for k, _, what in BY_HAND_KEYS]
            where = "you are the scheduler"
        else:
            tab = self.active_tab
            keys = [(a.key, a.title) for a in ACTIONS if a.tab in (None, tab)]
            keys += [("0-5", "the live tab, the four stages and the explorer"), ("q", "quit")]
            where = f"the {tab} tab"
        self.push_screen(HelpScreen(help_markdown(where, keys)))

    def action_guide_report(self) -> None:
        """Write the report; if the file exists, ask: a second press overwrites it."""
        from workbench.session.report import report_data, write_report

        path = self.report_path
        overwrite = self._overwrite_asked == path
        try:
            written = write_report(path, report_data(self.walk), overwrite=overwrite)
        except FileExistsError as error:
            self._overwrite_asked = path
            self.notify(f"{error}. Press R again to overwrite it.", severity="warning",
                        title="Report", timeout=8)
            return
        except OSError as error:
            self.notify(f"Could not write the report: {error}", severity="error", title="Report")
            return
        self._overwrite_asked = None
        self.notify(f"Wrote {written[0]} and {written[1]}", title="Report", timeout=6)
