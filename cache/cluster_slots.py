"""Which strategies need a primary and its related entries in one Redis Cluster slot.

On a cluster, a command, a MULTI/EXEC, a WATCH or a Lua script whose keys fall in different
slots is refused (``CROSSSLOT``). Each strategy below sends such a multi-key command; the
workbench hash-tags every run's keys (``rwb:<session>:{<run>}:``) so they share one slot, and
an application porting the strategy must tag its keys the same way (``{user:123}`` and
``{user:123}:profile``). Kept apart from the Redis modules so ``workbench strategies`` can
say it without importing redis-py.
"""

from __future__ import annotations

__all__ = ["SAME_SLOT", "same_slot"]

_MGET = "MGET of the primary and its related entries"
_ASIDE = "MULTI/EXEC of the primary and its cached copy, and a Lua fill of the copy from it"

SAME_SLOT: dict[str, str] = {
    "sync": _MGET,
    "naive-async": _MGET + "; its update is three separate commands, which is the race",
    "lock": "a Lua script checks the lock and reads the primary and related entries at once",
    "transaction": "MULTI/EXEC of the primary and its related entries",
    "versioned": "a Lua script rebuilds the related entries from the primary",
    "watch": "WATCH the primary, then MULTI/EXEC with its related entries",
    "aside-safe": _ASIDE,
    "prewarm-overwrite": _ASIDE,
    "prewarm-add": _ASIDE,
    "prewarm-versioned": _ASIDE,
    "fill": _ASIDE,
    "fill-lease": _ASIDE,
    "fill-versioned": _ASIDE,
    "refresh-rewrite": _ASIDE,
    "refresh-touch": _ASIDE,
    "refresh-if-same": _ASIDE,
    "replica-fill": _ASIDE,
    "primary-fill": _ASIDE,
    "remote-marker": _ASIDE,
}


def same_slot(strategy: str) -> str:
    """Why ``strategy`` needs its keys in one cluster slot ("" if it does not)."""
    return SAME_SLOT.get(strategy, "")
