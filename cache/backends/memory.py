"""The simulated cache server: a dict on virtual time.

Each call sleeps one drawn round trip on the scheduler and then applies its effect in one
step, so the effect lands at the instant the caller is told it is done. Nothing is shared
with real time or real threads: the same seed gives the same server, byte for byte.

Leases and tombstones live beside the values (on Redis they are the entry's own value, a
marker string): an entry holds at most one of a value, a lease and a tombstone, and any
write or delete of the entry clears its marker, as overwriting the Redis key would.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping, Sequence

from cache.backends.base import Cached, Delete, FillIf, Snapshot, Tombstone, Write
from cache.latency import Latency
from cache.scheduler.core import Scheduler, WaitQueue
from cache.scheduler.tasks import sleep_for

__all__ = ["SimBackend"]


class SimBackend:
    """An in-memory cache server whose every call takes simulated latency."""

    name = "sim"

    def __init__(self, scheduler: Scheduler, latency: Latency | None = None) -> None:
        self._scheduler = scheduler
        self._rng = scheduler.rng
        self.latency = latency if latency is not None else Latency()
        self.data: dict[str, int] = {}
        self._locks: dict[str, tuple[str, float]] = {}
        self._lock_queues: dict[str, WaitQueue] = {}
        self._tokens = 0
        self._leases: dict[str, tuple[str, float]] = {}  # key -> (token, expires at)
        self._tombstones: dict[str, int] = {}
        self.calls = 0

    def _trip(self, op: str) -> Awaitable[None]:
        self.calls += 1
        return sleep_for(self.latency.draw(op, self._rng))

    def _queue(self, key: str) -> WaitQueue:
        queue = self._lock_queues.get(key)
        if queue is None:
            queue = self._lock_queues[key] = self._scheduler.wait_queue()
        return queue

    def _holder(self, key: str) -> tuple[str, float] | None:
        held = self._locks.get(key)
        if held is not None and held[1] <= self._scheduler.now():
            del self._locks[key]  # expired, as Redis would have let it
            return None
        return held

    def _unmark(self, key: str) -> bool:
        """Clear ``key``'s lease or tombstone (a write or delete of the entry voids it)."""
        return (
            self._leases.pop(key, None) is not None or self._tombstones.pop(key, None) is not None
        )

    def _apply(self, writes: Sequence[Write]) -> None:
        data = self.data
        marked = bool(self._leases or self._tombstones)
        for write in writes:
            if isinstance(write, Delete):
                for key in write.keys:
                    data.pop(key, None)
                    if marked:
                        self._unmark(key)
            elif isinstance(write, Tombstone):
                data.pop(write.key, None)
                self._leases.pop(write.key, None)
                self._tombstones[write.key] = write.version
                marked = True
            else:
                data[write.key] = write.version
                if marked:
                    self._unmark(write.key)

    async def load(self, entries: Mapping[str, int]) -> None:
        self.data.update(entries)

    async def read(
        self, key: str, related: Sequence[str], *, respect_lock: bool = False
    ) -> Snapshot:
        waits = 0
        while True:
            await self._trip("read")
            if respect_lock:
                held = self._holder(key)
                if held is not None:
                    waits += 1
                    await self._queue(key).wait(held[1] - self._scheduler.now())
                    continue
            data = self.data
            return Snapshot(data.get(key), tuple([data.get(k) for k in related]), waits)

    async def set(self, key: str, version: int) -> None:
        await self._trip("set")
        self.data[key] = version
        if self._leases or self._tombstones:
            self._unmark(key)

    async def delete(self, keys: Sequence[str]) -> int:
        await self._trip("delete")
        data = self.data
        marked = self._leases or self._tombstones
        existed = 0
        for key in keys:
            if data.pop(key, None) is not None:
                existed += 1
            elif marked and self._unmark(key):
                existed += 1  # Redis counts a marker's key as existing too
        return existed

    async def rebuild(self, key: str, related: Sequence[str]) -> int | None:
        await self._trip("rebuild")
        data = self.data
        version = data.get(key)
        for other in related:
            if version is None:
                data.pop(other, None)
            else:
                data[other] = version
            if self._leases or self._tombstones:
                self._unmark(other)
        return version

    async def exec(self, writes: Sequence[Write]) -> None:
        await self._trip("exec")
        self._apply(writes)

    async def version(self, key: str) -> int | None:
        await self._trip("version")
        return self.data.get(key)

    async def exec_if(self, key: str, expected: int | None, writes: Sequence[Write]) -> bool:
        await self._trip("exec")
        if self.data.get(key) != expected:
            return False
        self._apply(writes)
        return True

    async def lock(self, key: str, ttl: float) -> tuple[str, int]:
        taken = 0
        while True:
            await self._trip("lock")
            held = self._holder(key)
            if held is None:
                self._tokens += 1
                token = f"{self._scheduler.task_name()}#{self._tokens}"
                self._locks[key] = (token, self._scheduler.now() + ttl)
                return token, taken
            taken += 1
            # Woken by the holder's unlock, or when its lock would expire.
            await self._queue(key).wait(held[1] - self._scheduler.now())

    async def unlock(self, key: str, token: str) -> bool:
        await self._trip("unlock")
        held = self._locks.get(key)
        if held is None or held[0] != token:
            return False
        del self._locks[key]
        queue = self._lock_queues.get(key)
        if queue is not None:
            queue.wake_all()
        return True

    async def touch(self, keys: Sequence[str], ttl: float) -> int:
        await self._trip("touch")
        return sum(1 for key in keys if key in self.data)

    async def cached(self, key: str) -> Cached:
        await self._trip("cached")
        return Cached(self.data.get(key), self._tombstones.get(key))

    def _lease_of(self, key: str) -> str | None:
        held = self._leases.get(key)
        if held is not None and held[1] <= self._scheduler.now():
            del self._leases[key]  # expired, as its PX would have made Redis drop it
            return None
        return held[0] if held is not None else None

    async def fill(
        self, key: str, version: int, when: FillIf = FillIf.ALWAYS, token: str = ""
    ) -> bool:
        await self._trip("fill")
        data = self.data
        current = data.get(key)
        if when is FillIf.ABSENT:
            ok = current is None and self._lease_of(key) is None and key not in self._tombstones
        elif when is FillIf.NEWER:
            tomb = self._tombstones.get(key)
            ok = (current is None or current < version) and (tomb is None or tomb <= version)
        elif when is FillIf.LEASE:
            ok = bool(token) and self._lease_of(key) == token
        elif when is FillIf.SAME:
            ok = current == version
        else:
            ok = True
        if ok:
            data[key] = version
            self._unmark(key)
        return ok

    async def lease(self, key: str, ttl: float) -> str | None:
        await self._trip("lease")
        if key in self.data or key in self._tombstones or self._lease_of(key) is not None:
            return None
        self._tokens += 1
        token = f"{self._scheduler.task_name()}#{self._tokens}"
        self._leases[key] = (token, self._scheduler.now() + ttl)
        return token

    async def tombstone(self, key: str, version: int) -> None:
        await self._trip("tombstone")
        self.data.pop(key, None)
        self._leases.pop(key, None)
        self._tombstones[key] = version

    async def incr(self, key: str, *, script: bool = False) -> int:
        await self._trip("incr")
        value = self.data.get(key, 0) + 1
        self.data[key] = value
        return value

    async def close(self) -> None:
        pass

    def __repr__(self) -> str:
        return f"<SimBackend {len(self.data)} keys, {len(self._locks)} locked, {self.calls} calls>"
