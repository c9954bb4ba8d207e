"""What an exploration found, as data (``to_json``) for the CLI, the app and CI."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cache.explore.spec import ExploreSpec

__all__ = ["ExploreReport", "Minimal"]


@dataclass(slots=True)
class Minimal:
    """The shrunk failing schedule."""

    token: str
    table: str
    tasks: list[str]
    steps: int
    preemptions: int
    explanation: str
    causality: list[float] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "token": self.token,
            "tasks": self.tasks,
            "steps": self.steps,
            "preemptions": self.preemptions,
            "explanation": self.explanation,
            "table": self.table,
            "causality": self.causality,
        }


@dataclass(slots=True)
class ExploreReport:
    """``found``, ``schedules``, ``token`` and ``seconds`` are a contract with scripts."""

    spec: ExploreSpec
    policy: str
    seed: int
    found: bool = False
    schedules: int = 0
    seconds: float = 0.0
    token: str | None = None
    tokens: list[str] = field(default_factory=list)  # every failing schedule with all=True
    explanation: str = ""
    abandoned: int = 0
    cancelled: bool = False
    facts: dict[str, Any] = field(default_factory=dict)
    minimal: Minimal | None = None

    @property
    def per_second(self) -> float:
        return self.schedules / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "found": self.found,
            "schedules": self.schedules,
            "token": self.token,
            "seconds": round(self.seconds, 6),
            "policy": self.policy,
            "seed": self.seed,
            "strategy": self.spec.strategy,
            "scenario": self.spec.describe(),
            "failures": len(self.tokens),
            "tokens": self.tokens,
            "explanation": self.explanation or None,
            "abandoned": self.abandoned,
            "cancelled": self.cancelled,
            "schedules_per_second": round(self.per_second, 1),
            **self.facts,
            "minimal": None if self.minimal is None else self.minimal.to_json(),
        }
