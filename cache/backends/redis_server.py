"""A live Redis server: one connection pool shared by the runs of a batch, the namespace
their keys live under, and the translation of redis-py's errors into ``BackendError``.

Safety rules kept here, in one place:

* every key a run touches starts with ``rwb:<session>:{<run>}:``, fresh per server object
  (the braces are a Redis Cluster hash tag: all of a run's keys share one slot, so
  MULTI/EXEC, WATCH and the Lua scripts, which refuse keys of different slots, work on a
  cluster as on one server);
* cleanup deletes by that prefix only (``SCAN MATCH`` + ``UNLINK``), never FLUSHDB/FLUSHALL;
* every connect and every command has a timeout, and redis-py's automatic retries are off,
  so a dead server is reported within seconds and a command is never silently re-sent.

A URL that names a node of a Redis Cluster is found out at ``connect`` (``INFO cluster``):
redis-py's cluster client then learns which node serves which slot, and each run talks to
the node that owns its slot over a plain client, so every command a run sends goes to one
node, the one that holds all of its keys (``cache.backends.redis_cluster``).

Replies are parsed by hiredis when it is installed (``redis[hiredis]``, a dependency):
``parser="python"`` forces redis-py's own parser, for measuring what hiredis gains.

The URL must already have been checked (``cache.redis_url.check_redis_url``): this module
connects to whatever ``RedisTarget`` it is given.
"""

from __future__ import annotations

import contextlib
import secrets
from collections import defaultdict
from types import TracebackType
from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.connection import parse_url
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from cache.backends import redis_scripts
from cache.backends.base import BackendError
from cache.backends.redis_cluster import ClusterRouter, is_cluster, slot_of
from cache.redis_url import RedisDatabaseMissing, RedisTarget, RemoteRedisRefused, mask_secrets

__all__ = [
    "CONNECT_TIMEOUT_S",
    "MAX_CONNECTIONS",
    "NAMESPACE_ROOT",
    "PARSERS",
    "POOL_WAIT_S",
    "SOCKET_TIMEOUT_S",
    "RedisServer",
    "Scripts",
    "backend_error",
]

NAMESPACE_ROOT = "rwb:"
# A loopback round trip takes well under a millisecond; these only bound how long a dead
# or frozen server can hold a run before it is reported.
CONNECT_TIMEOUT_S = 1.0
SOCKET_TIMEOUT_S = 2.0
# redis-py's asyncio pool refuses the 101st concurrent connection ("Too many connections"),
# and a run with --readers 100 has more tasks than that in flight. A task holds a connection
# for one command (or, for WATCH, from version() to exec_if()), so a bounded pool where a
# task waits for a free connection serves any number of tasks; the bound keeps a batch well
# inside the process's file descriptors and the server's maxclients.
MAX_CONNECTIONS = 256
# How long a task waits for a free connection before the run fails (with a message that
# says so): only a pool held by that many stuck WATCHes waits this long.
POOL_WAIT_S = 10.0
# Who parses replies: hiredis (C, the default when installed) or redis-py's own (Python).
PARSERS = ("hiredis", "python")
_DB_MISSING = "DB index is out of range"
_SCAN_COUNT = 1000
_UNLINK_CHUNK = 500
# Errors that mean "the server is not there any more", as opposed to a refused command.
_LOST: tuple[type[BaseException], ...] = (
    RedisConnectionError,
    RedisTimeoutError,
    OSError,
    TimeoutError,
)


def _reason(error: BaseException) -> str:
    try:
        text = str(error)
    except Exception:
        text = ""
    return " ".join(mask_secrets(text).split()) or type(error).__name__


def backend_error(target: RedisTarget, doing: str, error: BaseException) -> BackendError:
    """A one-line ``BackendError`` that says which server, during what, and why."""
    reason = _reason(error)
    if "No connection available" in reason:
        return BackendError(
            f"Redis at {target.display}: no free connection for {doing} within {POOL_WAIT_S:g}s "
            f"(all {MAX_CONNECTIONS} in use); fewer readers or parallel runs would fit"
        )
    if isinstance(error, ResponseError):
        return BackendError(f"Redis at {target.display} refused {doing}: {reason}")
    if isinstance(error, _LOST):
        return BackendError(f"lost the Redis server at {target.display} during {doing}: {reason}")
    return BackendError(
        f"Redis at {target.display} failed during {doing}: {type(error).__name__}: {reason}"
    )


