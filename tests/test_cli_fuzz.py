"""The command line under fire: every subcommand and every flag given bad values, and every
hostile ``module:Class`` strategy run through it, in process.

A table generated from the commands themselves (click's own parameter lists, so a new flag
is fuzzed the day it is added) and a seeded random stream: the same cases on every run.
Whatever the input: no traceback, an exit code of 0, 1, 2 or 130, an error as one line on
stderr, no password in any output, and an end well within a budget (no hang).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from tests import hostile_strategies as hostile
from workbench.cli import cli, main
from workbench.cli.options import SettingType

SECRET = hostile.SECRET
# Each holds the password somewhere a masker must find it.
URLS = (
    f"redis://admin:{SECRET}@127.0.0.1:1/0",
    f"redis://127.0.0.1:1/0?password={SECRET}",
    f"rediss://u:{SECRET}{SECRET}{SECRET}@10.0.0.1:6379/abc",
    f"redis://u:{SECRET}@localhost.:6379/²",
    f"unix://:{SECRET}@relative/x.sock?db=99",
    f"redis://:{SECRET}@[::1]:0/0",
    f"redis://u:{SECRET}@127.0.0.1:6379/99999999999999999999",
    f"REDIS://x:{SECRET}#@127.0.0.1/0",
)
NUMBERS = (
    "", " ", "-1", "nan", "inf", "-inf", "1e309", "1e12", "²", "٣", "0x10", "1_0_", "9" * 40,
    "-" + "9" * 40, "1.5e", "abc", "\x00", "☃", "1e-400", "--", "5000", "-0.0001",
)
STRINGS = (
    "", " ", "\x00", "a" * 5000, "☃", "module:", ":Class", "tests.hostile_strategies:",
    "tests.hostile_strategies:NotAClass", "no.such.module:X", "../../x", "/", "-", "all,none",
    "async,async,bogus", "rwb1.", "rwb1.!!!", *URLS,
)
PATHS = ("", "/", "\x00", "a" * 5000, "/nonexistent/dir/x.py", ".", *URLS)
# Every command's value for its most expensive knob, so an input that happens to be valid
# still ends in a moment; a fuzzed value given later on the line overrides it.
CHEAP = {"run": ["-n", "2"], "replay": ["--run", "1"], "explore": ["--max-schedules", "2"]}
BUDGET_S = 20.0  # far above any single case's time; a hang would blow through it
CODES = {0, 1, 2, 130}


def _commands() -> dict[str, click.Command]:
    ctx = click.Context(cli)
    found: dict[str, click.Command] = {"": cli}
    for name in cli.list_commands(ctx):
        command = cli.get_command(ctx, name)
        assert command is not None
        found[name] = command
    return found


def _values(param: click.Parameter) -> tuple[str, ...]:
    if isinstance(param, click.Option) and param.is_flag:
        return ("=yes", "=", "=" + URLS[0])  # a flag given a value
    if isinstance(param.type, SettingType):
        return NUMBERS + URLS[:2]
    if isinstance(param.type, click.Path):
        return PATHS
    if isinstance(param.type, click.Choice):
        return ("", "SIM", "redis ", "☃", *URLS[:3])
    return STRINGS


def _option(param: click.Parameter, value: str) -> list[str]:
    flag = param.opts[0]
    if value.startswith("="):  # a flag written with a value
        return [f"{flag}{value}"]
    return [flag, value]


def _cases() -> Iterator[list[str]]:
    commands = _commands()
    params = {
        name: [p for p in command.params if isinstance(p, click.Option)]
        for name, command in commands.items()
    }
    # Every flag of every command, with every bad value for its kind.
    for name, options in params.items():
        head = [name] if name else []
        for param in options:
            for value in _values(param):
                yield [*head, *CHEAP.get(name, []), *_option(param, value)]
        for stray in ("--no-such-flag", "extra", URLS[0], "-h", "--help=x"):
            yield [*head, stray]
    # Combinations, a seeded stream of them: two or three bad options at once, some
    # before the subcommand (the group's own), some stray arguments.
    rng = random.Random(12)
    names = list(commands)
    for _ in range(200):
        name = rng.choice(names)
        head = [name] if name else []
        chosen = rng.sample(params[name], min(len(params[name]), rng.randint(1, 3)))
        args = [*head, *CHEAP.get(name, [])]
        for param in chosen:
            args += _option(param, rng.choice(_values(param)))
        if name and rng.random() < 0.3:
            group = rng.choice(params[""])
            args = [*_option(group, rng.choice(_values(group))), *args]
        if rng.random() < 0.1:
            args.append(rng.choice(STRINGS))
        yield args


def _hostile_cases() -> Iterator[list[str]]:
    for cls in hostile.RUNNABLE:
        spec = f"tests.hostile_strategies:{cls.__name__}"
        yield ["run", "-n", "2", "-s", spec]
        yield ["run", "-n", "1", "-s", spec, "--json", "--fail-on-stale"]
        yield ["replay", "--run", "1", "-s", spec]
        yield ["-s", spec]  # the app: a hostile strategy is loaded before it opens
    for cls in (hostile.RaisesInUpdate, hostile.ReturnsAString, hostile.ExitsInUpdate):
        yield ["explore", "--max-schedules", "2", "-s", f"tests.hostile_strategies:{cls.__name__}"]
    for spec in hostile.LOAD_ERRORS:  # every module that must fail to load
        for command in (["run"], ["replay", "--run", "1"], ["explore"], []):
            yield [*command, "-s", spec]
    # A server that is not there, with a password in its URL: the run fails (exit 1) and
    # the message names the server masked.
    for url in URLS:
        yield ["run", "-n", "1", "--backend", "redis", "--redis-url", url]
        yield ["replay", "--run", "1", "--backend", "redis", "--redis-url", url]


@pytest.fixture
def quiet_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line as a user meets it, except that the app never opens (its ``run``
    returns at once) and nothing is written outside ``tmp_path``."""
    from textual.app import App
    from textual_serve.server import Server

    # Any app (the workbench, a challenge) and the classroom server: none may really start.
    opened: list[object] = []
    monkeypatch.setattr(App, "run", lambda self, *a, **k: opened.append(self))
    monkeypatch.setattr(Server, "serve", lambda self, *a, **k: opened.append(self))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("WORKBENCH_DEBUG", raising=False)
    monkeypatch.chdir(tmp_path)
    # Blocking the loop is harmless in virtual time, only slow: block briefly.
    monkeypatch.setattr(hostile.Blocks, "block_s", 0.005)


