"""Reports and saved progress are written atomically, by the engine's one writer
(``cache.atomic``)."""

from __future__ import annotations

from cache.atomic import write_atomic

__all__ = ["write_atomic"]
