"""Where coroutines that refuse to be closed are kept.

A task that swallows ``GeneratorExit`` (``except BaseException: continue`` around an await)
cannot be closed: ``close()`` raises, and when the coroutine is later garbage-collected
Python prints "Exception ignored in: <coroutine ...>" with a traceback, from wherever the
collection happens to run (the middle of another run, or a UI frame). Such coroutines are
kept here instead, alive until the process exits, and their one last complaint at exit is
filtered out of ``sys.unraisablehook``: the run they belonged to has already failed with a
message that says what the strategy did.

They are also leaked on purpose (one extra reference each that nothing releases), so that the
interpreter never finalizes them at exit: by then their module's globals are gone, and a
coroutine that catches everything around ``await asyncio.sleep(0)`` catches the resulting
``AttributeError`` too and spins forever, so the process would never end.
"""

from __future__ import annotations

import atexit
import sys
from collections.abc import Coroutine
from typing import Any

__all__ = ["awaiting", "bury"]

_buried: list[Any] = []
# A hostile batch could make thousands; past this, the rest are let go (and may complain).
_LIMIT = 10_000


class _Hook:
    previous: Any = sys.unraisablehook


def _filter(unraisable: Any, buried: list[Any] = _buried, hook: type[_Hook] = _Hook) -> None:
    # Bound through defaults: at interpreter exit this module's globals may already be None.
    if any(unraisable.object is coro for coro in buried):
        return
    previous = hook.previous or sys.__unraisablehook__
    previous(unraisable)


def _install() -> None:
    if sys.unraisablehook is not _filter:
        _Hook.previous = sys.unraisablehook
        sys.unraisablehook = _filter


def awaiting(coro: Coroutine[Any, Any, Any]) -> list[Any]:
    """``coro`` and what it awaits, down the chain: the one that refuses to close is
    usually the innermost (the strategy's), not the task's own."""
    chain: list[Any] = []
    link: Any = coro
    while link is not None and len(chain) < 100:
        chain.append(link)
        link = getattr(link, "cr_await", None) or getattr(link, "gi_yieldfrom", None)
    return chain


def bury(chain: list[Any]) -> None:
    """Keep the coroutines of ``chain`` that did not close from complaining when they are
    collected."""
    alive = [c for c in chain if getattr(c, "cr_frame", getattr(c, "gi_frame", None)) is not None]
    if not alive or len(_buried) >= _LIMIT:
        return
    if not _buried:
        atexit.register(_install)  # test runners swap the hook back and forth meanwhile
    import ctypes

    for coro in alive:
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(coro))
    _buried.extend(alive)
    _install()