def _invoke(capsys: pytest.CaptureFixture[str], args: list[str]) -> tuple[int, str, str, float]:
    started = time.perf_counter()
    try:
        main(args)
        code: object = 0
    except SystemExit as exited:
        code = exited.code
    elapsed = time.perf_counter() - started
    out, err = capsys.readouterr()
    return (code if isinstance(code, int) else -1), out, err, elapsed


def _problems(args: list[str], code: int, out: str, err: str, elapsed: float) -> list[str]:
    found = []
    if code not in CODES:
        found.append(f"exit code {code}")
    if "Traceback" in out + err:
        found.append("a traceback")
    if "internal error" in err:
        found.append("an internal error (a bug: bad input should say what is wrong)")
    if SECRET in out + err:
        found.append("the password")
    if elapsed > BUDGET_S:
        found.append(f"took {elapsed:.1f}s")
    lines = err.splitlines()
    if code == 2 and (out or len(lines) != 1 or not lines[0].startswith("workbench: error: ")):
        found.append("not one error line")
    explored = args[:1] == ["explore"] or "explore" in args
    if code == 1 and not explored and not lines[-1:][0].startswith("workbench: error: "):
        found.append("exit 1 without an error line")
    return found


def _check(capsys: pytest.CaptureFixture[str], cases: list[list[str]]) -> dict[int, int]:
    failures: list[str] = []
    codes: dict[int, int] = {}
    for args in cases:
        code, out, err, elapsed = _invoke(capsys, args)
        codes[code] = codes.get(code, 0) + 1
        problems = _problems(args, code, out, err, elapsed)
        if problems:
            failures.append(f"{args!r}: {', '.join(problems)}: {(err or out)[-300:]!r}")
    assert not failures, f"{len(failures)} of {len(cases)} cases:\n" + "\n".join(failures[:20])
    return codes


def test_a_thousand_bad_invocations_each_get_one_line_and_a_documented_code(
    capsys: pytest.CaptureFixture[str], quiet_cli: None
) -> None:
    cases = list(_cases())
    assert len(cases) >= 1000
    covered = {(args[0] if args and args[0] in _commands() else "") for args in cases}
    assert covered == set(_commands())  # every subcommand, and the group itself
    codes = _check(capsys, cases)
    assert codes.get(2, 0) > 0.8 * len(cases)  # most are refused as bad input


def test_every_hostile_strategy_through_the_command_line(
    capsys: pytest.CaptureFixture[str], quiet_cli: None
) -> None:
    codes = _check(capsys, list(_hostile_cases()))
    assert codes.get(1, 0) and codes.get(2, 0)  # run failures and refused modules both seen


def test_a_password_in_the_environment_is_never_shown(
    capsys: pytest.CaptureFixture[str], quiet_cli: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for url in URLS:
        monkeypatch.setenv("REDIS_URL", url)
        _check(capsys, [["run", "-n", "1", "--backend", "redis"], ["--backend", "redis"]])
