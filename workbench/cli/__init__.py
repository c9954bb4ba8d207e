"""``workbench``: the command line. Click declarations and printing only: the options come
from the settings' specs (``workbench.session.settings``) and the work from the session layer
and the engine. Headless subcommands never import Textual; with no subcommand it opens the
TUI.

Errors are one line on stderr, passwords masked: exit code 2 for bad input (saying what is
allowed), 1 for a failure while running (a strategy that raised, an unreachable server) or,
with ``run --fail-on-stale``, for stale reads found, 130 for Ctrl+C. A bug of ours is one
line too (``internal error: ...``, exit 1); ``WORKBENCH_DEBUG=1`` adds its traceback.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from cache.errors import BadInput, RunFailed, describe
from workbench.cli.options import (
    CHANGES,
    EXIT_CODES,
    STRATEGY,
    TARGET,
    combine,
    die,
    option_for,
    remember_secrets,
    target_from,
)
from workbench.cli.runs import replay, run
from workbench.session.settings import LIVE_SETTINGS, LiveSettings

__all__ = ["DEBUG_ENV", "cli", "main", "run"]

# Set (to anything but 0) to see the traceback of an internal error below its one line.
DEBUG_ENV = "WORKBENCH_DEBUG"


class _LazyGroup(click.Group):
    """Imports a subcommand's module only when that command runs (or help lists it), so
    ``workbench run`` starts without loading the explorer."""

    lazy = {
        "explore": "workbench.cli.explore:explore_command",
        "strategies": "workbench.cli.info:strategies",
        "changes": "workbench.cli.info:changes",
        "reproduce": "workbench.cli.info:reproduce",
        "walkthrough": "workbench.cli.walkthrough:walkthrough",
        "pack": "workbench.cli.packs:pack",
        "challenge": "workbench.cli.packs:challenge",
        "class": "workbench.cli.classroom:class_group",
        "serve": "workbench.cli.classroom:serve",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *self.lazy]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            from importlib import import_module

            module, _, attr = self.lazy[cmd_name].partition(":")
            self.add_command(getattr(import_module(module), attr), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(
    cls=_LazyGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@STRATEGY
@combine(*(option_for(spec, None, f"live run: {spec.help}") for spec in LIVE_SETTINGS))
@CHANGES
@click.option("--start", "autostart", is_flag=True, help="Start the live workload at once.")
@TARGET
@click.pass_context
def cli(ctx: click.Context, /, autostart: bool, **options: Any) -> None:
    """Race Workbench: reproduce, explain and fix a cache race condition.

    With no command, opens the workbench (the terminal UI); its options preset the live run.
    """
    if ctx.invoked_subcommand is not None:
        return
    target = target_from(ctx, options)
    allow_remote = target.kind == "redis" and bool(ctx.params.get("allow_remote"))
    values = {name: value for name, value in options.items() if value is not None}
    try:
        settings = LiveSettings(**values)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    from workbench.tui.app import WorkbenchApp  # only the TUI pays for importing Textual

    WorkbenchApp(settings, autostart=autostart, target=target, allow_remote=allow_remote).run()


for command in (run, replay):
    cli.add_command(command)


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: click, with every error reduced to one line and every exit code
    one of 0, 1, 2 or 130 (see the module's docstring)."""
    args = list(argv) if argv is not None else sys.argv[1:]
    remember_secrets([*args, os.environ.get("REDIS_URL")])
    try:
        status = cli.main(
            args=args,
            prog_name="workbench",
            standalone_mode=False,
        )
    except click.UsageError as error:
        die(error.format_message(), code=2)
    except click.ClickException as error:
        die(error.format_message(), code=error.exit_code if error.exit_code in EXIT_CODES else 1)
    except (click.exceptions.Abort, KeyboardInterrupt):
        die("interrupted", code=130)
    except BadInput as error:
        die(describe(error), code=2)
    except RunFailed as error:
        die(describe(error), code=1)
    except SystemExit as exited:
        sys.exit(_exit_code(exited.code))
    except BaseException as error:  # a bug of ours: still one line, unless asked for more
        _internal_error(error)
    sys.exit(_exit_code(status))


def _exit_code(code: object) -> int:
    """Only the documented codes leave the process: anything else (a stray ``sys.exit``
    with a message or an odd number) is reported as a failure."""
    if code is None:
        return 0
    if isinstance(code, int) and not isinstance(code, bool) and code in EXIT_CODES:
        return code
    if isinstance(code, str):
        die(code, code=1)
    return 1


def _internal_error(error: BaseException) -> NoReturn:
    if os.environ.get(DEBUG_ENV, "").strip() not in ("", "0"):
        traceback.print_exception(error)
    hint = "" if os.environ.get(DEBUG_ENV) else f" (set {DEBUG_ENV}=1 to see the traceback)"
    die(f"internal error: {describe(error)}{hint}", code=1)
