"""Is the workbench responsive while the live workload pushes tens of thousands of events
a second? Runs the real app headless and prints its figures; asserts nothing.

    python benchmarks/tui_responsiveness.py                # 30 s at 160x48
    python benchmarks/tui_responsiveness.py --size 80x24   # the learner's terminal
    python benchmarks/tui_responsiveness.py --minutes 10   # the long memory run

Measured:
- events per second the live run records (wall clock), against the 50,000 target;
- timer frames and actual screen renders (compositor refreshes) per second, against 60;
- key press to action latency: a key event is posted every 100 ms while the workload runs
  and the time until its action executes is recorded (median and p95);
- resident memory (RSS) sampled over the run: it must stay flat.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import time
from pathlib import Path

from textual import events
from textual.screen import Screen

from workbench.session.settings import LiveSettings
from workbench.tui.app import WorkbenchApp

# Fast enough that the simulation runs flat out: what the screen sees is as much as the
# engine can produce on one core.
SETTINGS = LiveSettings(writers=8, readers=64, keys=8, speed=3.0)


def rss_mb(pid: int | str = "self") -> float:
    pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


async def measure(seconds: float, size: tuple[int, int]) -> None:
    renders = 0
    original = Screen._compositor_refresh

    def counting(self: Screen) -> None:  # type: ignore[type-arg]
        nonlocal renders
        renders += 1
        original(self)

    Screen._compositor_refresh = counting  # type: ignore[method-assign]
    app = WorkbenchApp(SETTINGS)
    latencies: list[float] = []
    posted: list[float] = []
    frames = 0
    slowest = 0.0
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        live = app.live
        original_frame = live._frame

        def counting_frame() -> None:
            nonlocal frames, slowest
            frames += 1
            began = time.perf_counter()
            original_frame()
            if frames_at_warm:
                slowest = max(slowest, time.perf_counter() - began)

        live._frame = counting_frame  # type: ignore[method-assign]
        live._timer.stop()  # type: ignore[union-attr]
        live._timer = live.set_interval(1 / 60, counting_frame, pause=True)
        original_zoom = app.action_zoom

        def timed_zoom(steps: int) -> None:
            if posted:
                latencies.append(time.perf_counter() - posted.pop())
            original_zoom(steps)

        app.action_zoom = timed_zoom  # type: ignore[method-assign]
        live.toggle()
        began = time.perf_counter()
        child = live.run.pid  # type: ignore[attr-defined]

        def sample(at: float) -> tuple[float, float, float]:
            return at, rss_mb(), rss_mb(child)

        samples = [sample(0.0)]
        next_sample = 60.0
        warmup_until = began + 2.0
        frames_at_warm = renders_at_warm = events_at_warm = 0
        warm_time = began
        key = 0
        while (now := time.perf_counter()) - began < seconds:
            if now >= warmup_until and not frames_at_warm:
                frames_at_warm, renders_at_warm = frames, renders
                events_at_warm = live.run.stats().events
                warm_time = now
            posted.append(time.perf_counter())
            name = "plus" if key % 2 else "minus"
            app.post_message(events.Key(name, "+" if key % 2 else "-"))
            key += 1
            await asyncio.sleep(0.1)
            if now - began >= next_sample:
                samples.append(sample(now - began))
                next_sample += 60.0
        elapsed = time.perf_counter() - warm_time
        total_events = live.run.stats().events - events_at_warm
        samples.append(sample(time.perf_counter() - began))
        live.run.pause()
        stats = live.run.stats()
    Screen._compositor_refresh = original  # type: ignore[method-assign]

    print(
        f"workload: {SETTINGS.writers} writers, {SETTINGS.readers} readers, "
        f"{SETTINGS.keys} keys, speed {SETTINGS.speed:g}x, terminal {size[0]}x{size[1]}, "
        f"{seconds:.0f} s (first 2 s not counted)"
    )
    print(
        f"events recorded: {total_events / elapsed:,.0f} per second "
        f"(target 50,000); {stats.reads:,} reads judged, {stats.stale:,} stale"
    )
    print(
        f"frames: {(frames - frames_at_warm) / elapsed:.1f} per second; screen renders: "
        f"{(renders - renders_at_warm) / elapsed:.1f} per second (target ~60); "
        f"slowest frame {slowest * 1000:.0f} ms"
    )
    if latencies:
        ms = sorted(v * 1000 for v in latencies)
        p95 = ms[int(0.95 * (len(ms) - 1))]
        print(
            f"key press -> action: median {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, "
            f"max {ms[-1]:.1f} ms over {len(ms)} presses (target: median < 50 ms)"
        )
    print(
        "resident memory, screen + simulation process: "
        + ", ".join(f"{t:.0f}s {ui:.0f}+{sim:.0f} MB" for t, ui, sim in samples)
    )
    base = samples[1] if len(samples) > 2 else samples[0]
    last = samples[-1]
    print(
        f"memory growth after the first minute: screen {last[1] - base[1]:+.1f} MB, "
        f"simulation {last[2] - base[2]:+.1f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--minutes", type=float, default=None)
    parser.add_argument("--size", default="160x48", help="terminal COLSxROWS")
    args = parser.parse_args()
    seconds = args.minutes * 60 if args.minutes else args.seconds
    cols, rows = (int(v) for v in args.size.split("x"))
    asyncio.run(measure(seconds, (cols, rows)))


if __name__ == "__main__":
    main()
