"""Click options built from the settings' specs (``workbench.session.settings``), and the
few conversions every command shares: the checked target, the run request, one error line."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cache.redis_url import BadRedisUrl, RemoteRedisRefused, check_redis_url
from cache.scenarios.changes import ALL_CHANGES, format_changes, parse_changes
from cache.strategies.registry import (
    BUILTIN,
    IMPORT_TIMEOUT_S,
    StrategyNotFound,
    load_strategy,
)
from cache.targets import SIMULATOR, Target
from workbench.session.request import RunRequest
from workbench.session.settings import (
    DEFAULT_REDIS_URL,
    DURATION,
    KEYS,
    READERS,
    SCENARIOS,
    SEED,
    WIDEN_MS,
    WORKLOADS,
    WRITERS,
    Setting,
    setting,
)

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]
if TYPE_CHECKING:
    ParamType = click.ParamType[Any]  # generic in the stubs of click 8.2 and later
else:
    ParamType = click.ParamType


class SettingType(ParamType):
    """A setting's value, checked by its spec: the same words as the app's fields."""

    def __init__(self, spec: Setting) -> None:
        self.spec = spec
        self.name = "integer" if spec.integer else "number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            if isinstance(value, int | float) and not isinstance(value, bool):
                return self.spec.check(value)
            return self.spec.parse(str(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)


def option_for(
    spec: Setting, default: float | None = None, help: str | None = None, short: str = ""
) -> Decorator:
    about = help or spec.help
    return click.option(
        spec.flag,
        *([short] if short else []),
        spec.name,
        type=SettingType(spec),
        default=default,
        show_default=default is not None,
        metavar="N" if spec.integer else "X",
        help=f"{about[0].upper()}{about[1:]} ({spec.describe_range()}).",
    )


def _parsed(parse: Callable[[str], Any]) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def convert(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        try:
            return parse(value)
        except (StrategyNotFound, ValueError) as error:
            raise click.BadParameter(str(error), ctx, param) from None

    return convert


LONGEST_NAME = 255  # bytes in one file or directory name on every common file system


class FilePath(click.Path):
    """A file option's path, refused up front if no file system could hold it (rather than
    with an ``OSError`` after the work is done, or a ``ValueError`` from ``os.stat``)."""

    def __init__(self, *, path_type: type[Any] | None = None, **kinds: bool) -> None:
        super().__init__(path_type=path_type, **{"dir_okay": False, **kinds})

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        text = os.fsdecode(value) if isinstance(value, bytes) else str(value)
        if "\x00" in text:
            self.fail("a path cannot contain a NUL character", param, ctx)
        if not text.strip():
            self.fail("give a file name", param, ctx)
        if any(len(os.fsencode(part)) > LONGEST_NAME for part in Path(text).parts):
            self.fail(f"a name in {text[:40]!r}... is longer than {LONGEST_NAME} bytes", param, ctx)
        return super().convert(value, param, ctx)


def combine(*decorators: Decorator) -> Decorator:
    def apply(func: Callable[..., Any]) -> Callable[..., Any]:
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return apply


STRATEGY = click.option(
    "--strategy",
    "-s",
    default="naive-async",
    show_default=True,
    # A user's module that hangs at import is reported, not waited for forever.
    callback=_parsed(lambda spec: load_strategy(spec, timeout=IMPORT_TIMEOUT_S)),
    shell_complete=lambda ctx, param, text: [n for n in BUILTIN if n.startswith(text)],
    help=f"One of {', '.join(BUILTIN)}, or module:Class for your own.",
)
CHANGES = click.option(
    "--changes",
    default=format_changes(ALL_CHANGES),
    show_default=True,
    callback=_parsed(parse_changes),
    help="Recent changes applied: any of async, prewarm, ttl-refresh (or all, none).",
)
TARGET = combine(
    click.option(
        "--backend",
        type=click.Choice(("sim", "redis")),
        default="sim",
        show_default=True,
        help="sim: the simulated store (deterministic, seeded); "
        "redis: a live Redis server (real time, real interleavings).",
    ),
    click.option(
        "--redis-url",
        envvar="REDIS_URL",
        default=DEFAULT_REDIS_URL,
        show_default=True,
        help="With --backend redis: the server (redis://, rediss:// or unix://; also from "
        "$REDIS_URL). Only loopback or a unix socket unless --allow-remote. Keys go "
        "under a fresh rwb:<random>: prefix and are deleted after; nothing else is touched.",
    ),
    click.option(
        "--allow-remote",
        is_flag=True,
        help="With --backend redis: allow a server that is not on this machine.",
    ),
)
RUN_SETTINGS = combine(
    STRATEGY,
    option_for(SEED, 1, "base seed: the same seed gives the same interleavings"),
    option_for(WIDEN_MS, 0.0),
    CHANGES,
    click.option(
        "--workload",
        type=click.Choice(WORKLOADS),
        default="story",
        show_default=True,
        help="story: the story's test (one update racing a few reads); sustained: writers "
        "and readers on shared keys for --duration virtual seconds.",
    ),
    click.option(
        "--scenario",
        type=click.Choice(SCENARIOS),
        default="story",
        show_default=True,
        help="story: the story's race (see --workload); or one of the races of "
        "docs/races.md, with its own strategies (`workbench strategies`; the default "
        "strategy stands for the race's broken one).",
    ),
    option_for(READERS, None, "concurrent readers (default: the workload's own)"),
    option_for(WRITERS, None, "sustained: tasks that update keys (default 4)"),
    option_for(KEYS, None, "sustained: distinct primary keys (default 8)"),
    option_for(DURATION, None, "sustained: virtual seconds per run (default 1)"),
    option_for(setting("latency_scale"), None),
    option_for(setting("jitter"), None),
    click.option("--json", "as_json", is_flag=True, help="Print one JSON object."),
    TARGET,
)


def target_from(ctx: click.Context, options: dict[str, Any]) -> Target:
    """The simulator, or the checked server for ``--backend redis`` (a bad or remote URL
    is a usage error, raised before anything connects)."""
    backend, url, allow_remote = (
        options.pop("backend"),
        options.pop("redis_url"),
        options.pop("allow_remote"),
    )
    if backend != "redis":
        given = ctx.get_parameter_source("redis_url") is click.core.ParameterSource.COMMANDLINE
        if given or allow_remote:
            raise click.UsageError("--redis-url and --allow-remote need --backend redis")
        return SIMULATOR
    from cache.redis_run import RedisServerTarget  # only this path pays for redis-py

    try:
        return RedisServerTarget(check_redis_url(url, allow_remote=allow_remote))
    except (BadRedisUrl, RemoteRedisRefused) as error:
        raise click.BadParameter(str(error), ctx, param_hint="'--redis-url'") from None


def request_from(options: dict[str, Any]) -> RunRequest:
    fields = ("strategy", "workload", "widen_ms", "latency_scale", "jitter", "changes", "scenario")
    sizes = ("readers", "writers", "keys", "duration")
    try:
        return RunRequest(**{name: options.pop(name) for name in (*fields, *sizes)})
    except ValueError as error:
        raise click.UsageError(str(error)) from None
