"""The live sidebar's first frame: a sketch of the controls that looks like them, and the
real fields in its place before the first key is handled."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from rich.color import Color
from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Input, Select

from tests.apps import RecordingApp
from workbench.session.settings import LiveSettings
from workbench.tui.app import WorkbenchApp
from workbench.tui.widgets.controls import Controls
from workbench.tui.widgets.controls_sketch import ControlsSketch

SIDEBAR_COLUMNS = 31  # the sidebar (30) and the border beside it

Cell = tuple[str, Color | None, Color | None, bool | None, bool | None]


def sidebar_cells(app: WorkbenchApp, rows: int) -> list[list[Cell]]:
    """What the screen shows in the sidebar, cell by cell, below the tabs and above the
    footer (those fill in after the first frame on their own): character, colours, bold and
    reverse (Textual draws a tall border's left edge reversed). A blank's colour is not
    seen."""
    cells = []
    for strip in app.screen._compositor.render_strips()[3 : rows - 1]:
        row: list[Cell] = []
        for segment in strip.crop(0, SIDEBAR_COLUMNS):
            style = segment.style
            for char in segment.text:
                color = None if char == " " or style is None else style.color
                bgcolor = None if style is None else style.bgcolor
                bold = None if style is None else style.bold
                reverse = None if style is None else style.reverse
                row.append((char, color, bgcolor, bold, reverse))
        cells.append(row)
    return cells


def screen_text(app: App[Any]) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_first_frame_shows_the_controls_as_they_look_once_built(
    monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    app = WorkbenchApp(LiveSettings(seed=4242, jitter=0.35))
    first_frame: list[list[list[Cell]]] = []
    build = Controls.build

    async def build_after_looking(self: Controls) -> None:
        # The app builds the fields right after its first paint: this is what was painted.
        first_frame.append(sidebar_cells(app, size[1]))
        assert app.query(ControlsSketch)
        await build(self)

    monkeypatch.setattr(Controls, "build", build_after_looking)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert not app.query(ControlsSketch)
        assert app.query_one("#knob-seed", Input).value == "4242"
        built = sidebar_cells(app, size[1])
    assert first_frame == [built]


class EarlyTypist(RecordingApp):
    """Presses shift+tab while the app is still starting (``run_test`` waits until it has)."""

    def on_mount(self) -> None:
        # Mount handlers run subclass first: by the time this callback posts the key, the
        # app's own start-up (and its build of the fields) is queued ahead of it.
        self.call_later(self.post_message, events.Key("shift+tab", None))


@pytest.mark.asyncio
async def test_a_key_pressed_during_start_up_reaches_the_real_fields() -> None:
    app = EarlyTypist()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        # From the timeline, shift+tab goes back to the sidebar's last field.
        assert app.focused is app.query_one("#redis-url", Input)


@pytest.mark.asyncio
async def test_a_target_set_before_the_fields_are_built_is_shown_by_them() -> None:
    from cache.redis_run import RedisServerTarget
    from cache.redis_url import check_redis_url
    from cache.targets import SIMULATOR

    class Sidebar(App[None]):
        def compose(self) -> ComposeResult:
            yield Controls(LiveSettings(), SIMULATOR, id="controls")

    app = Sidebar()
    async with app.run_test(size=(40, 30)) as pilot:
        controls = app.query_one(Controls)
        assert not controls.built  # only the app's start-up builds it
        url = check_redis_url("redis://127.0.0.1:6390/0")
        controls.show_target(RedisServerTarget(url))
        await pilot.pause()
        assert "Redis server" in screen_text(app)
        await controls.build()
        await pilot.pause()
        assert app.query_one("#backend", Select).value == "redis"
        assert app.query_one("#redis-url", Input).value == "redis://127.0.0.1:6390/0"


@pytest.fixture
def collector_restored() -> Iterator[None]:
    """Whatever the test finds, the tests after it get a working garbage collector."""
    import gc

    yield
    gc.enable()


@pytest.mark.asyncio
@pytest.mark.usefixtures("collector_restored")
async def test_the_garbage_collector_is_paused_for_the_first_screen_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc

    app = WorkbenchApp()
    during: list[bool] = []
    build = Controls.build

    async def build_after_looking(self: Controls) -> None:
        during.append(gc.isenabled())  # right after the first paint
        await build(self)

    monkeypatch.setattr(Controls, "build", build_after_looking)
    assert gc.isenabled()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.query("EvidencePane")  # the stages are built
        assert gc.isenabled()
    assert during == [False]
    assert gc.isenabled()


@pytest.mark.asyncio
@pytest.mark.usefixtures("collector_restored")
async def test_an_app_closed_before_its_stages_are_built_turns_the_collector_back_on() -> None:
    import gc

    class Quitter(WorkbenchApp):
        def on_mount(self) -> None:
            self.exit()

    async with Quitter().run_test(size=(80, 24)):
        pass
    assert gc.isenabled()
