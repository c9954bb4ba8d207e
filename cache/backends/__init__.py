"""Cache servers: the simulated one, a recording wrapper, and (separately) Redis."""

from __future__ import annotations

from cache.backends.base import (
    Backend,
    BackendError,
    Cached,
    Delete,
    FillIf,
    Set,
    Snapshot,
    Tombstone,
    Write,
)
from cache.backends.memory import SimBackend
from cache.backends.traced import TracedBackend

__all__ = [
    "Backend",
    "BackendError",
    "Cached",
    "Delete",
    "FillIf",
    "Set",
    "SimBackend",
    "Snapshot",
    "Tombstone",
    "TracedBackend",
    "Write",
]
