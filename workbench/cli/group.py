"""The ``workbench`` click group: every subcommand, each module imported only when its
command runs, and click's errors reduced to the command line's one line
(``workbench.cli.exits``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from workbench.cli.exits import EXIT_CODES, die
from workbench.cli.options import (
    CHANGES,
    STRATEGY,
    TARGET,
    combine,
    option_for,
    target_from,
)
from workbench.cli.runs import replay, run
from workbench.session.settings import LIVE_SETTINGS, LiveSettings

__all__ = ["cli", "click_main"]


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


def click_main(args: Sequence[str]) -> object:
    """Parse ``args`` with click and run the command; click's own errors end here as one
    line (the rest are ``workbench.cli.exits.finish``'s)."""
    try:
        return cli.main(args=list(args), prog_name="workbench", standalone_mode=False)
    except click.UsageError as error:
        die(error.format_message(), code=2)
    except click.ClickException as error:
        die(error.format_message(), code=error.exit_code if error.exit_code in EXIT_CODES else 1)
    except click.exceptions.Abort:
        die("interrupted", code=130)
