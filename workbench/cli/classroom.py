"""``workbench class report`` (the learners' reports as one table) and ``workbench serve``
(the app in the browser, one app per tab, through textual-serve)."""

from __future__ import annotations

import ipaddress
import shlex
import sys
from pathlib import Path

import click

from cache.errors import one_line
from workbench.cli.exits import die, mask_given
from workbench.cli.options import FilePath

__all__ = ["class_group", "is_loopback", "serve", "serve_command"]


@click.group("class")
def class_group() -> None:
    """A trainer's tools for a class."""


@class_group.command("report")
@click.argument(
    "folder", type=FilePath(exists=True, file_okay=False, dir_okay=True, path_type=Path)
)
@click.option("--out", type=FilePath(path_type=Path), default=None,
              help="Where to write the table (default: FOLDER/class-report), .csv and .md.")
def class_report(folder: Path, out: Path | None) -> None:
    """Read the session reports (JSON) in FOLDER and write one table, CSV and Markdown."""
    from workbench.session.atomic import write_atomic
    from workbench.session.classreport import read_reports

    table = read_reports(folder)
    base = out if out is not None else folder / "class-report"
    for name, why in table.rejected:
        click.echo(f"skipped {name}: {why}", err=True)
    try:
        write_atomic(base.with_suffix(".csv"), table.csv())
        write_atomic(base.with_suffix(".md"), table.markdown())
    except OSError as error:
        die(f"cannot write the table: {error}", code=1)
    click.echo(f"{len(table.rows)} reports, {len(table.rejected)} skipped: wrote "
               f"{base.with_suffix('.csv')} and {base.with_suffix('.md')}")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve_command(challenge: str | None, pack: Path | None, reports: Path) -> str:
    """The shell command each browser tab runs: its own process, state and report (``$$``
    is the tab's shell: one per tab)."""
    python = f"{shlex.quote(sys.executable)} -m workbench"
    folder = shlex.quote(str(reports.resolve()))
    if challenge is None:
        return (f"{python} walkthrough --fresh --state-file {folder}/.walkthrough-$$.json "
                f"--report {folder}/walkthrough-$$.md")
    where = shlex.quote(str(pack.resolve())) + " " if pack is not None else ""
    name = shlex.quote(challenge)
    return (f"{python} challenge {where}{name} --fresh --state-file "
            f"{folder}/.challenge-{name}-$$.json --report {folder}/{name}-$$.md")


@click.command("serve")
@click.option("--challenge", "challenge_id", default=None,
              help="Serve this challenge (default: the guided walkthrough).")
@click.option("--pack", "pack_path", type=FilePath(path_type=Path),
              default=None, help="The challenge's pack (default: the built-in pack).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--allow-network", is_flag=True,
              help="Allow a host other than loopback: anyone who reaches it gets an app.")
@click.option("--reports", type=FilePath(file_okay=False, dir_okay=True, path_type=Path),
              default=Path("class-reports"), show_default=True,
              help="Where each tab's report (R) is written, for `workbench class report`.")
def serve(challenge_id: str | None, pack_path: Path | None, host: str, port: int,
          allow_network: bool, reports: Path) -> None:
    """Serve the app in the browser: one app per browser tab."""
    if not is_loopback(host) and not allow_network:
        die(f"--host {host} is not loopback: anyone on the network could run the app; "
            "add --allow-network to allow it", code=2)
    if challenge_id is not None:
        from workbench.session.packs import PackError, load_pack

        try:
            load_pack(pack_path).challenge(challenge_id)
        except PackError as error:
            die(f"{error.problems[0]} (run workbench pack check)", code=2)
        except ValueError as error:
            die(str(error), code=2)
    try:
        from textual_serve.server import Server
    except ImportError:
        die("workbench serve needs textual-serve: pip install 'race-workbench[serve]'", code=2)
    reports.mkdir(parents=True, exist_ok=True)
    if not is_loopback(host):
        click.echo(f"warning: serving on {host}, not loopback: anyone who reaches "
                   f"{host}:{port} gets an app", err=True)
    what = "walkthrough" if challenge_id is None else f"challenge {challenge_id}"
    shown = mask_given(one_line(str(reports)))
    click.echo(f"serving the {what} on http://{host}:{port} (reports in {shown})",
               err=True)
    Server(serve_command(challenge_id, pack_path, reports), host=host, port=port,
           title="Race Workbench").serve()
