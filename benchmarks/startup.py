"""How fast the workbench starts, each figure beside its floor. Prints; asserts nothing.

    python benchmarks/startup.py

Each pair runs alternately (A, B, A, B, ...) in fresh processes; min and median of each,
and the ratio of the medians. Each command runs once, untimed, before its pair: a user's
first start writes the bytecode (``__pycache__``) every later start reads, and so does that
run here (``PYTHONDONTWRITEBYTECODE`` is removed from the commands' environment: with it
set, and no bytecode yet, every start would compile the workbench's ~100 modules afresh,
which a user's install never does twice; the installed packages, Textual included, have
their bytecode from pip).

1. ``workbench run --runs 1`` against ``python -c "import anyio"``. Goal: within 2x.
2. The app's first screen against a minimal Textual app's (a header, a label and a footer):
   from starting the process to the first frame painted (headless, 120x40), as the app's
   trace reports it (``RACE_WORKBENCH_TRACE``, ``workbench/tui/trace.py``; both apps are
   traced alike), both painting at most as often as the workbench does (``TEXTUAL_FPS``).
   Goal: within 1.5x. What the workbench builds after its first screen (the
   stage tabs) is not counted; the time to exit, which includes it, is printed beside.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from workbench.tui import PAINTS_PER_SECOND
from workbench.tui.trace import TRACE_ENV

REPEATS = 9

_FIRST_SCREEN = """
import sys
from textual.app import App
from workbench.tui import trace

async def leave(pilot):
    await pilot.pause()  # until the screen has settled and painted
    pilot.app.exit()

if sys.argv[1] == "workbench":
    from workbench.tui.app import WorkbenchApp
    app = WorkbenchApp()
else:
    from textual.widgets import Footer, Header, Label

    class Minimal(App[None]):
        def compose(self):
            yield Header()
            yield Label("hello")
            yield Footer()

        def on_mount(self):
            trace.install(self, lambda: 0)

    app = Minimal()
app.run(headless=True, size=(120, 40), auto_pilot=leave)
"""


# The commands' environment: a user's, who writes bytecode (see the docstring). Both apps
# paint on the same grid of ticks, the workbench's (a user's own TEXTUAL_FPS wins): the
# first frame waits for a tick, and the command imports Textual before the workbench
# could set its default.
_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
_ENV.setdefault("TEXTUAL_FPS", PAINTS_PER_SECOND)


def _time(command: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=_ENV)
    return time.perf_counter() - began


_exits: dict[str, list[float]] = {}


def _first_paint(command: list[str]) -> float:
    """Seconds from starting ``command`` to its first painted frame (from its trace)."""
    trace = Path(tempfile.mkstemp(prefix="rwb-start-")[1])
    began = time.monotonic()
    subprocess.run(
        command, check=True, stdout=subprocess.DEVNULL, env={**_ENV, TRACE_ENV: str(trace)}
    )
    _exits.setdefault(command[-1], []).append(time.monotonic() - began)
    paints = [line for line in trace.read_text().splitlines() if line.startswith("p ")]
    trace.unlink()
    return float(paints[0].split()[1]) - began


def pair(
    name_a: str, a: list[str], name_b: str, b: list[str], goal: float, timer: object = _time
) -> None:
    measure = _time if timer is _time else _first_paint
    for command in (a, b):  # untimed: writes the bytecode a user's first start writes
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=_ENV)
    times_a: list[float] = []
    times_b: list[float] = []
    for _ in range(REPEATS):
        times_a.append(measure(a))
        times_b.append(measure(b))
    med_a, med_b = statistics.median(times_a), statistics.median(times_b)
    ratio = med_a / med_b
    print(f"  {name_a:<22}: min {min(times_a) * 1000:.0f} ms, median {med_a * 1000:.0f} ms")
    print(f"  {name_b:<22}: min {min(times_b) * 1000:.0f} ms, median {med_b * 1000:.0f} ms")
    print(
        f"  ratio: {ratio:.2f}x (medians), {min(times_a) / min(times_b):.2f}x (mins); "
        f"goal <= {goal:g}x: {'met' if ratio <= goal else 'NOT met'}"
    )


def main() -> None:
    py = sys.executable
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"workbench run --runs 1 vs import anyio, {REPEATS} x A/B:")
    pair(
        "workbench run --runs 1",
        [py, "-m", "workbench", "run", "--runs", "1"],
        "python -c 'import anyio'",
        [py, "-c", "import anyio"],
        2.0,
    )
    print(f"first screen painted (headless, 120x40) vs a minimal Textual app, {REPEATS} x A/B:")
    pair(
        "the workbench",
        [py, "-c", _FIRST_SCREEN, "workbench"],
        "a minimal Textual app",
        [py, "-c", _FIRST_SCREEN, "minimal"],
        1.5,
        timer=_first_paint,
    )
    for name, times in _exits.items():
        median = statistics.median(times) * 1000
        print(f"  ({name}: start to exit, everything built: median {median:.0f} ms)")
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
