"""The live view: controls, counter, timeline and log over a running workload or a replay.

Once per frame (and only while a run is going) the pane drains what the live run's child
process sent (``poll``), takes one ``Frame`` of changed bars and new log lines, and applies it
to the timeline, the log and the counter inside one ``batch_update``. The next frame is taken
as soon as the last is painted, or, if the child has sent nothing since, the moment it does
(the pane watches its pipe). Nothing is mounted or recomposed per event, and only the
widgets that changed are repainted (``widgets.partial_paint``).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sys
from collections import deque
from typing import TYPE_CHECKING, NamedTuple

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static

from cache.targets import SIMULATOR, Target
from workbench.session.child import LiveProcess
from workbench.session.feed import FramePacker
from workbench.session.lanes import LaneModel
from workbench.session.live import LiveEngine, LiveState, snapshot
from workbench.session.settings import LiveSettings, setting
from workbench.session.state import Session
from workbench.tui import trace
from workbench.tui.widgets.controls import Controls
from workbench.tui.widgets.counter import StaleCounter
from workbench.tui.widgets.event_log import EventLog
from workbench.tui.widgets.partial_paint import install as paint_only_changes
from workbench.tui.widgets.timeline import Timeline

if TYPE_CHECKING:  # a replay brings the engine; the first screen does not
    from cache.simulation import Simulation

__all__ = ["LivePane", "Replay"]

FPS = 60
RECENT_LINES = 2_000  # live log lines kept to show again after a replay
REPLAY_LINES = 100_000
LEGEND = "━ update ▒ race window ─ read ✗ stale ! repaired · background"
# The keys that act on the live run, which a replay (a finished run) has none of: dimmed in
# the footer while one is shown, and the status line says where they apply.
REPLAY_IDLE_ACTIONS = frozenset({"stop", "reset", "speed"})
REPLAY_HINT = "space: back to live, where x r ] [ apply"
# A live frame allocates thousands of short-lived objects (bars, strips, segments): at the
# default thresholds the collector ran ~40 young collections a second and, every few seconds,
# a full one over the ~37,000 bars the timeline keeps, pausing the screen 100-150 ms. The
# bars hold no cycles (reference counting frees them), so the collector may run far less.
GC_THRESHOLDS = (10_000, 20, 10)
# Textual reads keys in a thread of its own, which needs the interpreter's lock to hand a
# key over; while a frame is being drawn it waited up to the switch interval (5 ms by
# default) for it. Drawing gives the lock up more often instead.
SWITCH_INTERVAL = 0.001
SPEEDS = tuple(round(m * 10.0**e, 3) for e in range(-3, 3) for m in (1, 2, 5))


class Replay(NamedTuple):
    """A finished simulation to show instead of the live run."""

    sim: Simulation
    title: str


class LivePane(Horizontal):
    """Everything about the live run; the app's actions call into it."""

    DEFAULT_CSS = """
    LivePane #live-sidebar {
        width: 30; height: 1fr; border-right: vkey $panel; scrollbar-size-vertical: 1;
    }
    LivePane #live-main { width: 1fr; }
    LivePane #live-status { height: 1; background: $panel; padding: 0 1; }
    LivePane Timeline { height: 3fr; min-height: 5; }
    LivePane #timeline-detail { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    LivePane EventLog { height: 2fr; min-height: 3; border-top: hkey $panel; }
    """

    class StateChanged(Message):
        """The run's state, strategy or speed changed (for the header)."""

        def __init__(self, summary: str) -> None:
            super().__init__()
            self.summary = summary

    class Failed(Message):
        """The live run stopped with an error (a strategy raised, or never yielded)."""

        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(
        self,
        session: Session,
        *,
        target: Target = SIMULATOR,
        allow_remote: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.session = session
        self._target = target
        self._allow_remote = allow_remote
        self.run: LiveEngine = LiveProcess(session.settings)
        self.model = LaneModel()
        self._recent_lines: deque[str] = deque(maxlen=RECENT_LINES)
        self.replay: Replay | None = None
        self._timer: Timer | None = None
        self._unpainted = False  # a frame was taken that the screen has not painted yet
        self._key_hold = False  # a key is being handled: its paint comes before more frames
        self._watched: int | None = None  # the child's pipe, while waiting for its report
        self._gc_thresholds = gc.get_threshold()
        self._switch_interval = sys.getswitchinterval()

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="live-sidebar"):
            # The counter first: at 80x24 it is what must stay in sight.
            yield StaleCounter(id="counter")
            yield Controls(
                self.run.settings, self._target, allow_remote=self._allow_remote, id="controls"
            )
        with Vertical(id="live-main"):
            yield Static("", id="live-status")
            yield Timeline(
                self.model, hint="Press space to start the live workload.", id="timeline"
            )
            yield Static(LEGEND, id="timeline-detail")
            yield EventLog(id="event-log")

    def on_mount(self) -> None:
        # The counter and the timeline change every frame on opposite sides of the screen:
        # repaint them, not everything between.
        paint_only_changes(self.screen)
        self._gc_thresholds = gc.get_threshold()
        gc.set_threshold(*GC_THRESHOLDS)
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)
        self._timer = self.set_interval(1 / FPS, self._frame, pause=True)
        trace.install(self.app, lambda: self.run.stats().events)
        self.call_after_refresh(self._announce)

    # -- what the app's actions call -----------------------------------------------------------

    @property
    def timeline(self) -> Timeline:
        return self.query_one(Timeline)

    def toggle(self) -> None:
        """Start, pause or resume (returning from a replay first)."""
        if self.replay is not None:
            self.back_to_live()
        if self.run.state in (LiveState.STOPPED, LiveState.FAILED):
            self.reset()
        if self.run.toggle() is LiveState.PAUSED:
            self._pull()  # the pause was acknowledged: show exactly where the run stopped
        self._sync_timer()

    def stop(self) -> None:
        if self.run.stop():
            self._pull()  # show the last of what was measured
        self._sync_timer()

    def reset(self, settings: LiveSettings | None = None) -> None:
        """A fresh run; if one was running, the new one runs too. New settings are the
        session's from now on (its seed is the stages' seed too)."""
        was_running = self.run.state is LiveState.RUNNING
        if settings is not None:
            self.session.settings = settings
        self._stop_watching()  # a reset may replace the child, and its pipe with it
        self.run.reset(settings)
        self.model = LaneModel()
        self._recent_lines.clear()
        if self.replay is None:
            self._attach_view()
        if was_running:
            self.run.start()
        self._sync_timer()

    def change_speed(self, steps: int) -> None:
        index = min(range(len(SPEEDS)), key=lambda i: abs(SPEEDS[i] - self.run.speed))
        self.run.speed = SPEEDS[max(0, min(len(SPEEDS) - 1, index + steps))]
        self._announce()

    def show_replay(self, replay: Replay) -> None:
        """Show a finished run (a failing run from the evidence) instead of the live one."""
        self.run.pause()
        self._sync_timer()
        self.replay = replay
        model = LaneModel()
        frame = FramePacker(replay.sim.oracle.verdict, lines_per_frame=REPLAY_LINES).pack(
            list(replay.sim.history)
        )
        model.apply(frame.bars, frame.t_max)
        self.query_one(EventLog).restart(frame.lines)
        self.timeline.reset(model)
        self.timeline.scale_ms = 0.1
        if model.stale_bars:
            self.timeline.show_bar(model.stale_bars[0])
        self.query_one(StaleCounter).show(snapshot(replay.sim))
        self._announce()
        self.app.refresh_bindings()  # the live run's keys dim while a replay is shown

    def back_to_live(self) -> None:
        if self.replay is None:
            return
        self.replay = None
        self._attach_view()
        self.query_one(StaleCounter).show(self.run.stats())
        self._announce()
        self.app.refresh_bindings()

    def on_unmount(self) -> None:
        self._stop_watching()
        # Close the run's coroutines, even those that never started, so nothing is left
        # half-alive (or warns about never being awaited) when the app exits.
        self.run.close()
        gc.set_threshold(*self._gc_thresholds)
        sys.setswitchinterval(self._switch_interval)

    # -- internals -----------------------------------------------------------------------------

    def _attach_view(self) -> None:
        """Point the timeline, the log and the counter at the live run, showing what it has
        so far (nothing, after a reset: no count, glyph or selection of the last run stays)."""
        self.timeline.reset(self.model, "Press space to start the live workload.")
        self.query_one(EventLog).restart(self._recent_lines)
        self.query_one("#timeline-detail", Static).update(LEGEND)
        self.query_one(StaleCounter).show(self.run.stats())

    def _sync_timer(self) -> None:
        if self._timer is None:
            return
        if self.run.state is LiveState.RUNNING:
            self._timer.resume()
            self._next_frame()
        else:
            self._timer.pause()
            self._stop_watching()
        self._announce()

    def run_for(self, seconds: float) -> None:
        """Run ``seconds`` of virtual time at once and show the result: deterministic, for
        tests and screenshots, where wall-clock frames would make every run differ."""
        if self.replay is not None:
            self.back_to_live()
        if self.run.state in (LiveState.STOPPED, LiveState.FAILED):
            self.reset()
        self.run.run_for(seconds)
        self._pull()
        self._sync_timer()

    def _frame(self) -> None:
        # The frame timer: what keeps the live model current while a replay is shown, and
        # what takes frames where the pipe cannot be watched.
        if self._unpainted or self._key_hold:
            # The last frame is not on the screen yet: taking another would only queue work
            # in front of the keys. The child keeps merging until the screen asks again.
            return
        self.show_latest()

    def hold_for_key(self) -> None:
        """Take no new frame until the key being handled is on the screen (the app calls
        this for every key, before the key's action runs)."""
        if not self._key_hold:
            self._key_hold = True
            self.call_after_refresh(self._key_shown)

    def _key_shown(self) -> None:
        self._key_hold = False
        self._next_frame()

    def _painted(self) -> None:
        self._unpainted = False
        # The next frame at once, not at the next tick of the frame timer: the screen paints
        # on a grid of its own, and waiting for one grid and then the other halved the
        # frames painted.
        self._next_frame()

    def _next_frame(self) -> None:
        """Take the next frame if the screen is ready for one; if the child has sent nothing
        since the last, take it the moment it does. Waiting for the frame timer instead
        cost up to a sixtieth of a second a frame, a third of the frames painted."""
        if (
            self._unpainted
            or self._key_hold
            or self.run.state is not LiveState.RUNNING
            or self.replay is not None
        ):
            return
        self.show_latest()
        if not self._unpainted:
            self._wake_on_report()

    def _wake_on_report(self) -> None:
        fd = self.run.fileno()
        if fd is None or fd == self._watched:
            return
        self._stop_watching()
        try:
            asyncio.get_running_loop().add_reader(fd, self._reported)
        except (NotImplementedError, RuntimeError, OSError, ValueError):
            return  # a loop that cannot watch pipes (Windows): the frame timer polls
        self._watched = fd

    def _stop_watching(self) -> None:
        fd, self._watched = self._watched, None
        if fd is not None:
            with contextlib.suppress(RuntimeError, OSError, ValueError):
                asyncio.get_running_loop().remove_reader(fd)

    def _reported(self) -> None:
        # One wake-up per wait: the pipe stays readable until it is read.
        self._stop_watching()
        self._next_frame()

    def show_latest(self) -> None:
        """What every frame does while the run goes: take what the run sent, show it."""
        self.run.poll()
        self._pull()

    def _pull(self) -> None:
        """Show what the run recorded since the last frame, in one batch. The counter, the
        timeline and the log change together, from one frame and the figures that came with
        it, so they describe the same events at every moment the screen shows."""
        live = self.run
        frame = live.frame()
        with self.app.batch_update():
            if frame is not None:
                # Taken even while a replay is on screen, so the live model stays current.
                self.model.apply(frame.bars, frame.t_max, (frame.reads, frame.stale))
                self._recent_lines.extend(frame.lines)
                if self.replay is None:
                    self.timeline.data_changed()
                    self.query_one(EventLog).add(frame.lines, frame.skipped)
                    if not self._unpainted:
                        self._unpainted = True
                        self.call_after_refresh(self._painted)
            if self.replay is None:
                self.query_one(StaleCounter).show(live.stats())
        if live.state is not LiveState.RUNNING:
            self._sync_timer()
            if live.state is LiveState.FAILED and live.error:
                self.post_message(self.Failed(live.error))

    def _announce(self) -> None:
        live = self.run
        if self.replay is not None:
            status = f"REPLAY  {self.replay.title}   ({REPLAY_HINT})"
        else:
            status = (
                f"{live.settings.strategy.name}  {live.state.value}  speed {live.speed:g}x  "
                f"seed {live.settings.seed}"
            )
        if self.is_mounted:
            self.query_one("#live-status", Static).update(status)
        self.post_message(self.StateChanged(status))

    @on(Controls.SettingChanged)
    def _setting(self, event: Controls.SettingChanged) -> None:
        if event.name == "speed":
            self.run.speed = float(event.value)
            self._announce()
            return
        try:
            settings = self.run.settings.with_value(event.name, event.value)
        except ValueError as error:
            self.notify(str(error), severity="error", title="Not applied")
            return
        self.reset(settings)
        label = setting(event.name).label
        self.notify(f"{label} = {event.value}: the live run restarted with it", timeout=3)

    @on(Controls.StrategyChosen)
    def _strategy(self, event: Controls.StrategyChosen) -> None:
        self.reset(self.run.settings.with_value("strategy", event.strategy))

    @on(Timeline.Selected)
    def _selected(self, event: Timeline.Selected) -> None:
        detail = self.query_one("#timeline-detail", Static)
        if event.bar is not self.timeline.selected:
            return  # a selection since undone (a reset came first)
        if event.bar is None or event.bar.stale is None:
            detail.update(LEGEND)
            return
        text = event.bar.stale.explain()
        if event.missed is None:
            text += " (that update has scrolled out of the kept history)"
        detail.update(f"✗ {text}")