def _parser_class(parser: str) -> type[Any]:
    from redis._parsers import _AsyncHiredisParser, _AsyncRESP2Parser
    from redis.utils import HIREDIS_AVAILABLE

    if parser == "python":
        return _AsyncRESP2Parser
    if parser != "hiredis":
        raise ValueError(f"parser must be one of {', '.join(PARSERS)}, not {parser!r}")
    if not HIREDIS_AVAILABLE:
        raise ValueError("the hiredis parser is not installed (pip install 'redis[hiredis]')")
    return _AsyncHiredisParser


def _glob_escape(text: str) -> str:
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)


class Scripts:
    """The backend's Lua scripts, registered once per client (sent by SHA after the first
    call, so a script costs one round trip like any command)."""

    __slots__ = (
        "fill_if_lease",
        "fill_if_newer",
        "fill_if_same",
        "incr_rmw",
        "read_unless_locked",
        "rebuild",
        "unlock_if_owner",
    )

    def __init__(self, client: Redis) -> None:
        self.fill_if_lease = client.register_script(redis_scripts.FILL_IF_LEASE)
        self.fill_if_newer = client.register_script(redis_scripts.FILL_IF_NEWER)
        self.fill_if_same = client.register_script(redis_scripts.FILL_IF_SAME)
        self.incr_rmw = client.register_script(redis_scripts.INCR_RMW)
        self.rebuild = client.register_script(redis_scripts.REBUILD)
        self.read_unless_locked = client.register_script(redis_scripts.READ_UNLESS_LOCKED)
        self.unlock_if_owner = client.register_script(redis_scripts.UNLOCK_IF_OWNER)


