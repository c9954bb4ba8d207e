"""A strategy module that fails at import with something other than ImportError."""

from __future__ import annotations

raise ZeroDivisionError("the module divides by zero at import\nsecond line")
