"""The story's figures, and what our default scenario must show beside each."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from cache.batch import BatchResult, RunSpec, run_batch
from cache.scenarios.story import StoryScenario
from cache.simulation import Knobs
from cache.strategies.registry import load_strategy

__all__ = ["ROWS", "Row", "RowResult", "reproduce"]


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the story's table."""

    what: str
    strategy: str
    runs: int
    widen_ms: float
    story: str
    requirement: str
    holds: Callable[[BatchResult], bool]


ROWS: tuple[Row, ...] = (
    Row(
        "naive-async, 100 runs",
        "naive-async",
        100,
        0.0,
        "8 failures",
        "a rate between 3% and 15%",
        lambda r: 0.03 <= r.rate.value <= 0.15,
    ),
    Row(
        "naive-async, widened by 100 ms, 100 runs",
        "naive-async",
        100,
        100.0,
        "67 failures",
        "at least 45%",
        lambda r: r.rate.value >= 0.45,
    ),
    Row("lock, 100 runs", "lock", 100, 0.0, "0", "0", lambda r: r.failures == 0),
    Row("transaction, 1000 runs", "transaction", 1000, 0.0, "0", "0", lambda r: r.failures == 0),
    Row(
        "sync, 1000 runs",
        "sync",
        1000,
        0.0,
        "0 (worked before the optimization)",
        "0",
        lambda r: r.failures == 0,
    ),
    Row(
        "versioned, 1000 runs",
        "versioned",
        1000,
        0.0,
        "-",
        "no stale read returned; detected inconsistencies counted",
        lambda r: r.stale_reads == 0 and r.detected > 0 and r.repaired == r.detected,
    ),
)


@dataclass(frozen=True, slots=True)
class RowResult:
    row: Row
    result: BatchResult

    @property
    def holds(self) -> bool:
        return self.row.holds(self.result)

    def ours(self) -> str:
        r = self.result
        text = f"{r.failures} failures, {r.rate}"
        if r.detected:
            text += (
                f"; {r.stale_reads} stale reads, {r.detected} inconsistencies detected "
                f"and {r.repaired} repaired"
            )
        return text


def reproduce(seed: int = 1, scenario: StoryScenario | None = None) -> Iterator[RowResult]:
    """Run every row with the default scenario (or ``scenario``) and base seed ``seed``."""
    scenario = scenario if scenario is not None else StoryScenario()
    for row in ROWS:
        spec = RunSpec(scenario, load_strategy(row.strategy), Knobs(widen_ms=row.widen_ms))
        yield RowResult(row, run_batch(spec, row.runs, seed))
