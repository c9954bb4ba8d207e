"""Finding strategies by name, or loading a user's own from ``module:Class``.

A user's module is code we do not control: importing it may raise anything (even
``SystemExit``), hang, or hand back an object whose attribute lookups raise. ``load_strategy``
turns every such outcome into a one-line ``StrategyNotFound`` (bad input); with ``timeout``
it imports on a worker thread, so a front end never waits longer than that for a module that
sleeps at import (``load_strategy_async`` does the same for an event loop).

Like ``python -m``, a ``module:Class`` lookup also searches the current directory, so
``-s mystrat:Fix`` finds ``./mystrat.py`` however the workbench was started.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import os
import sys
import threading
from typing import TYPE_CHECKING

from cache.errors import BadInput, StrategyFailed, describe
from cache.interrupts import is_real_interrupt, watching_sigint
from cache.strategies.base import Strategy
from cache.strategies.counter import (
    IncrStrategy,
    LuaIncrementStrategy,
    ReadModifyWriteStrategy,
    WatchIncrStrategy,
)
from cache.strategies.lock import LockStrategy
from cache.strategies.naive import NaiveAsyncStrategy
from cache.strategies.prewarm import (
    AddPrewarmStrategy,
    OverwritePrewarmStrategy,
    VersionedPrewarmStrategy,
)
from cache.strategies.refresh import (
    RefreshIfSameStrategy,
    RewriteRefreshStrategy,
    TouchRefreshStrategy,
)
from cache.strategies.replica import (
    PrimaryFillStrategy,
    RemoteMarkerStrategy,
    ReplicaFillStrategy,
)
from cache.strategies.stale_set import (
    LeaseFillStrategy,
    NaiveFillStrategy,
    VersionedFillStrategy,
)
from cache.strategies.sync import SyncStrategy
from cache.strategies.transaction import TransactionStrategy
from cache.strategies.versioned import VersionedStrategy
from cache.strategies.watch import WatchStrategy

if TYPE_CHECKING:  # imported where used: ``workbench run`` never loads it (nor logging)
    from concurrent.futures import Future

__all__ = [
    "ALL_STRATEGIES",
    "BUILTIN",
    "IMPORT_TIMEOUT_S",
    "RACE_STRATEGIES",
    "StrategyNotFound",
    "instantiate",
    "load_strategy",
    "load_strategy_async",
    "strategies_for",
    "strategy_names",
]

# What a front end waits for a user's module to import before giving up on it.
IMPORT_TIMEOUT_S = 5.0

BUILTIN: dict[str, type[Strategy]] = {
    cls.name: cls
    for cls in (
        SyncStrategy,
        NaiveAsyncStrategy,
        LockStrategy,
        TransactionStrategy,
        VersionedStrategy,
        WatchStrategy,
    )
}


# The races beyond the story (docs/races.md): each race's broken strategy first, then its
# fixes. They run only on their own race's scenario (cache.scenarios.registry).
RACE_STRATEGIES: dict[str, type[Strategy]] = {
    cls.name: cls
    for cls in (
        NaiveFillStrategy,
        LeaseFillStrategy,
        VersionedFillStrategy,
        RewriteRefreshStrategy,
        TouchRefreshStrategy,
        RefreshIfSameStrategy,
        OverwritePrewarmStrategy,
        AddPrewarmStrategy,
        VersionedPrewarmStrategy,
        ReadModifyWriteStrategy,
        WatchIncrStrategy,
        IncrStrategy,
        LuaIncrementStrategy,
        ReplicaFillStrategy,
        PrimaryFillStrategy,
        RemoteMarkerStrategy,
    )
}
ALL_STRATEGIES: dict[str, type[Strategy]] = {**BUILTIN, **RACE_STRATEGIES}


def strategies_for(race: str) -> list[type[Strategy]]:
    """The built-in strategies written for ``race``, the broken one first."""
    return [cls for cls in ALL_STRATEGIES.values() if cls.race == race]


class StrategyNotFound(BadInput):
    """The name is not a strategy, or the import path does not lead to one. The message is
    one line that says what was wrong and what is allowed."""


def strategy_names() -> list[str]:
    """The built-in strategies, in teaching order."""
    return list(BUILTIN)


def load_strategy(spec: str, *, timeout: float | None = None) -> type[Strategy]:
    """A built-in by name (``lock``), or a user's class by import path (``pkg.mod:Class``).

    With ``timeout`` (seconds), a user's module is imported on a worker thread and a module
    that takes longer is reported instead of waited for (the thread cannot be stopped; it
    finishes, or not, on its own)."""
    spec = spec.strip()
    if spec in ALL_STRATEGIES:
        return ALL_STRATEGIES[spec]
    if ":" not in spec:
        valid = ", ".join(ALL_STRATEGIES)
        raise StrategyNotFound(
            f"unknown strategy {spec!r}; choose one of {valid}, or give module:Class"
        )
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise StrategyNotFound(f"{spec!r} is not of the form module:Class")
    if timeout is None:
        return _load(spec, module_name, attr)
    return _in_thread(spec, module_name, attr, timeout).result()


async def load_strategy_async(spec: str, *, within: float = IMPORT_TIMEOUT_S) -> type[Strategy]:
    """``load_strategy`` for an event loop: the import runs on a worker thread, so the loop
    (a UI) keeps running however long the module takes, and gives up after ``within``
    seconds."""
    spec = spec.strip()
    if spec in BUILTIN or ":" not in spec:
        return load_strategy(spec)
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        return load_strategy(spec)
    import asyncio  # here, not at the top: ``workbench run`` never needs an event loop

    loop = asyncio.get_running_loop()
    waiter: asyncio.Future[type[Strategy]] = loop.create_future()

    def copy(done: Future[type[Strategy]]) -> None:
        if waiter.done():  # gave up waiting already
            return
        error = done.exception()
        if error is not None:
            waiter.set_exception(error)
        else:
            waiter.set_result(done.result())

    def relay(done: Future[type[Strategy]]) -> None:
        # Not asyncio.wrap_future: if the loop has closed by the time a slow import ends,
        # its callback would log an error from the worker thread.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(copy, done)

    _in_thread(spec, module_name, attr, None).add_done_callback(relay)
    try:
        return await asyncio.wait_for(waiter, within)
    except TimeoutError:
        raise _too_slow(spec, module_name, within) from None


def _too_slow(spec: str, module_name: str, timeout: float) -> StrategyNotFound:
    return StrategyNotFound(
        f"importing {module_name!r} for strategy {spec!r} took longer than {timeout:g}s; "
        "does the module do slow work (or sleep) at import?"
    )


def _in_thread(
    spec: str, module_name: str, attr: str, timeout: float | None
) -> Future[type[Strategy]]:
    """Load on a daemon thread (an executor's threads would be joined at exit, so a module
    that never finishes importing would keep the process from exiting)."""
    from concurrent.futures import Future

    future: Future[type[Strategy]] = Future()

    def work() -> None:
        future.set_running_or_notify_cancel()
        try:
            future.set_result(_load(spec, module_name, attr))
        except BaseException as error:  # StrategyNotFound, or SystemExit from the thread
            future.set_exception(error)

    threading.Thread(target=work, name=f"import {module_name}", daemon=True).start()
    if timeout is not None:
        done = threading.Event()
        future.add_done_callback(lambda _: done.set())
        if not done.wait(timeout):
            failed: Future[type[Strategy]] = Future()
            failed.set_exception(_too_slow(spec, module_name, timeout))
            return failed
    return future


def _on_path_cwd() -> None:
    # ``python -m workbench`` puts the current directory first on sys.path; the installed
    # console script puts its own bin directory there instead. Do as ``python -m`` does.
    cwd = os.getcwd()
    if "" not in sys.path and cwd not in sys.path:
        sys.path.insert(0, cwd)


def _import(spec: str, module_name: str) -> object:
    _on_path_cwd()
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name is not None and module_name.startswith(error.name):
            raise StrategyNotFound(
                f"cannot import {module_name!r} for strategy {spec!r}: no module named "
                f"{error.name!r} in the current directory ({os.getcwd()}) or on the Python "
                f"path; check the spelling, or run from the directory that holds "
                f"{module_name.partition('.')[0]}.py"
            ) from None
        raise StrategyNotFound(
            f"cannot import {module_name!r} for strategy {spec!r}: {describe(error)} "
            "(a module it imports is missing)"
        ) from None
    except BaseException as error:  # whatever the user's module raised at import
        if is_real_interrupt(error):
            raise
        raise StrategyNotFound(
            f"cannot import {module_name!r} for strategy {spec!r}: {describe(error)}"
        ) from None


def _load(spec: str, module_name: str, attr: str) -> type[Strategy]:
    with watching_sigint():  # so a module raising KeyboardInterrupt is not taken for Ctrl+C
        module = _import(spec, module_name)
    obj = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise StrategyNotFound(
                f"module {module_name!r} has no {attr!r}; "
                "give module:Class with a class defined in that module"
            ) from None
        except BaseException as error:  # a module or metaclass __getattr__ that raises
            if is_real_interrupt(error):
                raise
            raise StrategyNotFound(
                f"looking up {attr!r} in {module_name!r} raised {describe(error)}"
            ) from None
    try:
        return _checked(spec, obj)
    except StrategyNotFound:
        raise
    except BaseException as error:  # the class's own machinery (a metaclass) raised
        if is_real_interrupt(error):
            raise
        raise StrategyNotFound(f"checking strategy {spec!r} raised {describe(error)}") from None


def _checked(spec: str, obj: object) -> type[Strategy]:
    if not (inspect.isclass(obj) and issubclass(obj, Strategy)):
        what = f"the class {obj.__name__}" if inspect.isclass(obj) else f"a {type(obj).__name__}"
        raise StrategyNotFound(
            f"{spec!r} is not a strategy: it is {what}, not a subclass of cache.Strategy"
        )
    if bool(getattr(obj, "__abstractmethods__", None)):
        missing = ", ".join(sorted(getattr(obj, "__abstractmethods__", ())))
        raise StrategyNotFound(f"{spec!r} is abstract: it does not implement {missing}")
    for attribute in ("name", "description", "guarantee"):
        if not isinstance(getattr(obj, attribute, None), str):
            raise StrategyNotFound(f"{spec!r} must set the class attribute {attribute!r} (a str)")
    if not isinstance(getattr(obj, "readers_respect_lock", False), bool):
        raise StrategyNotFound(f"{spec!r}: readers_respect_lock must be True or False")
    return obj


def instantiate(cls: type[Strategy]) -> Strategy:
    """``cls()``; a constructor that raises (anything but the user's Ctrl+C) is the
    strategy's failure, reported as ``StrategyFailed``."""
    try:
        strategy = cls()
    except BaseException as error:
        if is_real_interrupt(error):
            raise
        raise StrategyFailed(_name(cls), "__init__", error) from None
    return strategy


def _name(cls: type[Strategy]) -> str:
    try:
        name = cls.name
    except BaseException:
        name = None
    return name if isinstance(name, str) else getattr(cls, "__qualname__", "strategy")
