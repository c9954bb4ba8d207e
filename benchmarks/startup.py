"""How fast the workbench starts, each figure beside its floor. Prints; asserts nothing.

    python benchmarks/startup.py

Each pair runs alternately (A, B, A, B, ...) in fresh processes; min and median of each,
and the ratio of the medians.

1. ``workbench run --runs 1`` against ``python -c "import anyio"``. Goal: within 2x.
2. The app's first screen (process start to the first frame, headless, 120x40) against a
   minimal Textual app's (a header, a label and a footer). Goal: within 1.5x.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

REPEATS = 9

_FIRST_SCREEN = """
import sys
from textual.app import App

async def leave(pilot):
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

    app = Minimal()
app.run(headless=True, size=(120, 40), auto_pilot=leave)
"""


def _time(command: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - began


def pair(name_a: str, a: list[str], name_b: str, b: list[str], goal: float) -> None:
    times_a: list[float] = []
    times_b: list[float] = []
    for _ in range(REPEATS):
        times_a.append(_time(a))
        times_b.append(_time(b))
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
    print(f"workbench run --runs 1 vs import anyio, {REPEATS} x A/B:")
    pair(
        "workbench run --runs 1",
        [py, "-m", "workbench", "run", "--runs", "1"],
        "python -c 'import anyio'",
        [py, "-c", "import anyio"],
        2.0,
    )
    print(f"first screen (headless, 120x40) vs a minimal Textual app, {REPEATS} x A/B:")
    pair(
        "the workbench",
        [py, "-c", _FIRST_SCREEN, "workbench"],
        "a minimal Textual app",
        [py, "-c", _FIRST_SCREEN, "minimal"],
        1.5,
    )


if __name__ == "__main__":
    main()
