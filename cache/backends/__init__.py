"""Cache servers: the simulated one, a recording wrapper, and (separately) Redis.

Each name loads its module on first use (``cache.lazy``): ``cache.backends.base``, which
every strategy imports, comes without the simulated server and its scheduler.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cache.lazy import exports

if TYPE_CHECKING:
    from cache.backends.base import Backend as Backend
    from cache.backends.base import BackendError as BackendError
    from cache.backends.base import Cached as Cached
    from cache.backends.base import Delete as Delete
    from cache.backends.base import FillIf as FillIf
    from cache.backends.base import Set as Set
    from cache.backends.base import Snapshot as Snapshot
    from cache.backends.base import Tombstone as Tombstone
    from cache.backends.base import Write as Write
    from cache.backends.memory import SimBackend as SimBackend
    from cache.backends.traced import TracedBackend as TracedBackend

__getattr__, __dir__ = exports(
    __name__,
    {
        "cache.backends.base": (
            "Backend",
            "BackendError",
            "Cached",
            "Delete",
            "FillIf",
            "Set",
            "Snapshot",
            "Tombstone",
            "Write",
        ),
        "cache.backends.memory": ("SimBackend",),
        "cache.backends.traced": ("TracedBackend",),
    },
)
