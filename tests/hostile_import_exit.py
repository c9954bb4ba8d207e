"""A strategy module that calls sys.exit(3) at import: must not end the process."""

from __future__ import annotations

import sys

sys.exit(3)
