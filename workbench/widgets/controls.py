"""The live run's controls: strategy selector and knobs, each validated where it is typed.

A knob applies when you press Enter in it (a bad value is shown in red with what is
allowed, and is not applied); the strategy applies as soon as it is picked. Changes travel
up as messages; the live pane decides what they mean for the run.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Label, Select, Static

from cache.redis_url import BadRedisUrl, RemoteRedisRefused
from cache.strategies.base import Strategy
from cache.strategies.registry import BUILTIN, StrategyNotFound, load_strategy
from workbench.backend_choice import SIM, BackendChoice
from workbench.settings import KNOBS, KnobSpec, LiveSettings, parse_knob

__all__ = ["DEFAULT_REDIS_URL", "Controls"]

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


class KnobValidator(Validator):
    """Checks one knob's text against its range, with the same words as the CLI."""

    def __init__(self, spec: KnobSpec) -> None:
        super().__init__()
        self.spec = spec

    def validate(self, value: str) -> ValidationResult:
        try:
            parse_knob(self.spec, value)
        except ValueError as error:
            return self.failure(str(error))
        return self.success()


def _format(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


class Controls(Vertical):
    """Strategy and knobs for the live run."""

    DEFAULT_CSS = """
    Controls { height: auto; }
    Controls .knob { height: 1; }
    Controls .knob Label { width: 10; color: $text-muted; }
    Controls Input { border: none; height: 1; padding: 0 1; width: 1fr; background: $boost; }
    Controls Input:focus { background: $accent 30%; }
    Controls Input.-invalid { background: $error 30%; }
    Controls Select { margin: 0 0 1 0; }
    Controls #controls-error { color: $error; height: auto; }
    Controls .section { color: $text-muted; margin: 1 0 0 0; }
    """

    class KnobChanged(Message):
        """A knob was given a valid new value."""

        def __init__(self, name: str, value: float | int) -> None:
            super().__init__()
            self.name = name
            self.value = value

    class BackendChosen(Message):
        """Stage batches should run here from now on (the app checks it can connect)."""

        def __init__(self, backend: BackendChoice) -> None:
            super().__init__()
            self.backend = backend

    class StrategyChosen(Message):
        """A strategy was picked (or loaded from ``module:Class``)."""

        def __init__(self, strategy: type[Strategy]) -> None:
            super().__init__()
            self.strategy = strategy

    def __init__(
        self,
        settings: LiveSettings,
        backend: BackendChoice = SIM,
        *,
        allow_remote: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._settings = settings
        self._backend = backend
        self._allow_remote = allow_remote
        self._strategies: dict[str, type[Strategy]] = dict(BUILTIN)
        self._strategies.setdefault(settings.strategy.name, settings.strategy)

    def compose(self) -> ComposeResult:
        yield Select(
            [(name, name) for name in self._strategies],
            value=self._settings.strategy.name,
            allow_blank=False,
            id="strategy",
        )
        with Horizontal(classes="knob"):
            yield Label("load")
            yield Input(placeholder="module:Class", id="load-strategy")
        for spec in KNOBS:
            with Horizontal(classes="knob"):
                yield Label(spec.label)
                yield Input(
                    _format(getattr(self._settings, spec.name)),
                    validators=[KnobValidator(spec)],
                    validate_on=["changed", "submitted"],
                    id=f"knob-{spec.name}",
                    tooltip=f"{spec.help} ({spec.describe_range()}); Enter applies",
                )
        yield Label("stage batches run on", classes="section")
        yield Select(
            [("simulator", "sim"), ("Redis server", "redis")],
            value="redis" if self._backend.is_redis else "sim",
            allow_blank=False,
            id="backend",
        )
        with Horizontal(classes="knob"):
            yield Label("redis url")
            target = self._backend.target
            yield Input(
                target.url if target is not None else DEFAULT_REDIS_URL,
                id="redis-url",
                tooltip="loopback only (127.0.0.1, ::1, localhost, unix://); Enter applies",
            )
        yield Static("", id="controls-error")

    def show_settings(self, settings: LiveSettings) -> None:
        """Reflect ``settings`` (set elsewhere, e.g. a preset) in the fields."""
        self._settings = settings
        for spec in KNOBS:
            self.query_one(f"#knob-{spec.name}", Input).value = _format(
                getattr(settings, spec.name)
            )

    def _error(self, message: str) -> None:
        self.query_one("#controls-error", Static).update(message)

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
        spec = next(s for s in KNOBS if s.name == name)
        try:
            value = parse_knob(spec, event.value)
        except ValueError as error:
            self._error(str(error))
            return
        self._error("")
        self.post_message(self.KnobChanged(name, value))

    def _load(self, path: str) -> None:
        field = self.query_one("#load-strategy", Input)
        try:
            strategy = load_strategy(path)
        except StrategyNotFound as error:
            field.add_class("-invalid")
            self._error(str(error))
            return
        field.remove_class("-invalid")
        field.value = ""
        self._error("")
        self._strategies[strategy.name] = strategy
        self._settings = self._settings.with_value("strategy", strategy)
        select = self.query_one("#strategy", Select)
        select.set_options([(name, name) for name in self._strategies])
        select.value = strategy.name
        self.post_message(self.StrategyChosen(strategy))

    @on(Select.Changed, "#backend")
    def _backend_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.value == "redis":
            self._choose_redis()
        elif self._backend.is_redis:
            self._backend = SIM
            self.post_message(self.BackendChosen(SIM))

    def _choose_redis(self) -> None:
        field = self.query_one("#redis-url", Input)
        try:
            choice = BackendChoice.redis(field.value, allow_remote=self._allow_remote)
        except (BadRedisUrl, RemoteRedisRefused) as error:
            field.add_class("-invalid")
            self._error(str(error))
            return
        field.remove_class("-invalid")
        self._error("")
        self._backend = choice
        self.post_message(self.BackendChosen(choice))

    def show_backend(self, backend: BackendChoice) -> None:
        """Reflect a backend set elsewhere (or one the app fell back from)."""
        self._backend = backend
        with self.prevent(Select.Changed):
            self.query_one("#backend", Select).value = "redis" if backend.is_redis else "sim"

    @on(Select.Changed, "#strategy")
    def _choose(self, event: Select.Changed) -> None:
        event.stop()
        strategy = self._strategies.get(str(event.value))
        if strategy is not None and strategy is not self._settings.strategy:
            self._settings = self._settings.with_value("strategy", strategy)
            self.post_message(self.StrategyChosen(strategy))
