"""Update strategies: the broken one, the old one, and the fixes."""

from __future__ import annotations

from cache.strategies.base import Context, Read, Strategy, UpdateAbandoned, resolve
from cache.strategies.lock import LockStrategy
from cache.strategies.naive import NaiveAsyncStrategy
from cache.strategies.registry import BUILTIN, StrategyNotFound, load_strategy, strategy_names
from cache.strategies.sync import SyncStrategy
from cache.strategies.transaction import TransactionStrategy
from cache.strategies.versioned import VersionedStrategy
from cache.strategies.watch import WatchStrategy

__all__ = [
    "BUILTIN",
    "Context",
    "LockStrategy",
    "NaiveAsyncStrategy",
    "Read",
    "Strategy",
    "StrategyNotFound",
    "SyncStrategy",
    "TransactionStrategy",
    "UpdateAbandoned",
    "VersionedStrategy",
    "WatchStrategy",
    "load_strategy",
    "resolve",
    "strategy_names",
]
