"""The workbench app: a live tab and the four stages, wired together. Kept thin on purpose:
the panes do the work, ``bindings.py`` holds the keys, the core does the computing."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Awaitable, Callable, Iterable
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, TypeGuard, cast

from textual import events, on, work
from textual.app import ComposeResult, ScreenStackError, SystemCommand
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Footer, Header, TabbedContent, TabPane

from cache.errors import RunFailed
from cache.targets import SIMULATOR, Target
from workbench.session.live import LiveState
from workbench.session.settings import LiveSettings
from workbench.session.stages import Stage, StageState
from workbench.session.state import Session
from workbench.session.walkthrough import Walkthrough
from workbench.tui.bindings import ACTIONS, AT_ONCE, app_bindings, inner_action
from workbench.tui.guided import REPORT_PATH, Guided
from workbench.tui.main_screen import MainScreen
from workbench.tui.messages import OpenReplay, StageProgress
from workbench.tui.panes.guide import GuidePane
from workbench.tui.panes.live import REPLAY_IDLE_ACTIONS, LivePane
from workbench.tui.widgets.controls import Controls
from workbench.tui.widgets.event_log import EventLog
from workbench.tui.widgets.timeline import Timeline
from workbench.tui.widgets.too_small import HORIZONTAL_BREAKPOINTS, VERTICAL_BREAKPOINTS, TooSmall

if TYPE_CHECKING:
    from cache.redis_run import RedisServerTarget
    from workbench.tui.panes.evidence import EvidencePane
    from workbench.tui.panes.explore import ExplorePane
    from workbench.tui.panes.hypothesis import HypothesisPane
    from workbench.tui.panes.isolate import IsolatePane
    from workbench.tui.panes.verify import VerifyPane

    StagePane = EvidencePane | IsolatePane | HypothesisPane | VerifyPane

__all__ = ["WorkbenchApp"]

# Which tab an action's key belongs to (its palette command works from anywhere).
_ACTION_TABS = {a.action.split("(")[0]: a.tab for a in ACTIONS if a.tab is not None}

FIRST_PAINT_WAIT = 2.0  # seconds: a screen that never paints (no terminal) does not hold it up

# The stage panes and Explore are built after the first screen, and so are their modules
# imported then: their widgets, and the explorer's engine, are not the first screen's.
_PANES = {
    Stage.EVIDENCE: "workbench.tui.panes.evidence:EvidencePane",
    Stage.ISOLATE: "workbench.tui.panes.isolate:IsolatePane",
    Stage.HYPOTHESIS: "workbench.tui.panes.hypothesis:HypothesisPane",
    Stage.VERIFY: "workbench.tui.panes.verify:VerifyPane",
}


def _pane_class(stage: Stage) -> type[StagePane]:
    module, _, name = _PANES[stage].partition(":")
    found: type[StagePane] = getattr(import_module(module), name)
    return found


def _is_server(target: Target) -> TypeGuard[RedisServerTarget]:
    if target.kind == "sim":  # no need to import redis-py to know
        return False
    from cache.redis_run import RedisServerTarget

    return isinstance(target, RedisServerTarget)


class WorkbenchApp(Guided):
    """Race Workbench: watch the race live, then debug it in four stages."""

    TITLE = "Race Workbench"
    # Absolute, so a subclass defined elsewhere (tests) finds it too.
    CSS_PATH = Path(__file__).with_name("workbench.tcss")
    BINDINGS: ClassVar[list[BindingType]] = app_bindings()  # type: ignore[assignment]
    # Screen classes for the too-small notice and the compact layout (widgets/too_small.py).
    HORIZONTAL_BREAKPOINTS = HORIZONTAL_BREAKPOINTS
    VERTICAL_BREAKPOINTS = VERTICAL_BREAKPOINTS

    def __init__(
        self,
        settings: LiveSettings | None = None,
        *,
        autostart: bool = False,
        target: Target = SIMULATOR,
        allow_remote: bool = False,
        walkthrough: bool = False,
        state_path: Path | None = None,
        fresh: bool = False,
        report_path: Path = REPORT_PATH,
    ) -> None:
        """The live run goes to a child process of its own when it first starts, so the
        simulation and the screen each get a core. ``walkthrough`` opens the guide;
        ``state_path`` is where its progress is saved (and resumed from, unless ``fresh``)."""
        super().__init__()
        self.session = Session(settings if settings is not None else LiveSettings())
        self.walk = Walkthrough(self.session.journal, state_path)
        self.resume_error = ""
        if fresh:
            self.walk.reset()
        else:
            try:
                self.walk.resume()
            except ValueError as error:  # unreadable progress: start over, and say so
                self.resume_error = str(error)
        self.walk.listeners.append(self._walk_changed)
        self.walkthrough = walkthrough
        self.report_path = report_path
        self._start_target = target
        self.allow_remote = allow_remote
        self.autostart = autostart
        self._collecting = False  # whether to switch the garbage collector back on

    @property
    def settings(self) -> LiveSettings:
        return self.session.settings

    def get_default_screen(self) -> Screen:  # type: ignore[type-arg]
        return MainScreen(id="_default")

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            yield from self._compose_tabs()
            yield GuidePane(self.walk, id="guide", classes="" if self.walkthrough else "-hidden")
        # The palette is one click on the header's icon (or ctrl+p) away; its footer entry
        # would push the live tab's keys off an 80-column screen.
        yield Footer(compact=True, show_command_palette=False)
        yield TooSmall()

    def _compose_tabs(self) -> ComposeResult:
        with TabbedContent(initial="live", id="tabs"):
            with TabPane("0 Live", id="live"):
                yield LivePane(
                    self.session,
                    target=self._start_target,
                    allow_remote=self.allow_remote,
                    id="live-pane",
                )
            # The stages' tabs start empty: their panes are built once the app runs
            # (``_build_stages``), so the first screen does not wait for ~500 widgets.
            for stage in _PANES:
                yield TabPane(self._tab_label(stage), id=stage.value)
            yield TabPane("5 Explore", id="explore")

    def _new_pane(self, stage: Stage) -> StagePane:
        if stage is Stage.EVIDENCE:
            from workbench.tui.panes.evidence import EvidencePane

            return EvidencePane(self.session, self.settings.strategy.name, id="evidence-pane")
        return _pane_class(stage)(self.session, id=f"{stage.value}-pane")  # type: ignore[call-arg]

    async def _build_stages(self) -> None:
        """Build the stage panes behind the first screen. Queued when the app mounts, so
        every key, action and palette command (queued after it) finds them built; it waits
        for the screen (which refreshes on its own) to paint first."""
        try:
            await self._build_behind_first_screen()
        finally:
            gc.freeze()
            self._resume_collecting()

    async def _build_behind_first_screen(self) -> None:
        painted = asyncio.Event()
        self.screen.call_after_refresh(painted.set)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(painted.wait(), FIRST_PAINT_WAIT)
        await self.query_one(Controls).build()  # on screen already, as a sketch: first
        for stage in _PANES:
            tab = self.query_one(f"#{stage.value}", TabPane)
            await tab._mounted_event.wait()  # the screen mounts its widgets in its own time
            if not tab.is_attached:
                return  # the app is closing already
            if not tab.children:
                await tab.mount(self._new_pane(stage))
        explore = self.query_one("#explore", TabPane)
        await explore._mounted_event.wait()
        if explore.is_attached and not explore.children:
            from workbench.tui.panes.explore import ExplorePane

            await explore.mount(ExplorePane(self.session, id="explore-pane"))

    def on_load(self) -> None:
        # Building the screens makes tens of thousands of objects that live as long as the
        # app, and next to no garbage: the collections they would set off only delay the
        # first screen (by about 5 ms). Back on when the stages are built, or when the app
        # closes before that.
        self._collecting = gc.isenabled()
        gc.disable()

    def on_unmount(self) -> None:
        self._resume_collecting()

    def _resume_collecting(self) -> None:
        if self._collecting:
            self._collecting = False
            gc.enable()

    def on_mount(self) -> None:
        # Everything built so far lives as long as the app: keep it out of the garbage
        # collector's full passes, whose pauses grow with every object they must scan.
        gc.freeze()
        self.call_later(self._build_stages)
        if self.resume_error:
            self.notify(f"{self.resume_error}; starting the walkthrough afresh.",
                        severity="warning", timeout=8)
        if self.autostart:
            self.live.toggle()
        self.live.timeline.focus()
        if _is_server(self._start_target):
            self.use_target(self._start_target)

    # -- where stage batches run ----------------------------------------------------------------

    @on(Controls.TargetChosen)
    def _target_chosen(self, event: Controls.TargetChosen) -> None:
        self.use_target(event.target)

    def use_target(self, target: Target) -> None:
        """Check the server answers, then run stage batches there; on failure, a
        notification and back to the simulator."""
        if not _is_server(target):
            self.session.target = target
            self.notify("Stage batches run on the simulator.", timeout=3)
            return
        self._probe(target)

    @work(exclusive=True, group="target", exit_on_error=False, description="Connecting")
    async def _probe(self, target: RedisServerTarget) -> None:
        try:
            await target.probe()
        except RunFailed as error:
            self.session.target = SIMULATOR
            self.query_one(Controls).show_target(SIMULATOR)
            self.notify(
                f"{error}. Stage batches stay on the simulator.",
                severity="error",
                title="Redis unreachable",
                timeout=10,
            )
            return
        self.session.target = target
        self.notify(
            f"Stage batches now run on {target.describe()}; the live view stays "
            "simulated (real time cannot be slowed down).",
            timeout=6,
        )

    @property
    def live(self) -> LivePane:
        return self.query_one(LivePane)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            # A key goes through several messages before its action runs; live frames
            # taken in between would each be painted before it.
            with contextlib.suppress(NoMatches):
                self.live.hold_for_key()
        await super().on_event(event)

    def _tab_label(self, stage: Stage) -> str:
        return f"{self.session.casebook.board[stage].icon} {stage.number} {stage.value.title()}"

    @property
    def active_tab(self) -> str:
        return self.query_one(TabbedContent).active or "live"

    # -- bindings and commands ------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == AT_ONCE:
            # Only on the main screen while the live view's own widgets (or nothing) have
            # the focus. False passes the key on, as if there were no such binding: to the
            # focused widget or the screen on top (the by-hand screen has an ``r`` of its
            # own), and from there up to the plain binding.
            if len(self.screen_stack) > 1 or not isinstance(
                self.focused, (Timeline, EventLog, type(None))
            ):
                return False
            return self.check_action(inner_action(str(parameters[0])).split("(")[0], ())
        tab = _ACTION_TABS.get(action)
        if tab is None:
            return True
        if action in REPLAY_IDLE_ACTIONS and self._replay_shown():
            return None  # dimmed in the footer; the replay's status line says why
        try:
            return self.active_tab == tab
        except (NoMatches, ScreenStackError):  # starting up: the tabs are not there yet
            return tab == "live"

    def _replay_shown(self) -> bool:
        try:
            return self.live.replay is not None
        except (NoMatches, ScreenStackError):
            return False

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self.refresh_bindings()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:  # type: ignore[type-arg]
        yield from super().get_system_commands(screen)
        for spec in ACTIONS:
            yield SystemCommand(spec.title, spec.help, self._command(spec.action, spec.tab))
        for stage in ("live", *(s.value for s in Stage)):
            yield SystemCommand(
                f"Go to {stage}",
                f"Show the {stage} tab",
                self._command(f"show_tab('{stage}')", None),
            )

    def _command(self, action: str, tab: str | None) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            if tab is not None:
                self.action_show_tab(tab)
            await self.run_action(action)

        return run

    # -- actions ------------------------------------------------------------------------------

    async def action_at_once(self, action: str) -> None:
        await self.run_action(action)

    def action_show_tab(self, tab: str) -> None:
        tabs = self.query_one(TabbedContent)
        if tabs.active == tab:
            return
        # Focus must leave the old tab first: a focused widget in a pane pulls its tab back
        # to the front when Textual looks for somewhere to put the focus.
        self.screen.set_focus(None)
        tabs.active = tab
        target = self.live.timeline if tab == "live" else self.query_one(f"#{tab}-pane")
        self.call_after_refresh(target.focus)

    def action_toggle_run(self) -> None:
        self.live.toggle()

    def action_stop(self) -> None:
        self.live.stop()

    def action_reset(self) -> None:
        self.live.reset()

    def action_follow(self) -> None:
        self.live.timeline.action_follow()
        self.live.query_one(EventLog).action_follow()

    def action_zoom(self, steps: int) -> None:
        self.live.timeline.zoom(steps)

    def action_speed(self, steps: int) -> None:
        self.live.change_speed(steps)

    def action_cancel(self) -> None:
        """Ctrl+C: stop the live run and cancel batches; what they measured stays."""
        cancelled = [w for w in self.workers if not w.is_finished]
        for worker in cancelled:
            worker.cancel()
        stopped = self.live.run.state in (LiveState.RUNNING, LiveState.PAUSED)
        self.live.stop()
        if cancelled or stopped:
            self.notify("Cancelled. What was measured so far is kept.", timeout=3)
        else:
            self.notify("Nothing is running. Press q to quit.", timeout=3)

    def _pane(self, stage: Stage) -> StagePane:
        return self.query_one(f"#{stage.value}-pane", _pane_class(stage))

    def action_evidence_run(self) -> None:
        cast("EvidencePane", self.query_one("#evidence-pane")).run_batch()

    def action_evidence_open(self) -> None:
        cast("EvidencePane", self.query_one("#evidence-pane")).open_run()

    def action_isolate_measure(self) -> None:
        cast("IsolatePane", self.query_one("#isolate-pane")).measure()

    def action_isolate_changes(self) -> None:
        cast("IsolatePane", self.query_one("#isolate-pane")).run_changes()

    def action_isolate_bisect(self) -> None:
        cast("IsolatePane", self.query_one("#isolate-pane")).bisect()

    def action_hypothesis_experiment(self) -> None:
        cast("HypothesisPane", self.query_one("#hypothesis-pane")).experiment()

    def action_hypothesis_try(self) -> None:
        cast("HypothesisPane", self.query_one("#hypothesis-pane")).try_fix()

    def action_verify_run(self) -> None:
        cast("VerifyPane", self.query_one("#verify-pane")).verify()

    def action_verify_compare(self) -> None:
        cast("VerifyPane", self.query_one("#verify-pane")).compare()

    def action_verify_export(self) -> None:
        cast("VerifyPane", self.query_one("#verify-pane")).export()

    def action_explore(self, what: str) -> None:
        """The Explore tab's keys: run, cancel, copy, open, original, token."""
        cast("ExplorePane", self.query_one("#explore-pane")).act(what)

    # -- messages from the panes ----------------------------------------------------------------

    @on(LivePane.StateChanged)
    def _live_state(self, event: LivePane.StateChanged) -> None:
        self.sub_title = event.summary

    @on(LivePane.Failed)
    def _live_failed(self, event: LivePane.Failed) -> None:
        self.notify(event.error, severity="error", title="The live run stopped", timeout=10)

    @on(OpenReplay)
    def _open_replay(self, event: OpenReplay) -> None:
        self.action_show_tab("live")
        self.live.show_replay(event.replay)
        self.live.timeline.focus()

    @on(StageProgress)
    def _stage(self, event: StageProgress) -> None:
        board = self.session.casebook.board
        changed = board.finish(event.stage) if event.done else board.begin(event.stage)
        if not changed:
            return
        for stage in Stage:
            self.query_one(TabbedContent).get_tab(stage.value).label = self._tab_label(stage)
            self._pane(stage).refresh_header()
        if event.done:
            following = board.current
            then = f" Next: {following.number} {following.heading}." if following else " All done."
            self.notify(
                f"{event.stage.heading}: done ({event.summary}).{then}",
                title=f"Stage {event.stage.number} {StageState.DONE.icon}",
                timeout=6,
            )
