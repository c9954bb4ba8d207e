"""Which Redis server a run may talk to, decided before any connection is attempted.

A run writes and deletes keys, so pointing the workbench at a shared server by mistake must
be impossible: only loopback addresses (127.0.0.0/8, ::1, ``localhost``) and unix sockets
are accepted unless the caller explicitly allows remote servers. No name is resolved here:
a host name other than ``localhost`` counts as remote even if it would resolve to 127.0.0.1,
because resolving it is already talking to the network.

This module does not import redis, so the command line can check a URL cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv6Address, ip_address
from urllib.parse import parse_qs, urlsplit

__all__ = [
    "BadRedisUrl",
    "RedisTarget",
    "RemoteRedisRefused",
    "check_redis_url",
    "is_loopback_host",
    "parse_redis_url",
]

_SCHEMES = ("redis", "rediss", "unix")
# Query options we pass on to redis-py. Anything else (a typo, a timeout that would defeat
# ours) is refused here rather than failing later, at the first connection.
_QUERY_OPTIONS = frozenset({"db", "username", "password"})


class BadRedisUrl(ValueError):
    """Not a Redis URL we can use; the message is one line saying what is wrong."""


class RemoteRedisRefused(ValueError):
    """The URL names a server that is not on this machine and remote use was not allowed."""


@dataclass(frozen=True, slots=True)
class RedisTarget:
    """A checked Redis URL. ``url`` (which may hold a password) is what redis-py gets;
    ``display`` is the same URL with the password masked, for messages and logs."""

    url: str
    display: str
    host: str | None  # None for a unix socket
    port: int | None
    socket_path: str | None
    db: int
    loopback: bool

    def __str__(self) -> str:
        return self.display


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` is certainly this machine: ``localhost``, 127.0.0.0/8 or ::1
    (also written as an IPv4-mapped IPv6 address). Never resolves a name."""
    name = host.strip().rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        address = ip_address(name.split("%", 1)[0])  # drop an IPv6 zone id (``::1%lo``)
    except ValueError:
        return False
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def _masked(url: str, password: str | None) -> str:
    if not password:
        return url
    return url.replace(f":{password}@", ":***@", 1)


def _db(text: str, url: str) -> int:
    if not text.isdigit():
        raise BadRedisUrl(
            f"redis URL {url!r} has a bad database number {text!r}; use /0, /1, ... or ?db=N"
        )
    return int(text)


def parse_redis_url(url: str) -> RedisTarget:
    """Parse ``redis://host[:port][/db]``, ``rediss://...`` or ``unix:///path[?db=N]``;
    raises ``BadRedisUrl``."""
    text = url.strip()
    if not text:
        raise BadRedisUrl("the redis URL is empty; e.g. redis://127.0.0.1:6379/0")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as error:
        raise BadRedisUrl(f"redis URL {text!r} is malformed: {error}") from None
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES:
        raise BadRedisUrl(
            f"redis URL {text!r} must start with redis://, rediss:// or unix:// "
            "(e.g. redis://127.0.0.1:6379/0)"
        )
    if parts.fragment:
        raise BadRedisUrl(f"redis URL {text!r} must not have a #fragment")
    try:
        query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError:
        raise BadRedisUrl(f"redis URL {text!r} has a malformed ?query") from None
    unknown = sorted(set(query) - _QUERY_OPTIONS)
    if unknown:
        allowed = ", ".join(sorted(_QUERY_OPTIONS))
        raise BadRedisUrl(
            f"redis URL {text!r} has unsupported option {unknown[0]!r}; allowed: {allowed}"
        )
    if any(len(values) > 1 for values in query.values()):
        raise BadRedisUrl(f"redis URL {text!r} repeats a ?query option")
    db_text = query.get("db", [None])[0]
    display = _masked(text, parts.password)

    if scheme == "unix":
        path = parts.path
        if not path or path == "/":
            raise BadRedisUrl(
                f"redis URL {text!r} names no socket; e.g. unix:///run/redis/redis.sock?db=0"
            )
        db = _db(db_text, text) if db_text is not None else 0
        return RedisTarget(text, display, None, None, path, db, loopback=True)

    host = parts.hostname
    if not host:
        raise BadRedisUrl(f"redis URL {text!r} has no host; e.g. redis://127.0.0.1:6379/0")
    path = parts.path
    if db_text is not None:
        db = _db(db_text, text)
    elif path in ("", "/"):
        db = 0
    else:
        db = _db(path[1:], text)
    return RedisTarget(
        text,
        display,
        host,
        port if port is not None else 6379,
        None,
        db,
        loopback=is_loopback_host(host),
    )


def check_redis_url(url: str, *, allow_remote: bool = False) -> RedisTarget:
    """``parse_redis_url``, then refuse a server that is not on this machine unless
    ``allow_remote``; raises ``BadRedisUrl`` or ``RemoteRedisRefused``."""
    target = parse_redis_url(url)
    if not target.loopback and not allow_remote:
        raise RemoteRedisRefused(
            f"refusing to use Redis at {target.display}: {target.host} is not a loopback "
            "address (127.0.0.0/8, ::1, localhost) or a unix socket; "
            "pass --allow-remote if you really mean that server"
        )
    return target
