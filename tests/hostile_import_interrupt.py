"""A strategy module that raises KeyboardInterrupt at import (no one pressed Ctrl+C)."""

from __future__ import annotations

raise KeyboardInterrupt
