"""The explore report as plain text, for the terminal."""

from __future__ import annotations

from cache.explore.replay import Replayed
from cache.explore.report import ExploreReport
from cache.explore.table import schedule_table

__all__ = ["render_replay", "render_report", "sparkline"]

_BARS = " ▁▂▃▄▅▆▇█"


def sparkline(values: list[float]) -> str:
    """Probabilities in [0, 1] as one bar each."""
    return "".join(_BARS[round(v * (len(_BARS) - 1))] for v in values)


def render_report(report: ExploreReport) -> str:
    facts = report.facts
    lines = [f"explore: {report.spec.describe()}"]
    if report.policy == "pct":
        lines.append(
            f"policy pct, depth {facts['depth']}: at least {facts['probability_bound']:.2e} "
            f"per schedule for a bug of depth {facts['depth']} "
            f"(1/(k*n^(d-1)), k={facts['tasks']} tasks, n={facts['steps']} steps)"
        )
    elif report.policy == "exhaustive":
        whole = "all of them" if facts["complete"] else "stopped before the bound was covered"
        lines.append(
            f"policy exhaustive, at most {facts['preemption_bound']} preemptions: "
            f"{facts['covered']} schedules covered ({whole})"
        )
    else:
        lines.append(f"policy random, base seed {report.seed}")
    rate = f"{report.per_second:,.0f} schedules/s"
    verdict = "FOUND a stale read" if report.found else "no stale read"
    lines.append(f"{verdict} after {report.schedules} schedules in {report.seconds:.3f}s ({rate})")
    if report.cancelled:
        lines.append("cancelled: the figures are what was explored before")
    if report.abandoned:
        lines.append(f"{report.abandoned} schedules abandoned (too long)")
    if not report.found:
        return "\n".join(lines)
    lines.append(f"  {report.explanation}")
    if len(report.tokens) > 1:
        lines.append(f"{len(report.tokens)} failing schedules")
    lines.append(f"token: {report.token}")
    minimal = report.minimal
    if minimal is not None:
        lines.append("")
        lines.append(
            f"shrunk to {len(minimal.tasks)} tasks, {minimal.steps} steps, "
            f"{minimal.preemptions} preemptions:"
        )
        lines.append(minimal.table)
        lines.append(f"  {minimal.explanation}")
        if minimal.causality:
            lines.append(f"stale if continued at random, per step: {sparkline(minimal.causality)}")
        lines.append(f"minimal token: {minimal.token}")
    return "\n".join(lines)


def render_replay(replayed: Replayed) -> str:
    played = replayed.played
    lines = [f"replay: {replayed.token.spec.describe()}, seed {replayed.token.seed}"]
    if replayed.divergence is None:
        lines.append(f"replayed exactly ({len(played.steps)} steps)")
    else:
        lines.append(f"{replayed.divergence.describe()}; continued with the seeded policy")
    lines.append(schedule_table(list(played.sim.history), played.stale))
    if played.failed:
        lines.extend(f"  {s.explain()}" for s in played.stale)
    else:
        lines.append("no stale read")
    return "\n".join(lines)
