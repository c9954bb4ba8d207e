"""Is the workbench responsive while the live workload pushes as hard as it can? Runs the
real ``workbench`` in a real terminal (tmux), types keys into it, and prints what it measured,
each figure beside its floor. Asserts nothing.

    python benchmarks/tui_responsiveness.py                  # 3 x 15 s at 80x24 and 160x48
    python benchmarks/tui_responsiveness.py --size 160x48 --seconds 30 --repeats 5
    python benchmarks/tui_responsiveness.py --minutes 3      # memory over a long run

Each repetition runs, one after the other (A, B, C, A, B, C, ...):

A. ``workbench --start`` (the live workload flat out) in a tmux pane of the given size, with
   ``RACE_WORKBENCH_TRACE`` set: the app appends a line each time a key event has been through
   it (the last one is when its action ran) and one each time it actually paints the terminal
   (``workbench/tui/trace.py``). Every 100 ms the
   benchmark types ``+`` or ``-`` (zoom) with ``tmux send-keys``, noting when it sent each one.
   Key i's latency is from its own send time to the first paint after the app handled key i
   (keys are paired in order; tmux loses none). Frames/s counts paints; events/s is the rise
   of the events the screen shows, between paints, over the wall clock.
B. The floor for frames and keys: a minimal Textual app in the same terminal (a header, a
   log that gets a line and a label that changes every 1/60 s, the same keys), traced alike.
C. The floor for events/s: the same live simulation stepped in this process with nothing
   packed, sent or drawn (what the engine alone produces on one core).

CPU: the app's CPU time per painted frame and the child's share of a core, from /proc: on
a loaded machine frames/s say how much CPU the app got, CPU per frame says what a frame costs.

Memory: resident set of the app and of its simulation child, sampled every 5 s. The first
5 s of each run are not counted (start-up).
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from workbench.session.live import LiveRun
from workbench.session.settings import LiveSettings
from workbench.tui import PAINTS_PER_SECOND
from workbench.tui.trace import TRACE_ENV

WORKLOAD = ["--writers", "8", "--readers", "64", "--keys", "8", "--speed", "3"]
SETTINGS = LiveSettings(writers=8, readers=64, keys=8, speed=3.0)
WARMUP = 5.0  # start-up (and the stage tabs built behind the first screen) not counted
KEY_EVERY = 0.1
# What both apps may paint a second: the workbench's default, or the user's TEXTUAL_FPS.
PAINT_CAP = os.environ.get("TEXTUAL_FPS", PAINTS_PER_SECOND)
GOALS = (
    "goals: events/s >= 100,000; frames/s 60 at 80x24, >= 45 at 160x48; "
    "key-to-screen median < 20 ms, p95 < 50 ms; memory flat after 1 min, < 150 MB together"
)

_FLOOR_APP = """
import sys
from textual.app import App
from textual.widgets import Header, Label, Log
from workbench.tui import trace

class Floor(App[None]):
    BINDINGS = [("plus", "zoom(-1)"), ("minus", "zoom(1)")]

    def compose(self):
        yield Header()
        yield Label("0", id="n")
        yield Log(id="log")

    def on_mount(self):
        self.n = 0
        self.zoom = 0
        trace.install(self, lambda: self.n)
        self.set_interval(1 / 60, self.tick)

    def tick(self):
        self.n += 1
        self.query_one("#n", Label).update(f"{self.n} zoom {self.zoom}")
        self.query_one(Log).write_line(f"line {self.n}")

    def action_zoom(self, step):
        self.zoom += step
        self.query_one("#n", Label).update(f"{self.n} zoom {self.zoom}")

Floor().run()
"""


@dataclass
class Run:
    """What one run in the terminal measured."""

    fps: float
    events_per_s: float
    latencies_ms: list[float]
    memory: list[tuple[float, float, float]] = field(default_factory=list)  # t, app, child
    cpu_ms_per_frame: float = float("nan")  # the app's CPU time per painted frame
    child_cpu_share: float = float("nan")  # of one core, the simulation child's


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of ``pid`` so far (0 if it is gone)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, IndexError):
        return 0.0
    return pages * resource.getpagesize() / 2**20


def simulation_child(pid: int) -> int | None:
    """The app's live-run process (not multiprocessing's resource tracker)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return None
    for child in map(int, children):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in cmdline:
            return child
    return None


_SESSIONS = itertools.count()


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout


