"""How many runs one batch may have: what ``workbench run --runs`` and every batch accept.

Apart from ``cache.batch`` so that the settings' specs (which the app's first screen imports)
can say it without loading the engine.
"""

from __future__ import annotations

__all__ = ["MAX_RUNS"]

MAX_RUNS = 10_000_000
