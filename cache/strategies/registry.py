"""Finding strategies by name, or loading a user's own from ``module:Class``."""

from __future__ import annotations

import importlib
import inspect

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

__all__ = [
    "ALL_STRATEGIES",
    "BUILTIN",
    "RACE_STRATEGIES",
    "StrategyNotFound",
    "load_strategy",
    "strategies_for",
    "strategy_names",
]

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


class StrategyNotFound(ValueError):
    """The name is not a strategy, or the import path does not lead to one. The message is
    one line that says what was wrong and what is allowed."""


def strategy_names() -> list[str]:
    """The built-in strategies, in teaching order."""
    return list(BUILTIN)


def load_strategy(spec: str) -> type[Strategy]:
    """A built-in by name (``lock``), or a user's class by import path (``pkg.mod:Class``)."""
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
    if not (inspect.isclass(obj) and issubclass(obj, Strategy)):
        what = f"the class {obj.__name__}" if inspect.isclass(obj) else f"a {type(obj).__name__}"
        raise StrategyNotFound(
            f"{spec!r} is not a strategy: it is {what}, not a subclass of cache.Strategy"
        )
    if inspect.isabstract(obj):
        missing = ", ".join(sorted(getattr(obj, "__abstractmethods__", ())))
        raise StrategyNotFound(f"{spec!r} is abstract: it does not implement {missing}")
    for attribute in ("name", "description", "guarantee"):
        if not isinstance(getattr(obj, attribute, None), str):
            raise StrategyNotFound(f"{spec!r} must set the class attribute {attribute!r} (a str)")
    return obj