def in_terminal(command: list[str], size: tuple[int, int], seconds: float) -> Run:
    """Run ``command`` in a tmux pane, type keys into it, and read its trace."""
    trace = Path(tempfile.mkstemp(prefix="rwb-trace-")[1])
    session = f"rwb-bench-{os.getpid()}-{next(_SESSIONS)}"
    # The floor app paints as often as the workbench may (Textual's TEXTUAL_FPS).
    env = f"TERM=xterm-256color {TRACE_ENV}={trace} TEXTUAL_FPS={PAINT_CAP}"
    line = " ".join(command)
    for attempt in range(3):
        # Killing the last session ends the tmux server; a new session started while it is
        # going away fails, so try again a moment later.
        try:
            tmux(
                "new-session",
                "-d",
                "-s",
                session,
                "-x",
                str(size[0]),
                "-y",
                str(size[1]),
                f"{env} exec {line}",
            )
            break
        except subprocess.CalledProcessError:
            if attempt == 2:
                raise
            time.sleep(0.5)
    pid = int(tmux("display", "-p", "-t", session, "#{pane_pid}").strip())
    sent: list[float] = []
    memory: list[tuple[float, float, float]] = []
    cpu_at: tuple[float, float] | None = None  # app and child CPU seconds when counting began
    cpu_end = (0.0, 0.0)
    try:
        began = time.monotonic()
        next_sample = began
        key = 0
        while (now := time.monotonic()) - began < seconds:
            if now >= next_sample:
                child = simulation_child(pid)
                memory.append((now - began, rss_mb(pid), rss_mb(child) if child else 0.0))
                next_sample += 5.0
            if now - began >= WARMUP:
                if cpu_at is None:
                    cpu_at = (cpu_seconds(pid), cpu_seconds(simulation_child(pid)))
                sent.append(time.monotonic())
                tmux("send-keys", "-t", session, "-l", "+" if key % 2 else "-")
                key += 1
            time.sleep(KEY_EVERY)
        ended = time.monotonic()
        cpu_end = (cpu_seconds(pid), cpu_seconds(simulation_child(pid)))
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False, capture_output=True)
    paints: list[tuple[float, int]] = []
    # Per key event, in order of arrival: its first and its last pass through the app.
    handled_by_key: dict[str, tuple[float, float]] = {}
    for text in trace.read_text().splitlines():
        parts = text.split()
        if parts[0] == "p":
            paints.append((float(parts[1]), int(parts[2])))
        elif parts[0] == "k":
            at = float(parts[2])
            handled_by_key[parts[1]] = (handled_by_key.get(parts[1], (at, at))[0], at)
    trace.unlink()
    # Keys the terminal itself reported while the app started are not ours.
    first_sent = sent[0] if sent else ended
    handled = [last for first, last in handled_by_key.values() if first >= first_sent]
    window = [(t, n) for t, n in paints if began + WARMUP <= t <= ended]
    span = ended - (began + WARMUP)
    fps = len(window) / span
    events = 0.0
    if len(window) > 1:
        events = (window[-1][1] - window[0][1]) / (window[-1][0] - window[0][0])
    latencies = []
    times = [t for t, _ in paints]
    for send, done in zip(sent, handled, strict=False):
        shown = next((t for t in times if t >= done), None)  # the paint that showed it
        if shown is not None:
            latencies.append((shown - send) * 1000.0)
    missing = len(sent) - len(latencies)
    if missing:
        print(f"    ({missing} of {len(sent)} keys never showed on screen)")
    run = Run(fps, events, latencies, memory)
    if cpu_at is not None and window:
        run.cpu_ms_per_frame = (cpu_end[0] - cpu_at[0]) * 1000.0 / len(window)
        run.child_cpu_share = (cpu_end[1] - cpu_at[1]) / span
    return run


def engine_alone(seconds: float) -> tuple[float, float]:
    """Events/s of the live simulation stepped here, nothing packed, sent or drawn, and the
    share of a core this process got meanwhile."""
    run = LiveRun(SETTINGS)
    run.start()
    began = last = time.perf_counter()
    counted_from = began + WARMUP
    cpu_from = time.process_time()
    events_at = 0
    while (now := time.perf_counter()) - began < seconds:
        run.step(min(now - last, 0.25), budget=1 / 60)
        last = now
        if events_at == 0 and now >= counted_from:
            events_at, counted_from = run.simulation.history.total, now
            cpu_from = time.process_time()
    total = run.simulation.history.total - events_at
    elapsed = time.perf_counter() - counted_from
    share = (time.process_time() - cpu_from) / elapsed
    run.close()
    return total / elapsed, share


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[int(0.95 * (len(ordered) - 1))] if ordered else float("nan")


def show(name: str, values: list[float], unit: str, fmt: str = ",.1f") -> str:
    if not values:
        return f"  {name:<34} (nothing measured)"
    return (
        f"  {name:<34} min {min(values):{fmt}} {unit}, median {statistics.median(values):{fmt}}"
        f" {unit}, max {max(values):{fmt}} {unit}"
    )


