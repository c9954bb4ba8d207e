"""``workbench strategies``, ``changes`` and ``reproduce``: what there is to try."""

from __future__ import annotations

import json
import sys

import click

from cache.scenarios.changes import Change
from cache.strategies.registry import ALL_STRATEGIES
from workbench.cli.options import option_for
from workbench.session.settings import SEED

__all__ = ["changes", "reproduce", "strategies"]


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def strategies(as_json: bool) -> None:
    """List the strategies, each with its race (scenario), what it does and guarantees."""
    from cache.cluster_slots import same_slot

    listed = [
        {
            "name": s.name,
            "race": s.race,
            "description": s.description,
            "guarantee": s.guarantee,
            "cluster": same_slot(s.name),
        }
        for s in ALL_STRATEGIES.values()
    ]
    if as_json:
        click.echo(json.dumps(listed))
        return
    for s in listed:
        click.echo(
            f"{s['name']}  [{s['race']}]\n  does:       {s['description']}\n"
            f"  guarantees: {s['guarantee']}"
            + (
                f"\n  on a Redis Cluster: its keys must share one slot ({s['cluster']}); "
                "the workbench hash-tags each run's keys, so they do"
                if s["cluster"]
                else ""
            )
        )


@click.command()
def changes() -> None:
    """List the story's recent changes (the suspects) and what each does here."""
    for change in Change:
        click.echo(f"{change.commit} {change.value:<12} {change.summary}\n  {change.effect}")


@click.command()
@option_for(SEED, 1, "base seed for every row")
def reproduce(seed: int) -> None:
    """Regenerate the README's table: the story's figures beside ours (Markdown)."""
    from cache.reproduce import reproduce as rows

    click.echo(f"| what | the story | ours must show | ours (seed {seed}) | holds |")
    click.echo("|---|---|---|---|---|")
    all_hold = True
    for row in rows(seed):
        all_hold &= row.holds
        click.echo(
            f"| {row.row.what} | {row.row.story} | {row.row.requirement} | {row.ours()} | "
            f"{'yes' if row.holds else 'NO'} |"
        )
    if not all_hold:
        sys.exit(1)
