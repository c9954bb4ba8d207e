"""The live run's controls: strategy selector and knobs, each validated where it is typed.

A knob applies when you press Enter in it (a bad value is shown in red with what is
allowed, and is not applied); the strategy applies as soon as it is picked. Changes travel
up as messages; the live pane decides what they mean for the run.

The first screen shows a sketch of the fields (``controls_sketch.py``): the real ones are
some sixty widgets, and the app builds them right after its first paint (``build``).
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Label, Select, Static

from cache.errors import describe
from cache.redis_url import BadRedisUrl, RemoteRedisRefused, check_redis_url
from cache.strategies.base import Strategy
from cache.targets import SIMULATOR, Target
from workbench.session.settings import DEFAULT_REDIS_URL, LIVE_SETTINGS, LiveSettings, Setting
from workbench.tui.widgets.controls_sketch import ControlsSketch, Row

__all__ = ["Controls", "SettingValidator"]


class SettingValidator(Validator):
    """Checks one setting's text against its range, with the same words as the CLI."""

    def __init__(self, spec: Setting) -> None:
        super().__init__()
        self.spec = spec

    def validate(self, value: str) -> ValidationResult:
        try:
            self.spec.parse(value)
        except ValueError as error:
            return self.failure(str(error))
        return self.success()


_SECTION = "stage batches run on"
_BACKENDS = {"sim": "simulator", "redis": "Redis server"}  # the backend Select's options


