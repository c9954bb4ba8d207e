"""The experiment's dials: settings that apply to any strategy."""

from __future__ import annotations

from dataclasses import dataclass

from cache.latency import Latency

__all__ = ["Knobs"]


@dataclass(frozen=True, slots=True)
class Knobs:
    """Settings that apply to any strategy: the experiment's dials."""

    widen_ms: float = 0.0
    latency_scale: float = 1.0
    jitter: float = 0.6
    lock_ttl_ms: float = 1000.0
    max_retries: int = 8

    def __post_init__(self) -> None:
        if self.widen_ms < 0:
            raise ValueError(f"widen must be 0 or more milliseconds, not {self.widen_ms:g}")
        if self.lock_ttl_ms <= 0:
            raise ValueError("the lock's time to live must be positive")
        if self.max_retries < 0:
            raise ValueError("max_retries cannot be negative")
        Latency(self.latency_scale, self.jitter)  # validates both

    def latency(self) -> Latency:
        return Latency(self.latency_scale, self.jitter)
