"""The live run in a child process, so the simulation and the screen each get a core.

Python runs one thread at a time, so a simulation recording 50,000 events a second and a
screen redrawn many times a second compete for one core when they share a process. Here the
simulation runs in a child process (started with ``spawn``, which is safe beside the UI's
threads, and only when a run starts), digests what it records into bars and log lines
(``workbench.session.feed``) and sends them through a pipe, keeping one report ahead of
the screen: each time the screen takes one (``Ready``) the next is digested, with everything
since the last. The app drains the pipe once per frame (``poll``). The child paces itself
by the wall clock and ``speed``, and runs the same seeded simulation as a batch, so the
interleaving is the same.

Every wait on the child is bounded: a user's strategy that never yields keeps the child busy
forever, so a command it does not acknowledge in time ends the child, and the run fails with
a message that says why. No Textual is imported here or in the child.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from typing import TYPE_CHECKING, NamedTuple

from cache.stats import wilson
from workbench.session.feed import Frame, merge
from workbench.session.live import LiveRun, LiveState, LiveStats, RunStates
from workbench.session.settings import LiveSettings

if TYPE_CHECKING:  # multiprocessing is imported when a run first starts, not with the app
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

__all__ = ["ANSWER_TIMEOUT", "LiveProcess"]

SLICE = 0.004  # seconds of wall time stepped between two looks at the pipe
# Reports sent and not yet taken by the screen, at most: one to take now and the next one
# already on its way, so the screen never waits for a child the machine has descheduled.
AHEAD = 2
DRAIN_LIMIT = 16  # reports taken per frame at most, so a backlog cannot stall a frame
SEND_SWITCH_INTERVAL = 0.0005  # seconds; see ``_child``
ANSWER_TIMEOUT = 1.5  # seconds of silence after which the child is taken to be stuck
# Before its first report the child is still starting Python and importing the engine, which
# takes far longer on a loaded machine; only silence after that means a stuck strategy.
STARTUP_TIMEOUT = 20.0
BACKLOG_LIMIT = 10.0  # seconds to read through reports before giving up on an answer
_NO_STATS = LiveStats(0.0, 0, 0, 0, wilson(0, 0), {}, 0, 0, False, ())


# -- the commands the app sends -------------------------------------------------------------


# Named tuples, not dataclasses: the app imports this module before its first screen, and a
# frozen dataclass costs ten times as much to define. Commands are told apart by class
# (``match``), never compared.


class Start(NamedTuple):
    pass


class Pause(NamedTuple):
    pass


class Stop(NamedTuple):
    pass


class Reset(NamedTuple):
    settings: LiveSettings


class RunFor(NamedTuple):
    seconds: float  # virtual


class SetSpeed(NamedTuple):
    speed: float


class Quit(NamedTuple):
    pass


class Ready(NamedTuple):
    """The screen has taken every report up to number ``seen`` and wants more (not a
    command: no reply)."""

    seen: int = 0


Command = Start | Pause | Stop | Reset | RunFor | SetSpeed | Quit


class Report(NamedTuple):
    """What the child sends each tick, and in reply to every command."""

    acked: int  # the last command it has carried out
    frame: Frame | None
    stats: LiveStats
    state: LiveState
    error: str | None
    sequence: int = 0  # reports the child has sent, this one included


# -- the child's side ------------------------------------------------------------------------


def _child(conn: Connection, settings: LiveSettings) -> None:
    """The child process: nothing it prints may reach the terminal the UI draws on."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    # The thread that sends reports waits for the lock the simulation holds: at the default
    # switch interval (5 ms) a report the screen had asked for often came a frame late.
    sys.setswitchinterval(SEND_SWITCH_INTERVAL)
    with contextlib.suppress(EOFError, OSError, KeyboardInterrupt):
        # Hello, before anything of the user's runs: from here on, silence means stuck.
        conn.send(Report(0, None, _NO_STATS, LiveState.READY, None))
        _serve(conn, settings)