def compare(size: tuple[int, int], seconds: float, repeats: int) -> None:
    py = sys.executable
    app = [py, "-m", "workbench", "--start", *WORKLOAD]
    floor = [py, "-c", _shell_quote(_FLOOR_APP)]
    runs: list[Run] = []
    floors: list[Run] = []
    engine: list[float] = []
    engine_share: list[float] = []
    for i in range(repeats):
        print(f"  repetition {i + 1}/{repeats}: workbench, floor app, engine alone ...", flush=True)
        runs.append(in_terminal(app, size, seconds))
        floors.append(in_terminal(floor, size, seconds))
        rate, share = engine_alone(min(seconds, 10.0))
        engine.append(rate)
        engine_share.append(share)
    print(
        f"terminal {size[0]}x{size[1]}, {repeats} x {seconds:.0f} s each, A/B/C alternating, "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores, both apps "
        f"painting at most {PAINT_CAP} times a second (TEXTUAL_FPS)"
    )
    print(show("events/s shown (workbench)", [r.events_per_s for r in runs], "", ",.0f"))
    print(show("events/s, engine alone (floor)", engine, "", ",.0f"))
    print(show("frames painted/s (workbench)", [r.fps for r in runs], ""))
    print(show("frames painted/s (floor app)", [r.fps for r in floors], ""))
    print(
        show(
            "key-to-screen median ms (workbench)",
            [statistics.median(r.latencies_ms) for r in runs if r.latencies_ms],
            "ms",
        )
    )
    print(
        show(
            "key-to-screen median ms (floor app)",
            [statistics.median(r.latencies_ms) for r in floors if r.latencies_ms],
            "ms",
        )
    )
    print(
        show(
            "key-to-screen p95 ms (workbench)",
            [p95(r.latencies_ms) for r in runs if r.latencies_ms],
            "ms",
        )
    )
    print(
        show(
            "key-to-screen p95 ms (floor app)",
            [p95(r.latencies_ms) for r in floors if r.latencies_ms],
            "ms",
        )
    )
    print(show("app CPU ms per painted frame", [r.cpu_ms_per_frame for r in runs], "ms"))
    print(show("app CPU ms per frame (floor app)", [f.cpu_ms_per_frame for f in floors], "ms"))
    print(show("simulation child, share of a core", [r.child_cpu_share for r in runs], "", ".2f"))
    print(show("engine alone, share of a core", engine_share, "", ".2f"))
    # Per CPU-second, which the load disturbs far less than per second.
    print(
        show(
            "events per CPU-second, child",
            [r.events_per_s / r.child_cpu_share for r in runs if r.child_cpu_share > 0],
            "",
            ",.0f",
        )
    )
    print(
        show(
            "events per CPU-second, engine alone",
            [e / c for e, c in zip(engine, engine_share, strict=True) if c > 0],
            "",
            ",.0f",
        )
    )
    last = [r.memory[-1] for r in runs if r.memory]
    print(show("memory, app + child MB (workbench)", [a + c for _, a, c in last], "MB"))
    print(show("memory, app MB (floor app)", [f.memory[-1][1] for f in floors if f.memory], "MB"))


def long_run(size: tuple[int, int], minutes: float) -> None:
    py = sys.executable
    run = in_terminal([py, "-m", "workbench", "--start", *WORKLOAD], size, minutes * 60)
    print(
        f"terminal {size[0]}x{size[1]}, {minutes:g} min, load average "
        f"{os.getloadavg()[0]:.1f}: {run.events_per_s:,.0f} events/s, {run.fps:.1f} frames/s, "
        f"key-to-screen median {statistics.median(run.latencies_ms):.1f} ms, "
        f"p95 {p95(run.latencies_ms):.1f} ms"
    )
    print(
        "resident memory, app + simulation child: "
        + ", ".join(f"{t:.0f}s {a:.0f}+{c:.0f}" for t, a, c in run.memory[::2])
    )
    after = [m for m in run.memory if m[0] >= 60]
    if len(after) > 1:
        print(
            f"growth after the first minute: app {after[-1][1] - after[0][1]:+.1f} MB, "
            f"child {after[-1][2] - after[0][2]:+.1f} MB; "
            f"together at the end {after[-1][1] + after[-1][2]:.0f} MB"
        )


def _shell_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--minutes", type=float, default=None, help="one long run, for memory")
    parser.add_argument("--size", action="append", help="terminal COLSxROWS (repeatable)")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        sys.exit("this benchmark types into a real terminal: it needs tmux")
    sizes = [tuple(int(v) for v in s.split("x")) for s in (args.size or ["80x24", "160x48"])]
    print(GOALS)
    for cols, rows in sizes:
        if args.minutes:
            long_run((cols, rows), args.minutes)
        else:
            compare((cols, rows), args.seconds, args.repeats)


if __name__ == "__main__":
    main()
