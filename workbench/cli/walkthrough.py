"""``workbench walkthrough``: the app with the guide open, resuming saved progress."""

from __future__ import annotations

from pathlib import Path

import click

from workbench.cli.options import FilePath

__all__ = ["walkthrough"]


@click.command("walkthrough")
@click.option("--fresh", is_flag=True, help="Start over, forgetting saved progress.")
@click.option(
    "--state-file",
    type=FilePath(path_type=Path),
    default=None,
    help="Where progress is saved (default: the platform's user state directory).",
)
@click.option(
    "--report",
    "report_path",
    type=FilePath(path_type=Path),
    default=Path("walkthrough-report.md"),
    show_default=True,
    help="Where R writes the session report (Markdown, and JSON beside it).",
)
def walkthrough(fresh: bool, state_file: Path | None, report_path: Path) -> None:
    """A guided walkthrough of the race: from the bug report to a verified fix."""
    from workbench.session.report import default_state_path
    from workbench.tui.app import WorkbenchApp  # only the TUI pays for importing Textual

    state = state_file if state_file is not None else default_state_path()
    WorkbenchApp(walkthrough=True, state_path=state, fresh=fresh, report_path=report_path).run()
