"""The live run in a separate process, so the simulation and the screen each get a core.

Python runs one thread at a time, so a simulation recording 50,000 events a second and a
screen redrawn many times a second compete for one core when they share a process. Here the
simulation runs in a child process (started with ``spawn``, which is safe beside the UI's
threads), digests what it records into bars and log lines (``workbench.feed``), and sends
them through a pipe, a batch per tick; the app drains the pipe once per frame. The child
paces itself by the wall clock and ``speed`` exactly as ``LiveRun`` does in-process, and
runs the same seeded simulation, so the interleaving is the same either way. No Textual is
imported here or in the child.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import threading
import time
from multiprocessing.connection import Connection
from typing import NamedTuple

from cache.stats import wilson
from workbench.feed import Frame, merge
from workbench.live import LiveRun, LiveState, LiveStats, RunStates
from workbench.settings import LiveSettings

__all__ = ["RemoteLiveRun"]

TICK = 1 / 60
DRAIN_LIMIT = 16  # batches taken per frame at most, so a backlog cannot stall a frame
_NO_STATS = LiveStats(0.0, 0, 0, 0, wilson(0, 0), {}, 0, 0, False, ())


class _Batch(NamedTuple):
    """What the child sends each tick, and in reply to every command."""

    acked: int  # the last command it has carried out
    frame: Frame | None
    stats: LiveStats
    state: str
    error: str | None


def _child(conn: Connection, settings: LiveSettings) -> None:
    """The child process: nothing it prints may reach the terminal the UI draws on."""
    devnull = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    sys.stdout = sys.stderr = devnull
    with contextlib.suppress(EOFError, OSError, KeyboardInterrupt):
        _serve(conn, settings)


class _Outbox:
    """Batches waiting for the pipe. A thread sends them, merging whatever piled up while
    the screen was busy, so the simulation never waits for the screen to read."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._pending: list[_Batch] = []
        self._ready = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._send_forever, daemon=True)
        self._thread.start()

    def put(self, batch: _Batch) -> None:
        with self._ready:
            self._pending.append(batch)
            self._ready.notify()

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
            last = pending[-1]
            frame = merge(b.frame for b in pending if b.frame is not None)
            try:
                self._conn.send(last._replace(frame=frame))
            except (OSError, ValueError):
                return


def _serve(conn: Connection, settings: LiveSettings) -> None:
    """Obey commands, advance by the wall clock, send what was recorded."""
    run = LiveRun(settings)
    acked = 0
    last = time.perf_counter()
    outbox = _Outbox(conn)

    def send() -> None:
        # The events are digested here, into bars and log lines: the screen's process
        # receives a few tuples a frame instead of every event.
        outbox.put(_Batch(acked, run.frame(), run.stats(), run.state.value, run.error))

    while True:
        timeout = 0.0 if run.state is LiveState.RUNNING else None
        while conn.poll(timeout):
            number, command, *args = conn.recv()
            timeout = 0.0
            if command == "quit":
                run.close()
                outbox.close()
                return
            if command == "reset":
                run.reset(args[0])
            elif command == "advance_virtual":
                run.advance_virtual(args[0])
            elif command == "speed":
                run.speed = args[0]
            else:
                getattr(run, command)()  # start, pause, stop
            acked = number
            last = time.perf_counter()
            send()
        if run.state is not LiveState.RUNNING:
            continue
        began = time.perf_counter()
        run.advance(min(began - last, 0.25), budget=TICK)
        last = began
        send()
        spare = TICK - (time.perf_counter() - began)
        if spare > 0:
            time.sleep(spare)  # nothing to do until the next tick of wall time


class RemoteLiveRun(RunStates):
    """``LiveEngine`` over a child process."""

    def __init__(self, settings: LiveSettings) -> None:
        self.settings = settings
        self._speed = settings.speed
        self.state = LiveState.READY
        self.error: str | None = None
        self._frames: list[Frame] = []
        self._stats = _NO_STATS
        self._sent = 0
        context = multiprocessing.get_context("spawn")
        self._conn, child_conn = context.Pipe()
        self._process = context.Process(
            target=_child, args=(child_conn, settings), name="race-workbench-live", daemon=True
        )
        self._process.start()
        child_conn.close()

    # -- commands ----------------------------------------------------------------------------

    def _command(self, command: str, *args: object) -> int:
        self._sent += 1
        try:
            self._conn.send((self._sent, command, *args))
        except (OSError, ValueError):
            self._lost("it no longer takes commands")
        return self._sent

    @property
    def speed(self) -> float:
        return self._speed

    @speed.setter
    def speed(self, value: float) -> None:
        self._speed = value
        self._command("speed", value)

    def _entered(self, state: LiveState) -> None:
        if state is LiveState.RUNNING:
            self._command("start")
        elif state is LiveState.PAUSED:
            self._command("pause")
        elif state is LiveState.STOPPED:
            self._wait_for(self._command("stop"))  # keep all it measured up to the stop

    def reset(self, settings: LiveSettings | None = None) -> None:
        if settings is not None:
            self.settings = settings
            self._speed = settings.speed
        self._wait_for(self._command("reset", self.settings), keep=False)
        self.state = LiveState.READY
        self.error = None
        self._frames.clear()
        self._stats = _NO_STATS

    def advance_virtual(self, seconds: float) -> None:
        self._wait_for(self._command("advance_virtual", seconds))
        if self.state is not LiveState.FAILED:
            self.state = LiveState.PAUSED

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._conn.send((self._sent + 1, "quit"))
        self._process.join(timeout=2)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=2)
        self._conn.close()

    # -- what the view reads -----------------------------------------------------------------

    def frame(self) -> Frame | None:
        frames, self._frames = self._frames, []
        return merge(frames)

    def stats(self) -> LiveStats:
        return self._stats

    def advance(self, wall_seconds: float, budget: float = 0.008) -> None:
        """Take what the child has sent since the last frame (it keeps its own time)."""
        try:
            for _ in range(DRAIN_LIMIT):
                if not self._conn.poll():
                    return
                self._take(self._conn.recv())
        except (EOFError, OSError):
            self._lost("it exited")

    def _wait_for(self, number: int, *, keep: bool = True) -> None:
        """Block until the child has carried out command ``number``."""
        try:
            while True:
                batch: _Batch = self._conn.recv()
                if keep:
                    self._take(batch)
                if batch.acked >= number:
                    return
        except (EOFError, OSError):
            self._lost("it exited")

    def _take(self, batch: _Batch) -> None:
        if batch.frame is not None:
            self._frames.append(batch.frame)
        self._stats = batch.stats
        if LiveState(batch.state) is LiveState.FAILED:
            self.state = LiveState.FAILED
            self.error = batch.error

    def _lost(self, why: str) -> None:
        self.state = LiveState.FAILED
        self.error = f"the simulation process stopped unexpectedly: {why}"

    def __repr__(self) -> str:
        alive = "alive" if self._process.is_alive() else "exited"
        return f"<RemoteLiveRun {self.settings.strategy.name} {self.state.value} ({alive})>"
