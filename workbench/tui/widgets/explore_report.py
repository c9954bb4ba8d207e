"""How the Explore tab draws a search's report: the verdict with what the policy
guarantees, the shrunk schedule as a column-per-task table, and where the failure becomes
inevitable as one labelled bar per step."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from cache.explore import ExploreReport
from workbench.session.explore import Found, inevitable_from

__all__ = ["causality_text", "fill_table", "verdict_text"]

BAR = 20  # cells of a causality bar
MARKS = {"stale": "bold red", "missed": "bold yellow"}


def verdict_text(report: ExploreReport, *, timing: bool = True) -> Text:
    """Found or not, after how many schedules; the PCT bound or the exhaustive coverage."""
    text = Text()
    took = (f" in {report.seconds:.2f} s ({report.per_second:,.0f} schedules/s)"
            if timing else "")
    if report.found:
        text.append(f"FOUND a stale read after {report.schedules:,} schedules", "bold red")
    else:
        text.append(f"No stale read in {report.schedules:,} schedules", "bold green")
    text.append(f"{took}, seed {report.seed}.\n")
    facts = report.facts
    if report.policy == "pct" and facts:
        text.append(
            f"pct, depth {facts['depth']}: at least {facts['probability_bound']:.1e} per "
            f"schedule for a bug of depth {facts['depth']} (1/(k*n^(d-1)), "
            f"k={facts['tasks']} tasks, n={facts['steps']} steps)"
        )
    elif report.policy == "exhaustive" and facts:
        if not facts["complete"]:
            whole = "not all: stopped before the bound was covered"
        elif report.found:
            whole = "all of them"
        else:
            whole = "all of them: clean within the bound"
        text.append(f"exhaustive, at most {facts['preemption_bound']} preemptions: "
                    f"{facts['covered']:,} schedules covered ({whole})")
    elif report.policy == "random":
        text.append(f"random: seeded runs of base seed {report.seed}")
    else:  # stopped from outside before the search could sum up what it covered
        text.append(f"{report.policy}: stopped before its figures were complete")
    if report.cancelled:
        text.append("\nCancelled: what was explored before is kept.", "yellow")
    minimal = report.minimal
    if minimal is not None:
        shrunk = ("as found (shrinking was cancelled)" if report.cancelled else
                  f"shrunk to {len(minimal.tasks)} tasks, {minimal.steps} steps, "
                  f"{minimal.preemptions} preemptions")
        text.append(f"\n{minimal.explanation}\n", "dim")
        text.append(f"The schedule, {shrunk}: o opens it in the timeline, O the original.")
    elif report.found:
        text.append(f"\n{report.explanation}\nO opens it in the timeline.", "dim")
    return text


def fill_table(table: DataTable[str | Text], found: Found) -> None:
    """One column per task, a row per shown event, the stale read and the write it missed
    marked in colour (and in words, as the command line prints them)."""
    table.clear(columns=True)
    tasks = found.tasks
    table.add_column("ms", key="ms")
    for task in tasks:
        table.add_column(task, key=task)
    for row in found.rows:
        cells: list[str | Text] = [f"{row.time * 1000:.3f}"]
        for task in tasks:
            cells.append(Text(row.text, MARKS.get(row.mark, "")) if task == row.task else "")
        table.add_row(*cells)


def causality_text(steps: list[str], values: list[float]) -> Text:
    """One bar per step: the share of random continuations from there that end stale."""
    text = Text()
    if not values:
        return text
    text.append("Where it becomes inevitable: per step, the share of random continuations "
                "from there that end stale\n", "bold")
    certain = inevitable_from(values)
    width = max(len(s) for s in steps)
    for i, (step, value) in enumerate(zip(steps, values, strict=False), start=1):
        filled = round(value * BAR)
        text.append(f"{i:3} {step:<{width}} ")
        text.append("█" * filled, "red" if value >= 1.0 else "yellow")
        text.append("·" * (BAR - filled), "dim")
        text.append(f" {value:4.0%}")
        if i == certain:
            text.append("  <- inevitable from here", "bold red")
        text.append("\n")
    if certain is None:
        text.append(f"Never certain: at most {max(values):.0%} of continuations end stale.")
    else:
        text.append(f"After step {certain} ({steps[certain - 1]}) every continuation ends "
                    "stale.")
    return text