class RedisServer:
    """A pool of connections to one checked Redis URL. Create it with ``connect`` (which
    pings, so an unreachable server fails here, before any run) and close it when done;
    ``close`` also sweeps whatever the session's runs left behind."""

    def __init__(
        self,
        target: RedisTarget,
        *,
        socket_timeout: float = SOCKET_TIMEOUT_S,
        connect_timeout: float = CONNECT_TIMEOUT_S,
        max_connections: int = MAX_CONNECTIONS,
        pool_wait: float = POOL_WAIT_S,
        parser: str = "hiredis",
    ) -> None:
        self.target = target
        self.socket_timeout = socket_timeout
        self.parser = parser
        self._options: dict[str, Any] = {
            "decode_responses": True,
            "socket_timeout": socket_timeout,
            "socket_connect_timeout": connect_timeout,
            "retry": Retry(NoBackoff(), 0),
            "max_connections": max_connections,
            "timeout": pool_wait,
            "parser_class": _parser_class(parser),
        }
        self.pool: BlockingConnectionPool = BlockingConnectionPool.from_url(
            target.url, **self._options
        )
        self.client = Redis(connection_pool=self.pool)
        self.scripts = Scripts(self.client)
        # Set by ``connect`` when the server is a cluster node.
        self.router: ClusterRouter | None = None
        self._scripts: dict[int, Scripts] = {}
        self.session = f"{NAMESPACE_ROOT}{secrets.token_hex(6)}:"
        self.runs = 0
        self.closed = False

    def _node_client(self, host: str, port: int) -> Redis:
        options = {**parse_url(self.target.url), **self._options, "host": host, "port": port}
        options.pop("db", None)  # a cluster has database 0 only
        return Redis(connection_pool=BlockingConnectionPool(**options))

    async def _join_cluster(self) -> None:
        options = {**parse_url(self.target.url), **self._options}
        for unused in ("db", "timeout", "parser_class", "retry", "connection_class"):
            options.pop(unused, None)
        cluster = RedisCluster(**options)
        try:
            self.router = await ClusterRouter.open(
                cluster, self._node_client, loopback=self.target.loopback
            )
        except BaseException:
            with contextlib.suppress(RedisError, OSError):
                await cluster.aclose()
            raise

    @property
    def is_cluster(self) -> bool:
        return self.router is not None

    def client_for(self, prefix: str) -> tuple[Redis, Scripts]:
        """The client (and its scripts) that serves the keys under a run's ``prefix``: the
        one server, or the cluster node that owns the prefix's slot."""
        if self.router is None:
            return self.client, self.scripts
        client = self.router.client_for(prefix)
        scripts = self._scripts.get(id(client))
        if scripts is None:
            scripts = self._scripts[id(client)] = Scripts(client)
        return client, scripts

    @classmethod
    async def connect(
        cls,
        target: RedisTarget,
        *,
        socket_timeout: float = SOCKET_TIMEOUT_S,
        connect_timeout: float = CONNECT_TIMEOUT_S,
        max_connections: int = MAX_CONNECTIONS,
        parser: str = "hiredis",
    ) -> RedisServer:
        """A server that has answered PING; ``BackendError`` if it cannot be reached,
        ``RedisDatabaseMissing`` (bad input) if it has no database with the URL's number."""
        server = cls(
            target,
            socket_timeout=socket_timeout,
            connect_timeout=connect_timeout,
            max_connections=max_connections,
            parser=parser,
        )
        try:
            await server.client.ping()
            if await is_cluster(server.client):
                await server._join_cluster()
        except ValueError as error:  # a node elsewhere: refused like a remote URL
            await server._disconnect()
            raise RemoteRedisRefused(f"Redis at {target.display}: {error}") from None
        except (RedisError, OSError, TimeoutError) as error:
            await server._disconnect()
            reason = _reason(error)
            if _DB_MISSING in reason:
                raise RedisDatabaseMissing(
                    f"Redis at {target.display} has no database {target.db} "
                    "(a server has 16 by default, 0 to 15; see its 'databases' setting)"
                ) from None
            raise BackendError(f"cannot connect to Redis at {target.display}: {reason}") from None
        return server

    def namespace(self) -> str:
        """A fresh key prefix for one run: ``rwb:<session>:{<n>}:``, hash-tagged so that
        all of the run's keys share one cluster slot."""
        self.runs += 1
        return f"{self.session}{{{self.runs}}}:"

    def _nodes(self) -> list[Redis]:
        return self.router.primaries() if self.router is not None else [self.client]

    def error(self, doing: str, error: BaseException) -> BackendError:
        return backend_error(self.target, doing, error)

    async def keys(self, prefix: str) -> list[str]:
        """Every key under ``prefix`` (SCAN MATCH: never KEYS, which blocks the server)."""
        if not prefix.startswith(NAMESPACE_ROOT) or len(prefix) <= len(NAMESPACE_ROOT):
            raise ValueError(f"refusing to scan outside a run namespace: {prefix!r}")
        found: list[str] = []
        pattern = _glob_escape(prefix) + "*"
        try:
            for node in self._nodes():
                async for key in node.scan_iter(match=pattern, count=_SCAN_COUNT):
                    found.append(str(key))
        except (RedisError, OSError, TimeoutError) as error:
            raise self.error(f"SCAN MATCH {pattern}", error) from error
        return found

    async def sweep(self, prefix: str | None = None) -> int:
        """Delete every key under ``prefix`` (default: this session's), and nothing else;
        returns how many were deleted."""
        prefix = prefix if prefix is not None else self.session
        keys = await self.keys(prefix)
        deleted = 0
        # One UNLINK per slot: a cluster refuses a multi-key command across slots.
        by_slot: defaultdict[int, list[str]] = defaultdict(list)
        for key in keys:
            by_slot[slot_of(key) if self.router is not None else 0].append(key)
        try:
            for group in by_slot.values():
                client = self.client_for(group[0])[0]
                for i in range(0, len(group), _UNLINK_CHUNK):
                    deleted += int(await client.unlink(*group[i : i + _UNLINK_CHUNK]))
        except (RedisError, OSError, TimeoutError) as error:
            raise self.error(f"UNLINK {prefix}*", error) from error
        return deleted

    async def close(self, *, sweep: bool = True) -> None:
        """Sweep the session's keys (if the server is still there) and drop the connections.
        Never raises for a server that has gone away: there is nothing left to clean."""
        if self.closed:
            return
        self.closed = True
        try:
            if sweep:
                await self.sweep()
        except BackendError:
            pass
        finally:
            await self._disconnect()

    async def _disconnect(self) -> None:
        if self.router is not None:
            await self.router.close()
        with contextlib.suppress(RedisError, OSError):
            await self.pool.disconnect()

    async def __aenter__(self) -> RedisServer:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"<RedisServer {self.target.display} session={self.session!r} runs={self.runs}>"
