"""One spec per setting: the command line and the app accept and refuse exactly the same
values, with the same message."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from workbench import cli as cli_module
from workbench.cli.explore import explore_command
from workbench.session.settings import (
    BOUND,
    DEPTH,
    LIVE_SETTINGS,
    MAX_SCHEDULES,
    SETTINGS,
    SKEW_MS,
    Setting,
)
from workbench.tui.app import WorkbenchApp
from workbench.tui.widgets.controls import SettingValidator


def _command_for(spec: Setting) -> list[str]:
    """Where a setting is given on the command line: the app's presets, or ``run``."""
    if spec in LIVE_SETTINGS:
        return []
    if spec in EXPLORER:
        return ["explore"]
    if spec.name == "duration":
        return ["run", "--workload", "sustained", "--runs", "1"]
    return ["run"]


def _bad_values(spec: Setting) -> list[str]:
    step = 1 if spec.integer else 0.5
    below, above = spec.low - step, spec.high + step
    shown = [str(int(v)) if spec.integer else f"{v:g}" for v in (below, above)]
    return [*shown, "inf", "nan", "lots", "1e309"]


EXPLORER = (DEPTH, BOUND, MAX_SCHEDULES, SKEW_MS)
CASES = [(spec, value) for spec in SETTINGS for value in _bad_values(spec)]


@pytest.mark.parametrize(
    ("spec", "value"), CASES, ids=[f"{spec.name}={value}" for spec, value in CASES]
)
def test_both_front_ends_refuse_a_bad_value_with_the_same_message(
    spec: Setting, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ValueError) as refused:
        spec.parse(value)
    message = str(refused.value)
    assert message.startswith(spec.label) and spec.describe_range() in message
    # The app's field says exactly this...
    result = SettingValidator(spec).validate(value)
    assert not result.is_valid and result.failure_descriptions == [message]
    # ...and so does the command line, in its one line, with exit code 2.
    with pytest.raises(SystemExit) as exited:
        cli_module.main([*_command_for(spec), spec.flag, value])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


@pytest.mark.parametrize("spec", SETTINGS, ids=[spec.name for spec in SETTINGS])
def test_both_front_ends_accept_the_ends_of_each_range(
    spec: Setting, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[object] = []
    monkeypatch.setattr(WorkbenchApp, "run", lambda self: opened.append(self.settings))
    for value in (spec.low, spec.high):
        text = str(int(value)) if spec.integer else f"{value:g}"
        assert SettingValidator(spec).validate(text).is_valid
        if spec in LIVE_SETTINGS:
            result = CliRunner().invoke(cli_module.cli, [spec.flag, text])
            assert result.exit_code == 0, result.output
            assert getattr(opened[-1], spec.name) == spec.parse(text)
        else:  # parsed only (a 10-million-run batch is long)
            command = explore_command if spec in EXPLORER else cli_module.run
            context = command.make_context(command.name, [spec.flag, text])
            assert context.params[spec.name] == spec.parse(text)
