"""``explore``: the headless entry point the CLI and the app call."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

from cache.explore.causality import causality
from cache.explore.report import ExploreReport, Minimal
from cache.explore.search import Exhaustive, Pct, RandomSearch, Search
from cache.explore.shrink import shrink
from cache.explore.spec import DEFAULT_SKEW_MS, ExploreSpec, SpecError
from cache.explore.table import schedule_table
from cache.explore.token import Token

__all__ = ["POLICIES", "explore"]

POLICIES = ("random", "pct", "exhaustive")
Default = Literal["policy-default"]


def explore(
    spec: ExploreSpec,
    *,
    policy: str = "pct",
    depth: int = 3,
    bound: int = 2,
    seed: int = 1,
    max_schedules: int = 1000,
    all: bool = False,
    skew_ms: float | Default | None = "policy-default",
    shrink_failure: bool = True,
    causality_k: int = 20,
    progress: Callable[[ExploreReport], None] | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> ExploreReport:
    """Try schedules of ``spec`` until one returns stale data (or all of them, ``all``),
    ``max_schedules`` are tried, or ``cancelled()``; shrink the first failure."""
    if policy not in POLICIES:
        raise SpecError(f"unknown policy {policy!r}; choose one of {', '.join(POLICIES)}")
    if depth < 1 or bound < 0 or max_schedules < 1:
        raise SpecError("depth and max-schedules must be at least 1, bound at least 0")
    skew = DEFAULT_SKEW_MS[policy] if skew_ms == "policy-default" else skew_ms
    spec = spec.with_skew(skew)
    search: Search
    if policy == "random":
        search = RandomSearch(spec, seed)
    elif policy == "pct":
        search = Pct(spec, seed, depth)
    else:
        search = Exhaustive(spec, seed, bound)
    report = ExploreReport(spec, policy, seed)
    began = time.perf_counter()
    first = None
    for tried in search.schedules():
        report.schedules += 1
        report.abandoned += tried.played.abandoned
        if tried.played.failed:
            token = Token(spec, tried.seed, tried.policy, tuple(tried.played.steps)).encode()
            report.tokens.append(token)
            if first is None:
                first = tried
                report.found = True
                report.token = token
                report.explanation = tried.played.stale[0].explain()
        report.seconds = time.perf_counter() - began
        if progress is not None:
            progress(report)
        if (first is not None and not all) or report.schedules >= max_schedules:
            break
        if cancelled():
            report.cancelled = True
            break
    report.facts = search.facts()
    if first is not None and shrink_failure:
        shrunk = shrink(spec, first.seed, first.played.steps, cancelled)
        if shrunk is not None:
            played = shrunk.played
            events = list(played.sim.history)
            report.minimal = Minimal(
                token=shrunk.token.encode(),
                table=schedule_table(events, played.stale),
                tasks=sorted({e.task for e in events}),
                steps=len(shrunk.steps),
                preemptions=shrunk.preemptions,
                explanation=played.stale[0].explain(),
                causality=causality(shrunk.spec, shrunk.seed, shrunk.steps, causality_k)
                if causality_k > 0
                else [],
            )
    report.seconds = time.perf_counter() - began
    return report


