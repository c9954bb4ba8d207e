"""The two kinds of error a front end has to tell apart, and one safe way to print any error.

* ``BadInput``: what the user asked for cannot be done as asked (a bad URL, an unknown
  strategy, a seed out of range). A command line exits 2 and says what is allowed.
* ``RunFailed``: the input was fine but a run failed (a strategy raised, tasks deadlocked, a
  run exceeded its budget, the server went away). A command line exits 1.

Every message is one line. ``describe`` turns *any* exception into such a line, even one
whose ``__str__`` raises or holds a Redis password, so a front end can print what it caught
without a traceback and without leaking a secret.
"""

from __future__ import annotations

__all__ = [
    "MESSAGE_LIMIT",
    "BadInput",
    "RunFailed",
    "StrategyFailed",
    "describe",
    "one_line",
    "safe_repr",
]

# Long enough for any message of ours; a user's exception may carry megabytes.
MESSAGE_LIMIT = 400


class BadInput(ValueError):
    """The request cannot be done as asked; the message says what is allowed."""


class RunFailed(Exception):
    """A run failed for a reason other than bad input; the message is one line."""


class StrategyFailed(RunFailed):
    """The strategy's own code raised: a bug in the strategy, reported with its name."""

    def __init__(self, strategy: str, call: str, error: BaseException) -> None:
        super().__init__(f"strategy {strategy!r} raised in {call}: {describe(error)}")
        self.strategy = strategy
        self.call = call
        self.error = error


def one_line(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """``text`` with every run of whitespace (newlines too) made one space, secrets masked,
    and cut to ``limit`` characters."""
    from cache.redis_url import mask_secrets  # here: redis_url's errors subclass BadInput

    bound = 50 * limit  # a user's message may be megabytes: mask only what can be shown
    if len(text) > bound:
        # Cut in the middle of a URL, its password would no longer look like one.
        text = text[:bound].rsplit(None, 1)[0] if text[:bound].split() else ""
    flat = mask_secrets(" ".join(text.split()))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _text(error: BaseException) -> str:
    try:
        return str(error)
    except BaseException:  # a user's __str__ may raise anything, even SystemExit
        return ""


def describe(error: BaseException) -> str:
    """One line for ``error``: its own message for our errors, ``Type: message`` for anyone
    else's. Never raises, never spans lines, never shows a password."""
    try:
        text = _text(error)
        if isinstance(error, (BadInput, RunFailed)) and text:
            return one_line(text)
        try:
            kind = type(error).__name__
        except BaseException:
            kind = "exception"
        if not text:
            return one_line(f"{kind} (its message could not be shown)" if _broken(error) else kind)
        return one_line(f"{kind}: {text}")
    except BaseException:
        return "an exception that cannot be described"


def _broken(error: BaseException) -> bool:
    try:
        str(error)
    except BaseException:
        return True
    return False


def safe_repr(value: object, limit: int = 80) -> str:
    """``repr(value)`` for a message: a user's object may have a ``__repr__`` that raises
    or returns pages."""
    try:
        text = repr(value)
    except BaseException:
        try:
            text = f"<a {type(value).__name__}>"
        except BaseException:
            text = "<an object>"
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
