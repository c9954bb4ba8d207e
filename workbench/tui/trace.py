"""A trace of what the screen did, for measuring the app from outside (benchmarks).

With ``RACE_WORKBENCH_TRACE=PATH`` set, the app appends one line per event to ``PATH``:
``k ID T`` each time a key event has been through the app (a key the focused widget does
not take comes back to the app's bindings, so one key may pass more than once: the last
time is when its action ran), ``p T EVENTS`` each time the screen is actually painted
(with the number of simulated events the live view shows at that moment). ``T`` is
``time.monotonic()``, which on Linux is one clock for every process, so a benchmark that typed
the key can pair its own send time with the app's times. Without the variable nothing is
installed and nothing costs anything.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import IO, Any

from textual import events
from textual.app import App

__all__ = ["TRACE_ENV", "install"]

TRACE_ENV = "RACE_WORKBENCH_TRACE"


def install(app: App[Any], shown_events: Callable[[], int]) -> None:
    """Trace ``app`` if ``RACE_WORKBENCH_TRACE`` names a file."""
    path = os.environ.get(TRACE_ENV)
    if not path:
        return
    out: IO[str] = open(path, "a", buffering=1)  # noqa: SIM115 - lives as long as the app
    clock = time.monotonic
    display = app._display
    on_event = app.on_event
    keys = [0]  # keys seen so far: each key event gets the next number

    def traced_display(screen: Any, renderable: Any) -> None:
        display(screen, renderable)
        if renderable is not None and not app._batch_count:  # written to the terminal
            out.write(f"p {clock():.6f} {shown_events()}\n")

    async def traced_event(event: events.Event) -> None:
        await on_event(event)
        if isinstance(event, events.Key):
            number = getattr(event, "_traced", None)
            if number is None:
                keys[0] += 1
                number = keys[0]
                event._traced = number  # type: ignore[attr-defined]
            out.write(f"k {number} {clock():.6f}\n")

    app._display = traced_display  # type: ignore[method-assign]
    app.on_event = traced_event  # type: ignore[method-assign]
