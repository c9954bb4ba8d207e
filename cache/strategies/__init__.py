"""Update strategies: the broken one, the old one, and the fixes.

Each name loads its module on first use (``cache.lazy``): the app's first screen imports
``cache.strategies.naive`` without loading every other strategy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cache.lazy import exports

if TYPE_CHECKING:
    from cache.strategies.base import Context as Context
    from cache.strategies.base import Read as Read
    from cache.strategies.base import Strategy as Strategy
    from cache.strategies.base import UpdateAbandoned as UpdateAbandoned
    from cache.strategies.base import resolve as resolve
    from cache.strategies.lock import LockStrategy as LockStrategy
    from cache.strategies.naive import NaiveAsyncStrategy as NaiveAsyncStrategy
    from cache.strategies.registry import BUILTIN as BUILTIN
    from cache.strategies.registry import StrategyNotFound as StrategyNotFound
    from cache.strategies.registry import load_strategy as load_strategy
    from cache.strategies.registry import strategy_names as strategy_names
    from cache.strategies.sync import SyncStrategy as SyncStrategy
    from cache.strategies.transaction import TransactionStrategy as TransactionStrategy
    from cache.strategies.versioned import VersionedStrategy as VersionedStrategy
    from cache.strategies.watch import WatchStrategy as WatchStrategy

__getattr__, __dir__ = exports(
    __name__,
    {
        "cache.strategies.base": ("Context", "Read", "Strategy", "UpdateAbandoned", "resolve"),
        "cache.strategies.lock": ("LockStrategy",),
        "cache.strategies.naive": ("NaiveAsyncStrategy",),
        "cache.strategies.registry": (
            "BUILTIN",
            "StrategyNotFound",
            "load_strategy",
            "strategy_names",
        ),
        "cache.strategies.sync": ("SyncStrategy",),
        "cache.strategies.transaction": ("TransactionStrategy",),
        "cache.strategies.versioned": ("VersionedStrategy",),
        "cache.strategies.watch": ("WatchStrategy",),
    },
)
