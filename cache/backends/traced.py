"""A backend wrapper that records every round trip as a span.

Recording lives here, not in the strategies, so a user's own strategy is traced exactly like
the built-in ones and the oracle never depends on a strategy reporting honestly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cache.backends.base import Backend, Delete, Snapshot, Write
from cache.events import Op
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
        else:
            parts.append(f"SET {write.key}=v{write.version}")
            if version is None:
                key, version = write.key, write.version
    return key, version, "; ".join(parts)


class TracedBackend:
    """Wraps a ``Backend``; each call becomes a START and a COMPLETE (or FAILED) event."""

    def __init__(self, inner: Backend, recorder: Recorder) -> None:
        self.inner = inner
        self.recorder = recorder
        self.name = inner.name

    async def load(self, entries: Mapping[str, int]) -> None:
        await self.inner.load(entries)

    async def read(
        self, key: str, related: Sequence[str], *, respect_lock: bool = False
    ) -> Snapshot:
        rec = self.recorder
        span = rec.start(Op.READ, key)
        try:
            snap = await self.inner.read(key, related, respect_lock=respect_lock)
        except BaseException:
            rec.complete(span, failed=True)
            raise
        note = f"waited for lock x{snap.lock_waits}" if snap.lock_waits else ""
        rec.complete(span, version=snap.primary, note=note)
        return snap

    async def set(self, key: str, version: int) -> None:
        rec = self.recorder
        span = rec.start(Op.SET, key, version=version)
        try:
            await self.inner.set(key, version)
        except BaseException:
            rec.complete(span, failed=True)
            raise
        rec.complete(span, version=version)

    async def delete(self, keys: Sequence[str]) -> int:
        rec = self.recorder
        span = rec.start(Op.DELETE, ",".join(keys))
        try:
            existed = await self.inner.delete(keys)
        except BaseException:
            rec.complete(span, failed=True)
            raise
        rec.complete(span, note=f"{existed} deleted")
        return existed

    async def rebuild(self, key: str, related: Sequence[str]) -> int | None:
        rec = self.recorder
        span = rec.start(Op.REBUILD, key)
        try:
            version = await self.inner.rebuild(key, related)
        except BaseException:
            rec.complete(span, failed=True)
            raise
        rec.complete(span, version=version)
        return version

    async def exec(self, writes: Sequence[Write]) -> None:
        rec = self.recorder
        key, version, note = describe_writes(writes)
        span = rec.start(Op.EXEC, key, version=version, note=note)
        try:
            await self.inner.exec(writes)
        except BaseException:
            rec.complete(span, failed=True)
            raise
        rec.complete(span, version=version)

    async def version(self, key: str) -> int | None:
        rec = self.recorder
        span = rec.start(Op.VERSION, key)
        try:
            version = await self.inner.version(key)
        except BaseException:
            rec.complete(span, failed=True)
            raise
        rec.complete(span, version=version)
        return version

    async def exec_if(self, key: str, expected: int | None, writes: Sequence[Write]) -> bool:
        rec = self.recorder
        primary, version, note = describe_writes(writes)
        span = rec.start(Op.EXEC, primary or key, version=version, note=f"if v{expected}: {note}")
        try:
            applied = await self.inner.exec_if(key, expected, writes)
        except BaseException:
            rec.complete(span, failed=True)
            raise
        if applied:
            rec.complete(span, version=version)
        else:
            rec.complete(span, note="aborted")
        return applied

    async def lock(self, key: str, ttl: float) -> tuple[str, int]:
        rec = self.recorder
        span = rec.start(Op.LOCK, key)
        try:
            token, taken = await self.inner.lock(key, ttl)
        except BaseException:
            rec.complete(span, failed=True)
            raise
        rec.complete(span, note=f"waited x{taken}" if taken else "")
        return token, taken

    async def unlock(self, key: str, token: str) -> bool:
        rec = self.recorder
        span = rec.start(Op.UNLOCK, key)
        try:
            released = await self.inner.unlock(key, token)
        except BaseException:
            rec.complete(span, failed=True)
            raise
        rec.complete(span, note="" if released else "not the owner (expired?)")
        return released

    async def touch(self, keys: Sequence[str], ttl: float) -> int:
        rec = self.recorder
        span = rec.start(Op.TOUCH, ",".join(keys))
        try:
            count = await self.inner.touch(keys, ttl)
        except BaseException:
            rec.complete(span, failed=True)
            raise
        rec.complete(span)
        return count

    async def close(self) -> None:
        await self.inner.close()
