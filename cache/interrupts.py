"""Telling the user's Ctrl+C from user code that raises ``KeyboardInterrupt``.

Both arrive as the same exception. A real Ctrl+C must still stop the program; a strategy
that raises ``KeyboardInterrupt`` (or ``SystemExit``) is a bug in the strategy and must end
its run with a message, not the process. ``watching_sigint`` puts a handler in front of
Python's own for the duration of a run, which notes that a real SIGINT arrived and then
raises as Python would; ``is_real_interrupt`` asks that note.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

__all__ = ["is_real_interrupt", "watching_sigint"]


class _Watch:
    received = False  # a real SIGINT arrived while the watch was installed
    depth = 0  # nested watches (the main thread's only)


_watch = _Watch()


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    _watch.received = True
    signal.default_int_handler(signum, frame)


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


class watching_sigint:
    """Note real Ctrl+Cs while the block runs. Only where Python's default handler is in
    place on the main thread: anyone else's handler (asyncio's, a UI's) is left alone.

    A class rather than a generator: a batch enters it once per run, and a nested watch
    (the batch already watches) costs a counter, not a look at the signal table.
    """

    __slots__ = ("_active",)

    def __init__(self) -> None:
        self._active = False

    def __enter__(self) -> None:
        if _watch.depth > 0:
            # Only the main thread ever installs the watch.
            if _main_thread():
                _watch.depth += 1
                self._active = True
            return
        if not _main_thread():
            return
        previous = signal.getsignal(signal.SIGINT)
        if previous is not signal.default_int_handler and previous is not _on_sigint:
            return
        _watch.received = False
        signal.signal(signal.SIGINT, _on_sigint)
        _watch.depth = 1
        self._active = True

    def __exit__(self, *exc: object) -> None:
        if not self._active:
            return
        self._active = False
        _watch.depth -= 1
        if _watch.depth == 0:
            signal.signal(signal.SIGINT, signal.default_int_handler)


def is_real_interrupt(error: BaseException) -> bool:
    """Whether ``error`` is the user's Ctrl+C (let it through) rather than code raising
    ``KeyboardInterrupt`` or ``SystemExit`` (a failure of that code)."""
    if not isinstance(error, KeyboardInterrupt):
        return False
    if not _main_thread():
        return False  # signals are delivered to the main thread only
    if _watch.depth > 0:
        return _watch.received
    # No watch: Python's handler means we cannot tell, so let it through; any other handler
    # (asyncio's turns Ctrl+C into a cancellation) means the user did not send this one.
    return signal.getsignal(signal.SIGINT) is signal.default_int_handler
