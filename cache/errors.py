"""The one base class for everything that can end a run early.

A run fails for reasons that are not the caller's input: the strategy's own code raised,
the tasks deadlocked or spun, the store went away, a real-time run stalled. Front ends catch
``RunFailed`` once and print its message; each subclass says what happened in one line.
"""

from __future__ import annotations

__all__ = ["RunFailed"]


class RunFailed(Exception):
    """A run could not finish; ``str(error)`` is one line that says why."""
