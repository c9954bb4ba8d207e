"""The ``Backend`` protocol on a live Redis server, through redis-py's asyncio client.

Each method uses the primitive Redis has for it, so a strategy proven in the simulator is
exercised against the real thing:

==============  ==========================================================================
``read``        ``MGET`` of the primary and its related entries; with ``respect_lock``, a
                Lua script that checks the lock and reads in one step, polled while locked
``set``         ``SET``
``delete``      ``DEL`` (the naive strategy calls it once per related entry: separate
                round trips, which is the race)
``rebuild``     a Lua script that derives the related entries from the primary
``exec``        a transactional pipeline: ``MULTI`` ... ``EXEC``
``version``     ``WATCH`` and ``GET``, pipelined (one round trip), on a connection kept
                for this task
``exec_if``     ``MULTI`` ... ``EXEC`` on that connection; Redis aborts it if the watched
                key was modified since ``WATCH`` (then False)
``lock``        ``SET lock token NX PX ttl`` with a random token, polled with a short backoff
``unlock``      a compare-and-delete Lua script: only the owner's token releases the lock
``touch``       ``PEXPIRE`` of each key in one ``MULTI``/``EXEC``
``cached``      ``GET`` of one entry (a tombstone marker is reported as such)
``fill``        ``SET``, ``SET NX``, or a Lua script (set-if-not-newer, if-lease, if-same)
``lease``       ``SET entry L:<token> NX PX ttl``: a placeholder any DEL or SET voids
``tombstone``   ``SET entry T:<version>``: a delete that remembers what superseded it
``incr``        ``INCR``, or a Lua read-modify-write
==============  ==========================================================================

Values are versions stored as decimal strings. Keys are ``<run prefix>k:<key>`` and locks
``<run prefix>lock:<key>``, so a run's keys never collide with each other, with another
run's, or with anything else in the database; ``close`` unlinks exactly the keys this run
touched.

When a ``BlockingGate`` is given (``RealtimeRuntime.gate``), every round trip is admitted
through it, which is how ``Runtime.blocking()`` keeps other tasks' calls off the wire.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from redis.asyncio.client import Pipeline
from redis.exceptions import RedisError, WatchError

from cache.backends.base import BackendError, Cached, Delete, FillIf, Snapshot, Tombstone, Write
from cache.backends.redis_scripts import LEASE_PREFIX, TOMBSTONE_PREFIX
from cache.backends.redis_server import RedisServer
from cache.realtime import BlockingGate

__all__ = ["POLL_FIRST_S", "POLL_MAX_S", "RedisBackend"]

# Lock waits poll: the first retry after 0.2 ms (a loopback round trip or two, about what
# the rest of an update takes), doubling to at most 2 ms so a long hold costs few polls.
POLL_FIRST_S = 0.0002
POLL_MAX_S = 0.002
_FAILURES: tuple[type[BaseException], ...] = (RedisError, OSError, TimeoutError)
_UNLINK_CHUNK = 500


def _backoff(attempt: int) -> float:
    return min(POLL_MAX_S, POLL_FIRST_S * (1 << min(attempt - 1, 16)))


def _task() -> asyncio.Task[Any] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:
        return None


class RedisBackend:
    """One run's view of a Redis server: its namespace, its watches, its round trips."""

    name = "redis"

    def __init__(
        self,
        server: RedisServer,
        prefix: str | None = None,
        *,
        gate: BlockingGate | None = None,
    ) -> None:
        self.server = server
        self.prefix = prefix if prefix is not None else server.namespace()
        # On a cluster, the node that owns this run's slot (every key is under the prefix).
        self._client, self._scripts = server.client_for(self.prefix)
        self._gate = gate
        self._touched: set[str] = set()
        # WATCH state lives on a connection, so each (task, key) being watched keeps its
        # own pipeline from version() to exec_if(): two tasks watching the same key must
        # not share one, or the first EXEC would clear the other's WATCH.
        self._watches: dict[tuple[asyncio.Task[Any] | None, str], tuple[Pipeline, int | None]] = {}
        self.calls = 0
        self.polls = 0  # lock and locked-read attempts that found the key locked

    # -- naming ------------------------------------------------------------------------------

    def key(self, key: str) -> str:
        """The Redis key that holds ``key`` in this run."""
        name = f"{self.prefix}k:{key}"
        self._touched.add(name)
        return name

    def lock_key(self, key: str) -> str:
        """The Redis key of ``key``'s lock in this run."""
        name = f"{self.prefix}lock:{key}"
        self._touched.add(name)
        return name

    def _version(self, key: str, raw: object) -> int | None:
        if raw is None:
            return None
        if isinstance(raw, str) and raw[:2] in (LEASE_PREFIX, TOMBSTONE_PREFIX):
            return None  # a lease or a tombstone: no value to read
        try:
            return int(str(raw))
        except ValueError:
            raise BackendError(
                f"Redis at {self.server.target.display} holds {raw!r} under {key}, not a version"
            ) from None

    # -- one round trip ----------------------------------------------------------------------

    def _admit(self) -> AbstractAsyncContextManager[None]:
        return self._gate.admit() if self._gate is not None else contextlib.nullcontext()

    @asynccontextmanager
    async def _trip(self, doing: str) -> AsyncIterator[None]:
        self.calls += 1
        async with self._admit():
            try:
                yield
            except _FAILURES as error:
                raise self.server.error(doing, error) from error

    # -- Backend -----------------------------------------------------------------------------

    async def load(self, entries: Mapping[str, int]) -> None:
        if not entries:
            return
        mapping = {self.key(key): str(version) for key, version in entries.items()}
        async with self._trip("loading the fixture (MSET)"):
            await self._client.mset(mapping)

    async def read(
        self, key: str, related: Sequence[str], *, respect_lock: bool = False
    ) -> Snapshot:
        names = [self.key(key), *[self.key(other) for other in related]]
        if not respect_lock:
            async with self._trip(f"MGET {key}"):
                values = await self._client.mget(names)
            return self._snapshot(key, related, values, 0)
        lock = self.lock_key(key)
        waits = 0
        while True:
            async with self._trip(f"locked read of {key}"):
                reply = await self._scripts.read_unless_locked(keys=[lock, *names])
            if int(reply[0]) == 0:
                return self._snapshot(key, related, reply[1], waits)
            waits += 1
            self.polls += 1
            await asyncio.sleep(_backoff(waits))

    def _snapshot(
        self, key: str, related: Sequence[str], values: Sequence[object], waits: int
    ) -> Snapshot:
        return Snapshot(
            self._version(key, values[0]),
            tuple(self._version(other, v) for other, v in zip(related, values[1:], strict=True)),
            waits,
        )

    async def set(self, key: str, version: int) -> None:
        name = self.key(key)
        async with self._trip(f"SET {key}"):
            await self._client.set(name, str(version))

    async def delete(self, keys: Sequence[str]) -> int:
        if not keys:
            return 0
        names = [self.key(key) for key in keys]
        async with self._trip(f"DEL {','.join(keys)}"):
            return int(await self._client.delete(*names))

    async def rebuild(self, key: str, related: Sequence[str]) -> int | None:
        names = [self.key(key), *[self.key(other) for other in related]]
        async with self._trip(f"rebuild of {key}"):
            raw = await self._scripts.rebuild(keys=names)
        return self._version(key, raw)

    def _queue(self, pipe: Pipeline, writes: Sequence[Write]) -> None:
        for write in writes:
            if isinstance(write, Delete):
                if write.keys:
                    pipe.delete(*[self.key(key) for key in write.keys])
            elif isinstance(write, Tombstone):
                pipe.set(self.key(write.key), f"{TOMBSTONE_PREFIX}{write.version}")
            else:
                pipe.set(self.key(write.key), str(write.version))

    async def exec(self, writes: Sequence[Write]) -> None:
        async with self._trip("MULTI/EXEC"), self._client.pipeline(transaction=True) as pipe:
            self._queue(pipe, writes)
            await pipe.execute()

    async def version(self, key: str) -> int | None:
        me = _task()
        stale = self._watches.pop((me, key), None)
        if stale is not None:  # a previous attempt that never reached exec_if
            await self._release(stale[0])
        async with self._trip(f"WATCH {key}"):
            pipe, seen = await self._watch(key)
        self._watches[(me, key)] = (pipe, seen)
        return seen

    async def _watch(self, key: str) -> tuple[Pipeline, int | None]:
        """WATCH and GET on one connection, pipelined: one round trip. Redis runs a
        connection's commands in order, so the GET reads after the WATCH is in place, and
        any change after the WATCH, including one between the two, fails the later EXEC."""
        name = self.key(key)
        pipe = self._client.pipeline(transaction=True)
        connection = await self._client.connection_pool.get_connection()  # type: ignore[no-untyped-call]
        pipe.connection = connection
        try:
            await connection.send_packed_command(
                connection.pack_commands([("WATCH", name), ("GET", name)])
            )
            pipe.watching = True  # from here, releasing the pipe sends UNWATCH
            await connection.read_response()
            raw = await connection.read_response()
        except BaseException:
            # A reply may still be on its way: this connection must not serve anyone else.
            with contextlib.suppress(*_FAILURES):
                await connection.disconnect()
            pipe.watching = False
            await self._release(pipe)
            raise
        return pipe, self._version(key, raw)

    async def exec_if(self, key: str, expected: int | None, writes: Sequence[Write]) -> bool:
        entry = self._watches.pop((_task(), key), None)
        async with self._trip(f"MULTI/EXEC if {key} unchanged"):
            # Without a preceding version() from this task, watch now: still correct (the
            # comparison below and the WATCH together are a compare-and-set), one trip more.
            pipe, seen = entry if entry is not None else await self._watch(key)
            try:
                if seen != expected:
                    return False
                pipe.multi()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
                self._queue(pipe, writes)
                await pipe.execute()
            except WatchError:
                return False
            finally:
                await self._release(pipe)
        return True

    async def _release(self, pipe: Pipeline) -> None:
        # reset() sends UNWATCH if needed and returns the connection to the pool; on a dead
        # server it just drops the connection. It must never mask the error being raised.
        with contextlib.suppress(*_FAILURES):
            await pipe.reset()  # type: ignore[no-untyped-call]

    async def lock(self, key: str, ttl: float) -> tuple[str, int]:
        name = self.lock_key(key)
        me = _task()
        token = f"{me.get_name() if me is not None else 'main'}:{secrets.token_hex(8)}"
        ttl_ms = max(1, round(ttl * 1000.0))
        taken = 0
        while True:
            async with self._trip(f"SET NX PX (lock) {key}"):
                acquired = await self._client.set(name, token, nx=True, px=ttl_ms)
            if acquired:
                return token, taken
            taken += 1
            self.polls += 1
            await asyncio.sleep(_backoff(taken))

    async def unlock(self, key: str, token: str) -> bool:
        name = self.lock_key(key)
        async with self._trip(f"unlock of {key}"):
            released = await self._scripts.unlock_if_owner(keys=[name], args=[token])
        return int(released) == 1

    async def touch(self, keys: Sequence[str], ttl: float) -> int:
        if not keys:
            return 0
        ttl_ms = max(1, round(ttl * 1000.0))
        async with (
            self._trip(f"PEXPIRE {','.join(keys)}"),
            self._client.pipeline(transaction=True) as pipe,
        ):
            for key in keys:
                pipe.pexpire(self.key(key), ttl_ms)
            results = await pipe.execute()
        return sum(1 for result in results if result)

    async def cached(self, key: str) -> Cached:
        name = self.key(key)
        async with self._trip(f"GET {key}"):
            raw = await self._client.get(name)
        if isinstance(raw, str) and raw.startswith(TOMBSTONE_PREFIX):
            return Cached(None, self._version(key, raw[len(TOMBSTONE_PREFIX) :]))
        return Cached(self._version(key, raw))

    async def fill(
        self, key: str, version: int, when: FillIf = FillIf.ALWAYS, token: str = ""
    ) -> bool:
        name, value = self.key(key), str(version)
        async with self._trip(f"fill ({when.value}) of {key}"):
            if when is FillIf.ALWAYS:
                return bool(await self._client.set(name, value))
            if when is FillIf.ABSENT:
                return bool(await self._client.set(name, value, nx=True))
            if when is FillIf.NEWER:
                landed = await self._scripts.fill_if_newer(keys=[name], args=[value])
            elif when is FillIf.LEASE:
                landed = await self._scripts.fill_if_lease(keys=[name], args=[value, token])
            else:
                landed = await self._scripts.fill_if_same(keys=[name], args=[value])
        return int(landed) == 1

    async def lease(self, key: str, ttl: float) -> str | None:
        name = self.key(key)
        token = secrets.token_hex(8)
        ttl_ms = max(1, round(ttl * 1000.0))
        async with self._trip(f"SET NX PX (lease) {key}"):
            taken = await self._client.set(name, LEASE_PREFIX + token, nx=True, px=ttl_ms)
        return token if taken else None

    async def tombstone(self, key: str, version: int) -> None:
        name = self.key(key)
        async with self._trip(f"SET (tombstone) {key}"):
            await self._client.set(name, f"{TOMBSTONE_PREFIX}{version}")

    async def incr(self, key: str, *, script: bool = False) -> int:
        name = self.key(key)
        async with self._trip(f"{'Lua increment' if script else 'INCR'} of {key}"):
            if script:
                value = await self._scripts.incr_rmw(keys=[name])
            else:
                value = await self._client.incr(name)
        return int(value)

    async def release(self) -> list[str]:
        """Release watched connections and hand over the names of the keys this run
        touched, without unlinking them: for a run shared by several processes, whose
        keys only go once every process is done with them."""
        watches, self._watches = self._watches, {}
        for pipe, _ in watches.values():
            await self._release(pipe)
        names = sorted(self._touched)
        self._touched.clear()
        return names

    async def close(self) -> None:
        """Release watched connections and unlink every key this run touched (all under its
        prefix). Raises ``BackendError`` if the server is gone; the connections are released
        either way."""
        watches, self._watches = self._watches, {}
        for pipe, _ in watches.values():
            await self._release(pipe)
        names = sorted(self._touched)
        self._touched.clear()
        try:
            for i in range(0, len(names), _UNLINK_CHUNK):
                await self._client.unlink(*names[i : i + _UNLINK_CHUNK])
        except _FAILURES as error:
            raise self.server.error(f"cleanup of {self.prefix}*", error) from error

    def __repr__(self) -> str:
        return (
            f"<RedisBackend {self.server.target.display} prefix={self.prefix!r} "
            f"{self.calls} calls, {len(self._watches)} watching>"
        )