class _Outbox:
    """Reports waiting for the pipe. A thread sends them, so the simulation never waits for
    the screen to read (a frame can be larger than the pipe holds). Reports that pile up
    before the thread gets to them go as one, merged."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._pending: list[Report] = []
        self.sent = 0  # reports handed to the pipe (after the hello)
        self._ready = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._send_forever, daemon=True)
        self._thread.start()

    def put(self, report: Report) -> None:
        with self._ready:
            pending = self._pending
            pending.append(report)
            if len(pending) > 1:
                frame = merge(r.frame for r in pending if r.frame is not None)
                pending[:] = [report._replace(frame=frame)]
            self._ready.notify()

    def in_flight(self, seen: int) -> int:
        """Reports sent or waiting to be sent that the screen has not taken (it has taken
        up to number ``seen``)."""
        with self._ready:
            return self.sent + (1 if self._pending else 0) - seen

    def close(self) -> None:
        with self._ready:
            self._closed = True
            self._ready.notify()
        self._thread.join(timeout=2)

    def _send_forever(self) -> None:
        while True:
            with self._ready:
                while not self._pending and not self._closed:
                    self._ready.wait()
                if not self._pending:
                    return
                pending, self._pending = self._pending, []
                self.sent += 1
                sequence = self.sent
            last = pending[-1]
            frame = merge(r.frame for r in pending if r.frame is not None)
            try:
                self._conn.send(last._replace(frame=frame, sequence=sequence))
            except (OSError, ValueError):
                return


def _carry_out(run: LiveRun, command: Command) -> bool:
    """Do ``command``; False when it is time to quit."""
    match command:
        case Start():
            run.start()
        case Pause():
            run.pause()
        case Stop():
            run.stop()
        case Reset(settings):
            run.reset(settings)
        case RunFor(seconds):
            run.run_for(seconds)
        case SetSpeed(speed):
            run.speed = speed
        case Quit():
            return False
    return True


def _serve(conn: Connection, settings: LiveSettings) -> None:
    """Obey commands, step by the wall clock, send what was recorded when the screen asks.

    The run is stepped in short slices of wall time, and between two slices the child looks
    at the pipe. It keeps ``AHEAD`` reports in flight: each time the screen takes one (and
    says so with ``Ready``), the next is digested, with everything recorded since the last,
    so events are digested into frames once per frame the screen takes, however fast or slow
    it draws, and the screen finds its next frame waiting."""
    run = LiveRun(settings)
    acked = 0
    last = time.perf_counter()
    outbox = _Outbox(conn)
    seen = 0  # the last report the screen has taken

    def send() -> None:
        # The events are digested here, into bars and log lines: the screen's process
        # receives a few tuples a frame instead of every event. Frame and stats are taken
        # together, so the screen never shows a count its timeline does not hold.
        outbox.put(Report(acked, run.frame(), run.stats(), run.state, run.error))

    while True:
        timeout = 0.0 if run.state is LiveState.RUNNING else None
        while conn.poll(timeout):
            number, command = conn.recv()
            timeout = 0.0
            if isinstance(command, Ready):
                seen = max(seen, command.seen)
                continue
            if not _carry_out(run, command):
                run.close()
                outbox.close()
                return
            acked = number
            last = time.perf_counter()
            send()  # every command is answered at once
        if run.state is not LiveState.RUNNING:
            continue
        began = time.perf_counter()
        run.step(min(began - last, 0.25), budget=SLICE)
        last = began
        if outbox.in_flight(seen) < AHEAD or run.state is not LiveState.RUNNING:
            send()
        spare = SLICE - (time.perf_counter() - began)
        if spare > 0:
            conn.poll(spare)  # nothing to simulate yet: wait, but wake for the screen


# -- the app's side --------------------------------------------------------------------------


class LiveProcess(RunStates):
    """A ``LiveEngine``: the app's handle on a live run in a child process. The child is
    started by the first command that needs a simulation, not when this is built."""

    def __init__(self, settings: LiveSettings) -> None:
        self.settings = settings
        self._speed = settings.speed
        self.state = LiveState.READY
        self.error = None
        self._frames: list[Frame] = []
        self._stats = _NO_STATS
        self._sent = 0
        self._seen = 0  # the last report taken from the child
        self._conn: Connection | None = None
        self._process: BaseProcess | None = None
        self._heard = False

    @property
    def alive(self) -> bool:
        """Whether a child process is running now."""
        return self._process is not None and self._process.is_alive()

    @property
    def pid(self) -> int | None:
        """The child's process id, while there is a child (for measuring it)."""
        return self._process.pid if self._process is not None else None

    # -- commands ----------------------------------------------------------------------------

    def _spawn(self) -> Connection:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        conn, child_conn = context.Pipe()
        process = context.Process(
            target=_child,
            args=(child_conn, self.settings),
            name="race-workbench-live",
            daemon=True,
        )
        # A UI may have swapped the standard streams for objects with no file descriptor
        # (Textual does), and spawning hands fd 2 to multiprocessing's resource tracker:
        # give it the real one. The child sends its own output to /dev/null at once.
        swapped = sys.stdout, sys.stderr
        sys.stdout = sys.__stdout__ or sys.stdout
        sys.stderr = sys.__stderr__ or sys.stderr
        try:
            process.start()
        finally:
            sys.stdout, sys.stderr = swapped
        child_conn.close()
        self._conn, self._process = conn, process
        self._sent = 0
        self._seen = 0
        self._heard = False  # no report yet: the child is still starting
        if self._speed != self.settings.speed:
            self._send(SetSpeed(self._speed))
        return conn

    def _send(self, command: Command) -> int:
        conn = self._conn if self._conn is not None else self._spawn()
        self._sent += 1
        try:
            conn.send((self._sent, command))
        except (OSError, ValueError):
            self._lost("it no longer takes commands")
        return self._sent

    @property
    def speed(self) -> float:
        return self._speed

    @speed.setter
    def speed(self, value: float) -> None:
        self._speed = value
        if self._conn is not None:
            self._send(SetSpeed(value))

    def _entered(self, state: LiveState) -> None:
        if state is LiveState.RUNNING:
            self._send(Start())
        elif state is LiveState.PAUSED:
            # Wait for it, so that the screen can show exactly what the run had done.
            self._wait_for(self._send(Pause()))
        elif state is LiveState.STOPPED and self._conn is not None:
            self._wait_for(self._send(Stop()))  # keep all it measured up to the stop

    def reset(self, settings: LiveSettings | None = None) -> None:
        if settings is not None:
            self.settings = settings
            self._speed = settings.speed
        if self._conn is not None and self.alive:
            self._wait_for(self._send(Reset(self.settings)), keep=False)
        else:
            self._end_child()  # a dead or stuck child: the next run starts a fresh one
        self._frames.clear()
        self._stats = _NO_STATS
        self._move(LiveState.READY)

    def run_for(self, seconds: float) -> None:
        self._wait_for(self._send(RunFor(seconds)))
        # The child started (or resumed) the run, ran it, and paused it.
        self._move(LiveState.RUNNING, mirror=True)
        self._move(LiveState.PAUSED, mirror=True)

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(OSError, ValueError):
                self._conn.send((self._sent + 1, Quit()))
        self._end_child(grace=2.0)

    def _end_child(self, grace: float = 0.0) -> None:
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if process is not None:
            process.join(timeout=grace)
            if process.is_alive():
                process.terminate()
                process.join(timeout=2)
            if process.is_alive():
                process.kill()
                process.join(timeout=2)
        if conn is not None:
            conn.close()

    # -- what the view reads -----------------------------------------------------------------

    def poll(self) -> None:
        """Take what the child has sent since the last frame (it keeps its own time)."""
        conn = self._conn
        if conn is None:
            return
        taken = False
        try:
            for _ in range(DRAIN_LIMIT):
                if not conn.poll():
                    break
                self._take(conn.recv())
                taken = True
            if taken and self.state is LiveState.RUNNING:
                conn.send((self._sent, Ready(self._seen)))  # the next report, when there is one
        except (EOFError, OSError, ValueError):
            self._lost("it exited")

    def frame(self) -> Frame | None:
        frames, self._frames = self._frames, []
        return merge(frames)

    def fileno(self) -> int | None:
        conn = self._conn
        return None if conn is None or conn.closed else conn.fileno()

    def stats(self) -> LiveStats:
        return self._stats

    def _wait_for(self, number: int, *, keep: bool = True) -> None:
        """Wait until the child has carried out command ``number``. A child that sends
        nothing for ``ANSWER_TIMEOUT`` seconds is stuck and is ended; one that keeps sending
        (a backlog the screen had not read yet) is read through, up to ``BACKLOG_LIMIT``."""
        conn = self._conn
        if conn is None:
            return
        give_up = time.monotonic() + BACKLOG_LIMIT
        try:
            while True:
                silence = ANSWER_TIMEOUT if self._heard else STARTUP_TIMEOUT
                if not conn.poll(silence) or time.monotonic() > give_up + silence:
                    self._unresponsive()
                    return
                report: Report = conn.recv()
                self._heard = True  # (also when the report is not kept)
                self._seen = report.sequence
                if keep:
                    self._take(report)
                if report.acked >= number:
                    if self.state is LiveState.RUNNING:
                        conn.send((self._sent, Ready(self._seen)))  # it may have sent what we read
                    return
        except (EOFError, OSError, ValueError):
            self._lost("it exited")

    def wait_started(self, timeout: float = STARTUP_TIMEOUT) -> bool:
        """Wait until the child has started (it says so before it builds the run); False if
        there is no child, or it did not start within ``timeout`` seconds."""
        conn = self._conn
        if conn is None:
            return False
        try:
            while not self._heard:
                if not conn.poll(timeout):
                    return False
                self._take(conn.recv())
        except (EOFError, OSError):
            self._lost("it exited")
            return False
        return True

    def _take(self, report: Report) -> None:
        self._heard = True
        self._seen = report.sequence
        if report.frame is not None:
            self._frames.append(report.frame)
        self._stats = report.stats
        if report.state is LiveState.FAILED:
            self.fail(report.error or "the run failed", mirror=True)
        elif report.state is LiveState.STOPPED and self.state is LiveState.RUNNING:
            self._move(LiveState.STOPPED, mirror=True)  # the workload came to its end

    def _unresponsive(self) -> None:
        self._end_child()
        self.fail(
            f"the simulation did not answer within {ANSWER_TIMEOUT:g} s, so it was stopped: "
            f"the strategy {self.settings.strategy.name!r} never yields (a loop with no "
            "await?). What was measured before is kept.",
            mirror=True,
        )

    def _lost(self, why: str) -> None:
        self._end_child()
        self.fail(f"the simulation process stopped unexpectedly: {why}", mirror=True)

    def __repr__(self) -> str:
        alive = "alive" if self.alive else "no child"
        return f"<LiveProcess {self.settings.strategy.name} {self.state.value} ({alive})>"