def _format(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


class Controls(Vertical):
    """Strategy and knobs for the live run."""

    DEFAULT_CSS = """
    Controls { height: auto; }
    Controls .knob { height: 1; }
    Controls .knob Label { width: 10; color: $text-muted; }
    Controls Input { border: none; height: 1; padding: 0 1; width: 1fr; background: $boost; }
    /* One row: a border (Input's own, when focused or invalid) would take the row and hide
       the text being typed. Colour says focused or invalid instead. */
    Controls Input:focus { border: none; background: $accent 30%; }
    Controls Input.-invalid { border: none; background: $error 30%; }
    Controls Input.-invalid:focus { border: none; background: $error 50%; }
    Controls Select { margin: 0 0 1 0; }
    Controls #controls-error { color: $error; height: auto; }
    Controls .section { color: $text-muted; margin: 1 0 0 0; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave_field", "Leave field", tooltip="Back to the timeline's keys"),
    ]
    # How long a user's module may take to import before the field gives up on it (None:
    # the registry's ``IMPORT_TIMEOUT_S``).
    import_timeout: ClassVar[float | None] = None

    class SettingChanged(Message):
        """A knob was given a valid new value."""

        def __init__(self, name: str, value: float | int) -> None:
            super().__init__()
            self.name = name
            self.value = value

    class TargetChosen(Message):
        """Stage batches should run here from now on (the app checks it can connect)."""

        def __init__(self, target: Target) -> None:
            super().__init__()
            self.target = target

    class StrategyChosen(Message):
        """A strategy was picked (or loaded from ``module:Class``)."""

        def __init__(self, strategy: type[Strategy]) -> None:
            super().__init__()
            self.strategy = strategy

    def __init__(
        self,
        settings: LiveSettings,
        target: Target = SIMULATOR,
        *,
        allow_remote: bool = False,
        sketch: bool = True,
        id: str | None = None,
    ) -> None:
        """With ``sketch``, the fields are drawn by a ``ControlsSketch`` until ``build``."""
        super().__init__(id=id)
        self._settings = settings
        self._target = target
        self._allow_remote = allow_remote
        self._first_strategy = settings.strategy
        self._strategies: dict[str, type[Strategy]] = {}  # see ``_choices``
        self._built = not sketch

    def _choices(self) -> dict[str, type[Strategy]]:
        """The strategy selector's choices, by name. The registry loads every built-in
        strategy: that waits for the real fields, after the first screen."""
        if not self._strategies:
            from cache.strategies.registry import BUILTIN

            self._strategies.update(BUILTIN)
            self._strategies.setdefault(self._first_strategy.name, self._first_strategy)
        return self._strategies

    def compose(self) -> ComposeResult:
        if not self._built:
            yield self._sketch()
            return
        yield Select(
            [(name, name) for name in self._choices()],
            value=self._settings.strategy.name,
            allow_blank=False,
            id="strategy",
        )
        with Horizontal(classes="knob"):
            yield Label("load")
            yield Input(placeholder="module:Class", id="load-strategy")
        for spec in LIVE_SETTINGS:
            with Horizontal(classes="knob"):
                yield Label(spec.label)
                yield Input(
                    _format(getattr(self._settings, spec.name)),
                    validators=[SettingValidator(spec)],
                    validate_on=["changed", "submitted"],
                    id=f"knob-{spec.name}",
                    tooltip=f"{spec.help} ({spec.describe_range()}); Enter applies",
                )
        yield Label(_SECTION, classes="section")
        yield Select(
            [(label, kind) for kind, label in _BACKENDS.items()],
            value=self._target.kind,
            allow_blank=False,
            id="backend",
        )
        with Horizontal(classes="knob"):
            yield Label("redis url")
            yield Input(
                self._url(),
                id="redis-url",
                tooltip="loopback only (127.0.0.1, ::1, localhost, unix://); Enter applies",
            )
        yield Static("", id="controls-error")

    def _url(self) -> str:
        target = self._target
        if target.kind == "sim":  # redis-py is imported for a server only: it is slow
            return DEFAULT_REDIS_URL
        from cache.redis_run import RedisServerTarget

        return target.url.url if isinstance(target, RedisServerTarget) else DEFAULT_REDIS_URL

    def _sketch(self) -> ControlsSketch:
        rows: list[Row] = [("load", "module:Class", True)]
        rows += [(s.label, _format(getattr(self._settings, s.name)), False) for s in LIVE_SETTINGS]
        return ControlsSketch(
            self._settings.strategy.name,
            rows,
            _SECTION,
            _BACKENDS.get(self._target.kind, self._target.kind),
            ("redis url", self._url(), False),
        )

    @property
    def built(self) -> bool:
        """Whether the real fields are there (the sketch is shown until ``build``)."""
        return self._built

    async def build(self) -> None:
        """Put the real fields where the sketch is. The app awaits this right after its
        first paint, in the queue every key and action waits behind, so none finds the
        sketch."""
        await self._mounted_event.wait()
        if self._built or not self.is_attached:
            return
        self._built = True
        await self.recompose()

    def _error(self, message: str) -> None:
        self.query_one("#controls-error", Static).update(message)
        if message:
            # The message is under the last field: at 80x24 it is below the sidebar's fold.
            self.call_after_refresh(self._show_error)

    def _show_error(self) -> None:
        """Scroll the message into sight, and the field being typed into back into sight if
        that scrolled it away (both stay in sight wherever the sidebar is tall enough)."""
        self.query_one("#controls-error", Static).scroll_visible(animate=False, immediate=True)
        focused = self.screen.focused
        if focused is not None and self in focused.ancestors:
            focused.scroll_visible(animate=False, immediate=True)

    @on(Input.Changed)
    def _validate_in_place(self, event: Input.Changed) -> None:
        if event.input.id in ("load-strategy", "redis-url"):
            return
        result = event.validation_result
        self._error("" if result is None or result.is_valid else result.failure_descriptions[0])

    @on(Input.Submitted)
    def _apply(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "load-strategy":
            self._load(event.value)
            return
        if event.input.id == "redis-url":
            if self.query_one("#backend", Select).value == "redis":
                self._choose_redis()
            return
        name = (event.input.id or "").removeprefix("knob-")
        spec = next(s for s in LIVE_SETTINGS if s.name == name)
        try:
            value = spec.parse(event.value)
        except ValueError as error:
            self._error(str(error))
            return
        self._error("")
        self.post_message(self.SettingChanged(name, value))

    def action_leave_field(self) -> None:
        """Escape: out of the field, so keys are the app's again (the timeline has focus)."""
        timelines = self.screen.query("Timeline")
        if timelines:
            timelines.first().focus()
        else:
            self.screen.set_focus(None)

    def _load(self, path: str) -> None:
        """Import a user's ``module:Class`` on a worker thread: a module that is slow (or
        sleeps, or exits) at import leaves the app running and says so."""
        if not path.strip():
            return
        self._error(f"loading {path.strip()}…")
        self.run_worker(
            self._load_in_background(path),
            name="load strategy",
            group="load-strategy",
            exclusive=True,
            exit_on_error=False,
        )

    async def _load_in_background(self, path: str) -> None:
        field = self.query_one("#load-strategy", Input)
        try:
            from cache.strategies.registry import IMPORT_TIMEOUT_S, load_strategy_async

            within = self.import_timeout if self.import_timeout is not None else IMPORT_TIMEOUT_S
            strategy = await load_strategy_async(path, within=within)
        except Exception as error:  # StrategyNotFound, or anything else: a message
            field.add_class("-invalid")
            self._error(describe(error))
            return
        field.remove_class("-invalid")
        field.value = ""
        self._error("")
        choices = self._choices()
        choices[strategy.name] = strategy
        self._settings = self._settings.with_value("strategy", strategy)
        select = self.query_one("#strategy", Select)
        select.set_options([(name, name) for name in choices])
        select.value = strategy.name
        self.post_message(self.StrategyChosen(strategy))

    @on(Select.Changed, "#backend")
    def _backend_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.value == "redis":
            self._choose_redis()
        elif self._target is not SIMULATOR:
            self._target = SIMULATOR
            self.post_message(self.TargetChosen(SIMULATOR))

    def _choose_redis(self) -> None:
        field = self.query_one("#redis-url", Input)
        try:
            url = check_redis_url(field.value, allow_remote=self._allow_remote)
        except (BadRedisUrl, RemoteRedisRefused) as error:
            field.add_class("-invalid")
            self._error(str(error))
            self.show_target(self._target)  # the selector says where batches really run
            return
        field.remove_class("-invalid")
        self._error("")
        from cache.redis_run import RedisServerTarget

        self._target = RedisServerTarget(url)
        self.post_message(self.TargetChosen(self._target))

    def show_target(self, target: Target) -> None:
        """Reflect a target set elsewhere (or one the app fell back from)."""
        self._target = target
        if not self._built:
            self.query_one(ControlsSketch).show_backend(_BACKENDS.get(target.kind, target.kind))
            return
        with self.prevent(Select.Changed):
            self.query_one("#backend", Select).value = target.kind

    @on(Select.Changed, "#strategy")
    def _choose(self, event: Select.Changed) -> None:
        event.stop()
        strategy = self._choices().get(str(event.value))
        if strategy is not None and strategy is not self._settings.strategy:
            self._settings = self._settings.with_value("strategy", strategy)
            self.post_message(self.StrategyChosen(strategy))
