"""The store a strategy talks to, as one small interface with two implementations.

Values are versions: a primary entry holds the version of the update that wrote it, and a
related (derived) entry holds the version of the primary it was derived from. That is all the
oracle needs to tell fresh from stale, and it maps one-to-one onto strings in Redis.

Every method is one round trip, and each is atomic on the server, as the Redis commands they
stand for are (GET/MGET, SET, DEL, MULTI/EXEC, WATCH, SET NX PX, a Lua script for
``rebuild``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import NamedTuple, Protocol

from cache.errors import RunFailed

__all__ = [
    "Backend",
    "BackendError",
    "Cached",
    "Delete",
    "FillIf",
    "Set",
    "Snapshot",
    "Tombstone",
    "Write",
]


class BackendError(RunFailed):
    """The store failed (unreachable, killed, protocol error); not the strategy's fault."""


class Set(NamedTuple):
    """Queue a SET of ``key`` to ``version`` inside a transaction."""

    key: str
    version: int


class Delete(NamedTuple):
    """Queue a DEL of ``keys`` inside a transaction."""

    keys: tuple[str, ...]


class Tombstone(NamedTuple):
    """Queue a versioned delete of ``key`` inside a transaction (see ``Backend.tombstone``)."""

    key: str
    version: int


Write = Set | Delete | Tombstone


class Snapshot(NamedTuple):
    """A primary entry and its related entries, read together in one atomic round trip.

    ``None`` means absent. ``lock_waits`` counts how often the read found the key locked and
    waited (only when the reader respects locks).
    """

    primary: int | None
    related: tuple[int | None, ...]
    lock_waits: int = 0


class FillIf(StrEnum):
    """When a fill (a cached copy of a value read elsewhere) may land, and the Redis
    primitive that decides it on the server."""

    ALWAYS = "always"  # SET: whatever the entry holds now
    ABSENT = "absent"  # SET NX: only into an empty entry (a lease or a tombstone counts)
    NEWER = "newer"  # Lua: never over an equal or newer value, nor under a newer tombstone
    LEASE = "lease"  # Lua: only while the caller's lease is still there (a delete voids it)
    SAME = "same"  # Lua: only while the entry still holds this very value (refresh it)


class Cached(NamedTuple):
    """One cache entry as a reader finds it: a value, or a tombstone left by a versioned
    delete (the version that superseded it), or neither."""

    value: int | None
    tombstone: int | None = None


class Backend(Protocol):
    """One cache server, as strategies see it."""

    name: str

    async def load(self, entries: Mapping[str, int]) -> None:
        """Write a fixture before the run starts (no latency, not recorded)."""
        ...

    async def read(
        self, key: str, related: Sequence[str], *, respect_lock: bool = False
    ) -> Snapshot:
        """The primary and its related entries. With ``respect_lock``, a read that finds
        ``key`` locked waits until it is unlocked and reads again."""
        ...

    async def set(self, key: str, version: int) -> None:
        """Store ``version`` as ``key``'s value."""
        ...

    async def delete(self, keys: Sequence[str]) -> int:
        """Delete ``keys``; returns how many existed."""
        ...

    async def rebuild(self, key: str, related: Sequence[str]) -> int | None:
        """Derive the related entries from the primary as it is now, atomically on the
        server; returns the primary version used (``None`` if the primary is absent)."""
        ...

    async def exec(self, writes: Sequence[Write]) -> None:
        """Apply ``writes`` as one transaction (MULTI/EXEC): all at once, nothing between."""
        ...

    async def version(self, key: str) -> int | None:
        """Read ``key``'s version and start watching it for ``exec_if``."""
        ...

    async def exec_if(self, key: str, expected: int | None, writes: Sequence[Write]) -> bool:
        """Apply ``writes`` atomically only if ``key`` still holds ``expected`` (WATCH);
        False when another writer got there first."""
        ...

    async def lock(self, key: str, ttl: float) -> tuple[str, int]:
        """Acquire ``key``'s lock for at most ``ttl`` seconds, waiting while another holder
        has it; returns the owner token and how many attempts found it taken."""
        ...

    async def unlock(self, key: str, token: str) -> bool:
        """Release the lock if ``token`` still owns it (an expired lock is not ours)."""
        ...

    async def touch(self, keys: Sequence[str], ttl: float) -> int:
        """Extend the time to live of ``keys``; returns how many exist."""
        ...

    async def cached(self, key: str) -> Cached:
        """One entry: its value, or the tombstone a versioned delete left (``GET``)."""
        ...

    async def fill(
        self, key: str, version: int, when: FillIf = FillIf.ALWAYS, token: str = ""
    ) -> bool:
        """Write a copy of ``version`` into the entry ``key`` if ``when`` allows (``token``:
        the lease, for ``FillIf.LEASE``); True if it landed."""
        ...

    async def lease(self, key: str, ttl: float) -> str | None:
        """On a miss, take a lease on ``key`` (``SET NX PX``: a placeholder in the entry that
        any write or delete of it voids); its token, or None if the entry is not empty."""
        ...

    async def tombstone(self, key: str, version: int) -> None:
        """A versioned delete: replace the entry with a tombstone saying ``version``
        superseded whatever it held, so that a fill of an older value can tell."""
        ...

    async def incr(self, key: str, *, script: bool = False) -> int:
        """Add one to the counter ``key`` on the server (``INCR``, or with ``script`` a Lua
        read-modify-write); returns the new value."""
        ...

    async def close(self) -> None:
        """Release connections and, for a real server, this run's keys."""
        ...
