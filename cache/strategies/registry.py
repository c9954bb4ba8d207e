"""Finding strategies by name, or loading a user's own from ``module:Class``."""

from __future__ import annotations

import importlib

from cache.strategies.base import Strategy
from cache.strategies.lock import LockStrategy
from cache.strategies.naive import NaiveAsyncStrategy
from cache.strategies.sync import SyncStrategy
from cache.strategies.transaction import TransactionStrategy
from cache.strategies.versioned import VersionedStrategy
from cache.strategies.watch import WatchStrategy

__all__ = ["BUILTIN", "StrategyNotFound", "load_strategy", "strategy_names"]

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


class StrategyNotFound(ValueError):
    """The name is not a strategy, or the import path does not lead to one. The message is
    one line that says what was wrong and what is allowed."""


def strategy_names() -> list[str]:
    """The built-in strategies, in teaching order."""
    return list(BUILTIN)


def load_strategy(spec: str) -> type[Strategy]:
    """A built-in by name (``lock``), or a user's class by import path (``pkg.mod:Class``)."""
    spec = spec.strip()
    if spec in BUILTIN:
        return BUILTIN[spec]
    if ":" not in spec:
        valid = ", ".join(BUILTIN)
        raise StrategyNotFound(
            f"unknown strategy {spec!r}; choose one of {valid}, or give module:Class"
        )
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise StrategyNotFound(f"{spec!r} is not of the form module:Class")
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # any import-time failure is the user's module, not ours
        raise StrategyNotFound(
            f"cannot import {module_name!r} for strategy {spec!r}: {type(error).__name__}: {error}"
        ) from error
    obj = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise StrategyNotFound(f"module {module_name!r} has no {attr!r}") from None
    if not (isinstance(obj, type) and issubclass(obj, Strategy)):
        what = f"the class {obj.__name__}" if isinstance(obj, type) else f"a {type(obj).__name__}"
        raise StrategyNotFound(
            f"{spec!r} is not a strategy: it is {what}, not a subclass of cache.Strategy"
        )
    if bool(getattr(obj, "__abstractmethods__", None)):
        missing = ", ".join(sorted(getattr(obj, "__abstractmethods__", ())))
        raise StrategyNotFound(f"{spec!r} is abstract: it does not implement {missing}")
    for attribute in ("name", "description", "guarantee"):
        if not isinstance(getattr(obj, attribute, None), str):
            raise StrategyNotFound(f"{spec!r} must set the class attribute {attribute!r} (a str)")
    return obj
