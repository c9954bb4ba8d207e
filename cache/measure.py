"""What a strategy costs: throughput and latency under the sustained workload.

Measured in virtual time, so the figures are properties of the strategy and the latency
model, not of the machine running the simulation, and the same seed gives the same table.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import quantiles

from cache.events import Op, Phase
from cache.scenarios.sustained import SustainedWorkload
from cache.simulation import Knobs, Simulation
from cache.strategies.base import Strategy

__all__ = ["Cost", "measure_cost"]


@dataclass(frozen=True, slots=True)
class Cost:
    """One strategy's figures over one sustained run."""

    strategy: str
    seconds: float
    reads: int
    updates: int
    stale: int
    read_p50_ms: float
    read_p95_ms: float
    update_p50_ms: float
    update_p95_ms: float
    round_trips_per_update: float

    @property
    def ops_per_second(self) -> float:
        return (self.reads + self.updates) / self.seconds if self.seconds else 0.0


def _p50_p95(values: list[float]) -> tuple[float, float]:
    if not values:
        return 0.0, 0.0
    if len(values) == 1:
        return values[0], values[0]
    cuts = quantiles(values, n=20, method="inclusive")
    return cuts[9], cuts[18]


def measure_cost(
    strategy: type[Strategy],
    *,
    seconds: float = 2.0,
    seed: int = 1,
    knobs: Knobs | None = None,
    workload: SustainedWorkload | None = None,
) -> Cost:
    """Run the sustained workload for ``seconds`` of virtual time and summarise it."""
    workload = workload if workload is not None else SustainedWorkload(duration=seconds)
    sim = Simulation(workload, strategy, seed, knobs)
    sim.run()
    opened: dict[int, float] = {}
    parents: dict[int, Op] = {}
    reads: list[float] = []
    updates: list[float] = []
    trips = 0
    for event in sim.history:
        if event.phase is Phase.START:
            opened[event.span] = event.time
            parents[event.span] = event.op
            continue
        began = opened.pop(event.span, None)
        op = parents.pop(event.span, None)
        if began is None or event.phase is Phase.FAILED:
            continue
        if op is Op.GET:
            reads.append((event.time - began) * 1000.0)
        elif op is Op.UPDATE:
            updates.append((event.time - began) * 1000.0)
        elif event.op not in (Op.DELAY, Op.INCONSISTENT, Op.PREWARM, Op.REFRESH, Op.TOUCH):
            # A store round trip; count those made on behalf of updates below.
            trips += 1 if _under_update(event.parent, parents) else 0
    read_p50, read_p95 = _p50_p95(reads)
    update_p50, update_p95 = _p50_p95(updates)
    return Cost(
        strategy=strategy.name,
        seconds=sim.now(),
        reads=len(reads),
        updates=len(updates),
        stale=sim.oracle.stale,
        read_p50_ms=read_p50,
        read_p95_ms=read_p95,
        update_p50_ms=update_p50,
        update_p95_ms=update_p95,
        round_trips_per_update=trips / len(updates) if updates else 0.0,
    )


def _under_update(parent: int, open_ops: dict[int, Op]) -> bool:
    return open_ops.get(parent) is Op.UPDATE
