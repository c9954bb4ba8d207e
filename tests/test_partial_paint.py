"""The live view repaints only the widgets under what changed, and the terminal receives
exactly what Textual's own compositor would have sent for the same changes."""

from __future__ import annotations

import random

import pytest
from rich.console import Console
from textual._compositor import Compositor
from textual.geometry import Region

from tests.apps import RecordingApp
from workbench.session.settings import LiveSettings
from workbench.tui.widgets.partial_paint import PartialCompositor

FAST = LiveSettings(writers=2, readers=16, keys=2, speed=0.5)


def painted(compositor: Compositor, kind: type[Compositor], dirty: set[Region]) -> str:
    """What ``kind``'s partial update writes to the terminal for ``dirty``."""
    compositor.__class__ = kind
    compositor._dirty_regions = set(dirty)
    update = compositor.render_partial_update()
    assert update is not None
    return update.render_segments(Console(width=compositor.size.width, color_system="truecolor"))


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_partial_updates_write_what_textual_would(size: tuple[int, int]) -> None:
    rng = random.Random(13)
    app = RecordingApp(FAST)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        compositor = app.screen._compositor
        assert type(compositor) is PartialCompositor
        live = app.live
        counter = live.query_one("#counter-figures")
        for _ in range(4):
            live.run_for(0.05)
            await pilot.pause()
            # The regions a live frame dirties (counter, timeline, log), and random ones.
            frame_regions = {
                w.region
                for w in (counter, live.timeline, live.query_one("#event-log"))
                if w.region.area
            }
            width, height = size
            random_regions = set()
            for _ in range(6):
                x, y = rng.randrange(width), rng.randrange(height)
                w, h = rng.randint(1, width - x), rng.randint(1, height - y)
                random_regions.add(Region(x, y, w, h))
            for dirty in (frame_regions, random_regions, {Region(0, 0, width, 3)}):
                for widget in compositor.visible_widgets:
                    widget._styles_cache.clear()  # both render everything afresh
                ours = painted(compositor, PartialCompositor, dirty)
                for widget in compositor.visible_widgets:
                    widget._styles_cache.clear()
                theirs = painted(compositor, Compositor, dirty)
                compositor.__class__ = PartialCompositor
                assert ours == theirs
