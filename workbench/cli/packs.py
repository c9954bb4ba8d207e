"""``workbench pack check`` and ``workbench challenge``: a trainer's pack, checked; a
learner's challenge, opened in the app."""

from __future__ import annotations

from pathlib import Path

import click

from workbench.cli.exits import die
from workbench.cli.options import FilePath

__all__ = ["challenge", "pack"]


@click.group("pack")
def pack() -> None:
    """Challenge packs: write one in TOML, check it here."""


@pack.command("check")
@click.argument("file", required=False, type=FilePath(path_type=Path))
def check(file: Path | None) -> None:
    """Validate FILE (default: the built-in pack) and replay each reference solution.

    Exit 2, with one line per problem (file:line: ...), when the pack is broken."""
    from workbench.session.packcheck import check_pack
    from workbench.session.packs import PackError, load_pack

    try:
        loaded = load_pack(file)
    except PackError as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        die(f"{len(error.problems)} problem(s) in the pack", code=2)

    def said(challenge: object, found: list[str]) -> None:
        name = getattr(challenge, "id", "?")
        click.echo(f"{name}: {'ok' if not found else f'{len(found)} problem(s)'}")

    problems = check_pack(loaded, said)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        die(f"{len(problems)} problem(s) in the pack", code=2)
    click.echo(f"{loaded.title}: {len(loaded.challenges)} challenges, all sound")


@click.command("challenge")
@click.argument("pack_or_id", required=False)
@click.argument("challenge_id", required=False)
@click.option("--learner", default="", help="Your name, for the report.")
@click.option("--fresh", is_flag=True, help="Start over, forgetting saved progress.")
@click.option("--state-file", type=FilePath(path_type=Path), default=None,
              help="Where progress is saved (default: the platform's user state directory).")
@click.option("--report", "report_path", type=FilePath(path_type=Path),
              default=None, help="Where R writes the report (default: challenge-ID-report.md).")
def challenge(pack_or_id: str | None, challenge_id: str | None, learner: str, fresh: bool,
              state_file: Path | None, report_path: Path | None) -> None:
    """Open a challenge: [PACK] [ID]; PACK is a pack file (default: the built-in pack), ID a
    challenge in it (default: its first)."""
    from workbench.session.packs import PackError, load_pack

    path: Path | None = None
    if pack_or_id is not None and (challenge_id is not None or Path(pack_or_id).is_file()):
        path = Path(pack_or_id)
    elif pack_or_id is not None:
        challenge_id = pack_or_id
    try:
        loaded = load_pack(path)
        chosen = loaded.challenge(challenge_id) if challenge_id else loaded.challenges[0]
    except PackError as error:
        die(f"{error.problems[0]} (run workbench pack check)", code=2)
    except ValueError as error:
        die(str(error), code=2)
    from workbench.session.report import default_state_path
    from workbench.tui.challenge import ChallengeApp  # only the app pays for Textual

    state = state_file or default_state_path().with_name(f"challenge-{chosen.id}.json")
    report = report_path or Path(f"challenge-{chosen.id}-report.md")
    ChallengeApp(chosen, loaded.title, state_path=state, fresh=fresh, report_path=report,
                 learner=learner).run()
