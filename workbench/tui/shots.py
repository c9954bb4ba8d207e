"""Regenerate the README's screenshots with the app's own screenshot support.

    python -m workbench.tui.shots [--size 120x40] [--out screenshots]

Every view is driven headless through Textual's pilot on virtual time, so the pictures are
the same on every machine.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot

from workbench.tui.app import WorkbenchApp
from workbench.tui.panes.evidence import EvidencePane
from workbench.tui.panes.explore import ExplorePane
from workbench.tui.panes.hypothesis import HypothesisPane
from workbench.tui.panes.isolate import IsolatePane
from workbench.tui.panes.live import LivePane
from workbench.tui.panes.verify import VerifyPane

__all__ = ["VIEWS", "main", "prepare", "take"]

Step = Callable[[WorkbenchApp, Pilot[None]], Awaitable[None]]


async def _settle(app: WorkbenchApp, pilot: Pilot[None]) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()


async def live_view(app: WorkbenchApp, pilot: Pilot[None]) -> None:
    app.query_one(LivePane).run_for(0.4)
    await pilot.pause()
    app.action_stale(-1)
    await _settle(app, pilot)


async def evidence_view(app: WorkbenchApp, pilot: Pilot[None]) -> None:
    app.action_show_tab("evidence")
    app.query_one(EvidencePane).run_batch()
    await _settle(app, pilot)


async def replay_view(app: WorkbenchApp, pilot: Pilot[None]) -> None:
    await evidence_view(app, pilot)
    app.query_one(EvidencePane).open_run()
    await _settle(app, pilot)


async def isolate_view(app: WorkbenchApp, pilot: Pilot[None]) -> None:
    app.action_show_tab("isolate")
    pane = app.query_one(IsolatePane)
    pane.measure()
    await _settle(app, pilot)
    pane.bisect()
    await _settle(app, pilot)


async def hypothesis_view(app: WorkbenchApp, pilot: Pilot[None]) -> None:
    app.action_show_tab("hypothesis")
    pane = app.query_one(HypothesisPane)
    pane.query_one("#hypothesis-text").value = "window"  # type: ignore[attr-defined]
    await pilot.pause()
    pane.experiment()
    await _settle(app, pilot)
    pane.try_fix()
    await _settle(app, pilot)


async def verify_view(app: WorkbenchApp, pilot: Pilot[None]) -> None:
    app.action_show_tab("verify")
    pane = app.query_one(VerifyPane)
    pane.verify()
    await _settle(app, pilot)
    pane.compare()
    await _settle(app, pilot)


async def guide_view(app: WorkbenchApp, pilot: Pilot[None]) -> None:
    app.action_toggle_guide()
    app.action_guide_next()
    await replay_view(app, pilot)
    app.action_stale(1)
    await _settle(app, pilot)


async def by_hand_view(app: WorkbenchApp, pilot: Pilot[None]) -> None:
    app.action_by_hand()
    await pilot.pause()
    await pilot.press("1", "1", "1", "2", "2", "2")
    await _settle(app, pilot)


async def explore_view(app: WorkbenchApp, pilot: Pilot[None]) -> None:
    app.action_show_tab("explore")
    pane = app.query_one(ExplorePane)
    pane.show_timing = False  # schedules per second depend on the machine
    pane.run_search()
    await _settle(app, pilot)


VIEWS: dict[str, Step] = {
    "live": live_view,
    "replay": replay_view,
    "evidence": evidence_view,
    "isolate": isolate_view,
    "hypothesis": hypothesis_view,
    "verify": verify_view,
    "guide": guide_view,
    "by-hand": by_hand_view,
    "explore": explore_view,
}


async def prepare(name: str, app: WorkbenchApp, pilot: Pilot[None]) -> None:
    """Bring ``app`` to view ``name`` and still it: no toasts (they time out on a wall
    clock) and no focus (a blinking cursor), so the picture is the same every time."""
    await pilot.pause()
    await VIEWS[name](app, pilot)
    app.clear_notifications()
    app.screen.set_focus(None)
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()


async def take(name: str, size: tuple[int, int], out: Path) -> Path:
    """Drive a fresh app to view ``name`` and save its screenshot in ``out``."""
    app = WorkbenchApp()
    async with app.run_test(size=size) as pilot:
        await prepare(name, app, pilot)
        filename = f"{name}-{size[0]}x{size[1]}.svg"
        return Path(app.save_screenshot(filename, str(out)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size",
        action="append",
        default=None,
        help="COLSxROWS (repeatable; default 120x40 and 80x24)",
    )
    parser.add_argument("--out", default="screenshots", type=Path)
    parser.add_argument("views", nargs="*", default=list(VIEWS))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    sizes = args.size or ["120x40", "80x24"]
    for text in sizes:
        cols, rows = (int(v) for v in text.split("x"))
        for name in args.views:
            print(asyncio.run(take(name, (cols, rows), args.out)))


if __name__ == "__main__":
    main()
