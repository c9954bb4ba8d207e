"""A strategy module that takes a minute to import: a loader with a timeout must give up on
it, and a UI that loads it must stay responsive. Import it only through such a loader
(``load_strategy(..., timeout=...)``): a plain import blocks for the whole minute."""

from __future__ import annotations

import time

time.sleep(60)

from tests.user_strategies import WriteThrough as Slow  # noqa: E402

__all__ = ["Slow"]
