"""A backend wrapper that records every round trip as a span.

Recording lives here, not in the strategies, so a user's own strategy is traced exactly like
the built-in ones and the oracle never depends on a strategy reporting honestly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cache.backends.base import Backend, Cached, Delete, FillIf, Snapshot, Tombstone, Write
from cache.events import ABORTED, Op
from cache.history import Recorder

__all__ = ["TracedBackend", "describe_writes"]


def describe_writes(writes: Sequence[Write]) -> tuple[str, int | None, str]:
    """The key, version and a short note for a transaction's span."""
    key = ""
    version: int | None = None
    parts: list[str] = []
    for write in writes:
        if isinstance(write, Delete):
            parts.append("DEL " + ",".join(write.keys))
            if not key and write.keys:
                key = write.keys[0]
        elif isinstance(write, Tombstone):
            parts.append(f"TOMBSTONE {write.key}=v{write.version}")
            if not key:
                key = write.key
        else:
            parts.append(f"SET {write.key}=v{write.version}")
            if version is None:
                key, version = write.key, write.version
    return key, version, "; ".join(parts)


class TracedBackend:
    """Wraps a ``Backend``; each call becomes a START and a COMPLETE (or FAILED) event:
    one ``Recorder.span`` each, so a call that raises (or is cancelled) is recorded as
    FAILED and the error propagates."""

    def __init__(self, inner: Backend, recorder: Recorder) -> None:
        self.inner = inner
        self.recorder = recorder
        self.name = inner.name

    async def load(self, entries: Mapping[str, int]) -> None:
        await self.inner.load(entries)

    async def read(
        self, key: str, related: Sequence[str], *, respect_lock: bool = False
    ) -> Snapshot:
        with self.recorder.span(Op.READ, key) as span:
            snap = await self.inner.read(key, related, respect_lock=respect_lock)
            span.version = snap.primary
            if snap.lock_waits:
                span.note = f"waited for lock x{snap.lock_waits}"
        return snap

    async def set(self, key: str, version: int) -> None:
        with self.recorder.span(Op.SET, key, version=version) as span:
            await self.inner.set(key, version)
            span.version = version

    async def delete(self, keys: Sequence[str]) -> int:
        with self.recorder.span(Op.DELETE, ",".join(keys)) as span:
            existed = await self.inner.delete(keys)
            span.note = f"{existed} deleted"
        return existed

    async def rebuild(self, key: str, related: Sequence[str]) -> int | None:
        with self.recorder.span(Op.REBUILD, key) as span:
            span.version = version = await self.inner.rebuild(key, related)
        return version

    async def exec(self, writes: Sequence[Write]) -> None:
        key, version, note = describe_writes(writes)
        with self.recorder.span(Op.EXEC, key, version=version, note=note) as span:
            await self.inner.exec(writes)
            span.version = version

    async def version(self, key: str) -> int | None:
        with self.recorder.span(Op.VERSION, key) as span:
            span.version = version = await self.inner.version(key)
        return version

    async def exec_if(self, key: str, expected: int | None, writes: Sequence[Write]) -> bool:
        primary, version, note = describe_writes(writes)
        note = f"if v{expected}: {note}"
        with self.recorder.span(Op.EXEC, primary or key, version=version, note=note) as span:
            applied = await self.inner.exec_if(key, expected, writes)
            if applied:
                span.version = version
            else:
                span.note = ABORTED  # a WATCH conflict: nothing was written
        return applied

    async def lock(self, key: str, ttl: float) -> tuple[str, int]:
        with self.recorder.span(Op.LOCK, key) as span:
            token, taken = await self.inner.lock(key, ttl)
            span.note = f"waited x{taken}" if taken else ""
        return token, taken

    async def unlock(self, key: str, token: str) -> bool:
        with self.recorder.span(Op.UNLOCK, key) as span:
            released = await self.inner.unlock(key, token)
            span.note = "" if released else "not the owner (expired?)"
        return released

    async def touch(self, keys: Sequence[str], ttl: float) -> int:
        with self.recorder.span(Op.TOUCH, ",".join(keys)):
            return await self.inner.touch(keys, ttl)

    async def cached(self, key: str) -> Cached:
        with self.recorder.span(Op.READ, key) as span:
            found = await self.inner.cached(key)
            span.version = found.value
            if found.tombstone is not None:
                span.note = f"tombstone v{found.tombstone}"
        return found

    async def fill(
        self, key: str, version: int, when: FillIf = FillIf.ALWAYS, token: str = ""
    ) -> bool:
        note = "" if when is FillIf.ALWAYS else f"if {when.value}"
        with self.recorder.span(Op.FILL, key, version=version, note=note) as span:
            landed = await self.inner.fill(key, version, when, token)
            span.version = version if landed else None
            span.note = note if landed else f"{note}: refused"
        return landed

    async def lease(self, key: str, ttl: float) -> str | None:
        with self.recorder.span(Op.LEASE, key) as span:
            token = await self.inner.lease(key, ttl)
            span.note = "taken" if token is not None else "not granted"
        return token

    async def tombstone(self, key: str, version: int) -> None:
        # An invalidation, recorded as one: the timeline closes a race window on it.
        with self.recorder.span(Op.DELETE, key, note=f"tombstone v{version}"):
            await self.inner.tombstone(key, version)

    async def incr(self, key: str, *, script: bool = False) -> int:
        with self.recorder.span(Op.INCR, key, note="lua" if script else "") as span:
            span.version = value = await self.inner.incr(key, script=script)
        return value

    async def close(self) -> None:
        await self.inner.close()
