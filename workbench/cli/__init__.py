"""``workbench``: the command line. Click declarations (``group``, ``options``, one module a
command) and printing only: the options come from the settings' specs
(``workbench.session.settings``) and the work from the session layer and the engine.
Headless subcommands never import Textual; with no subcommand it opens the TUI. Importing
this package loads neither click nor the engine: ``main`` decides what it needs.

Errors are one line on stderr, passwords masked: exit code 2 for bad input (saying what is
allowed), 1 for a failure while running (a strategy that raised, an unreachable server) or,
with ``run --fail-on-stale``, for stale reads found, 130 for Ctrl+C. A bug of ours is one
line too (``internal error: ...``, exit 1); ``WORKBENCH_DEBUG=1`` adds its traceback.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from workbench.cli.exits import DEBUG_ENV, finish, remember_secrets

if TYPE_CHECKING:
    from workbench.cli.group import cli
    from workbench.cli.runs import run

__all__ = ["DEBUG_ENV", "cli", "main", "run"]


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: click, with every error reduced to one line and every exit code
    one of 0, 1, 2 or 130 (see the module's docstring). The plainest ``workbench run``
    lines skip click (``workbench.cli.quick``): starting is most of what they cost."""
    args = list(argv) if argv is not None else sys.argv[1:]
    remember_secrets([*args, os.environ.get("REDIS_URL")])
    # Importing the engine makes no garbage worth collecting; the collections it would set
    # off cost a short run as much as the run itself. Back on before anything runs.
    collecting = gc.isenabled()
    gc.disable()
    try:
        from workbench.cli.quick import quick_run

        command = quick_run(args)
    finally:
        if collecting:
            gc.enable()
    if command is None:
        from workbench.cli.group import click_main

        finish(lambda: click_main(args))
    finish(command)


def __getattr__(name: str) -> object:
    # The click group and its commands load click: imported when asked for, not by ``main``.
    if name == "cli":
        from workbench.cli.group import cli as group

        return group
    if name == "run":
        from workbench.cli.runs import run as command

        return command
    raise AttributeError(f"module 'workbench.cli' has no attribute {name!r}")
