"""Which Redis server a run may talk to, decided before any connection is attempted.

A run writes and deletes keys, so pointing the workbench at a shared server by mistake must
be impossible: only loopback addresses (127.0.0.0/8, ::1, ``localhost``) and unix sockets
are accepted unless the caller explicitly allows remote servers. No name is resolved here:
a host name other than ``localhost`` counts as remote even if it would resolve to 127.0.0.1,
because resolving it is already talking to the network. (``localhost.`` is such a name: the
trailing dot makes it a DNS name that bypasses the hosts file on some resolvers.)

Passwords never leave this module unmasked except in ``RedisTarget.url``, which only
redis-py gets: every message quotes the URL through ``mask_url``, and ``mask_secrets``
does the same for any text that may hold a URL (a connection error, a log line).

This module does not import redis, so the command line can check a URL cheaply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from cache.errors import BadInput

__all__ = [
    "MAX_DB",
    "BadRedisUrl",
    "RedisDatabaseMissing",
    "RedisTarget",
    "RemoteRedisRefused",
    "check_redis_url",
    "is_loopback_host",
    "mask_secrets",
    "mask_url",
    "parse_redis_url",
]

_SCHEMES = ("redis", "rediss", "unix")
# Query options we pass on to redis-py. Anything else (a typo, a timeout that would defeat
# ours) is refused here rather than failing later, at the first connection.
_QUERY_OPTIONS = frozenset({"db", "username", "password"})
# Redis numbers databases with a C int; how many a server has is its own setting (16 by
# default), which only the server can check (``RedisDatabaseMissing``).
MAX_DB = 2**31 - 1
_MASK = "***"
# In free text: ``scheme://userinfo@`` (userinfo up to the last @ before the path) and a
# ``password=`` option anywhere.
_USERINFO = re.compile(r"([A-Za-z][A-Za-z0-9+.-]{0,30}://)([^/?#\s]*)@")
_PASSWORD_OPTION = re.compile(r"(?i)(\bpassword=)[^&#\s]*")


class BadRedisUrl(BadInput):
    """Not a Redis URL we can use; the message is one line saying what is wrong (with any
    password masked)."""


class RemoteRedisRefused(BadInput):
    """The URL names a server that is not on this machine and remote use was not allowed."""


class RedisDatabaseMissing(BadRedisUrl):
    """The server answered but has no database with the URL's number: bad input, found
    only once connected (``RedisServer.connect`` raises it)."""


@dataclass(frozen=True, slots=True)
class RedisTarget:
    """A checked Redis URL. ``url`` (which may hold a password) is what redis-py gets;
    ``display`` is the same URL with the password masked, for messages and logs; the repr
    (tracebacks with locals, debug logs) shows ``display`` only."""

    url: str = field(repr=False)
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
    (also written as an IPv4-mapped IPv6 address). Never resolves a name, so only these
    exact spellings pass: ``localhost.`` or `` localhost`` would go to the resolver."""
    from ipaddress import IPv6Address, ip_address  # here: ``workbench run`` checks no host

    name = host.lower()
    if name == "localhost":
        return True
    try:
        address = ip_address(name.split("%", 1)[0])  # drop an IPv6 zone id (``::1%lo``)
    except ValueError:
        return False
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def _mask_userinfo(match: re.Match[str]) -> str:
    user, colon, _ = match.group(2).partition(":")
    # Without a colon the whole userinfo may be the password (``redis://secret@host``).
    shown = f"{user}:{_MASK}" if colon and "@" not in user else _MASK
    return f"{match.group(1)}{shown}@"


def mask_secrets(text: str) -> str:
    """``text`` with the password of every URL in it masked: ``user:***@`` in the userinfo
    and ``password=***`` in a query. For any message that may quote a URL."""
    masked = _USERINFO.sub(_mask_userinfo, text)
    return _PASSWORD_OPTION.sub(rf"\g<1>{_MASK}", masked)


def mask_url(url: str) -> str:
    """One URL (possibly malformed) as it may be shown: everything up to its last ``@`` is
    userinfo, whatever characters the password holds, and ``password=`` options are masked."""
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest:
        userinfo, _, after = rest.rpartition("@")
        user, colon, _ = userinfo.partition(":")
        shown = f"{user}:{_MASK}" if colon and not set(user) & set("/?#@") else _MASK
        url = f"{scheme}://{shown}@{after}"
    return _PASSWORD_OPTION.sub(rf"\g<1>{_MASK}", url)


def _db(text: str, shown: str) -> int:
    # isascii: str.isdigit() also accepts "²" and "٣", which int() rejects or misreads.
    if not (text.isascii() and text.isdigit()):
        raise BadRedisUrl(
            f"redis URL {shown!r} has a bad database number {mask_url(text)!r}; "
            "use /0, /1, ... or ?db=N"
        )
    db = int(text)
    if db > MAX_DB:
        raise BadRedisUrl(
            f"redis URL {shown!r} selects database {db}, out of range (0 to {MAX_DB}; "
            "a server has 16 by default, 0 to 15)"
        )
    return db


def _malformed(shown: str, error: ValueError) -> BadRedisUrl:
    # urlsplit's own message may quote part of a password (``redis://u:p#w@h`` makes "p"
    # the port), so say what is wrong in our words.
    if "port" in str(error).lower():
        return BadRedisUrl(
            f"redis URL {shown!r} has a bad port; use a number from 1 to 65535 "
            "(e.g. redis://127.0.0.1:6379/0)"
        )
    return BadRedisUrl(f"redis URL {shown!r} is malformed (an IPv6 host goes in [brackets])")


def parse_redis_url(url: str) -> RedisTarget:
    """Parse ``redis://host[:port][/db]``, ``rediss://...`` or ``unix:///path[?db=N]``;
    raises ``BadRedisUrl``, whose message shows the URL with its password masked."""
    text = url.strip()
    if not text:
        raise BadRedisUrl("the redis URL is empty; e.g. redis://127.0.0.1:6379/0")
    shown = mask_url(text)
    try:
        parts = urlsplit(text)
        port = parts.port
        host = parts.hostname
    except ValueError as error:
        raise _malformed(shown, error) from None
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES:
        raise BadRedisUrl(
            f"redis URL {shown!r} must start with redis://, rediss:// or unix:// "
            "(e.g. redis://127.0.0.1:6379/0)"
        )
    if parts.fragment:
        raise BadRedisUrl(f"redis URL {shown!r} must not have a #fragment")
    try:
        query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError:
        raise BadRedisUrl(f"redis URL {shown!r} has a malformed ?query") from None
    unknown = sorted(set(query) - _QUERY_OPTIONS)
    if unknown:
        allowed = ", ".join(sorted(_QUERY_OPTIONS))
        raise BadRedisUrl(
            f"redis URL {shown!r} has unsupported option {mask_url(unknown[0])!r}; "
            f"allowed: {allowed}"
        )
    if any(len(values) > 1 for values in query.values()):
        raise BadRedisUrl(f"redis URL {shown!r} repeats a ?query option")
    db_text = query.get("db", [None])[0]

    if scheme == "unix":
        return _unix_target(text, shown, host, parts.path, db_text)

    if not host:
        raise BadRedisUrl(f"redis URL {shown!r} has no host; e.g. redis://127.0.0.1:6379/0")
    if port == 0:
        # redis-py would quietly connect to 6379 instead.
        raise BadRedisUrl(f"redis URL {shown!r} has port 0; use a number from 1 to 65535")
    path = parts.path
    if db_text is not None:
        db = _db(db_text, shown)
    elif path in ("", "/"):
        db = 0
    else:
        db = _db(path[1:], shown)
    return RedisTarget(
        text,
        shown,
        host,
        port if port is not None else 6379,
        None,
        db,
        loopback=is_loopback_host(host),
    )


def _unix_target(
    text: str, shown: str, host: str | None, path: str, db_text: str | None
) -> RedisTarget:
    # redis-py takes only the path of a unix URL: in unix://run/x.sock "run" is a host and
    # would be dropped, so a relative path is refused rather than silently changed.
    if not host and path in ("", "/"):
        raise BadRedisUrl(
            f"redis URL {shown!r} names no socket; e.g. unix:///run/redis/redis.sock?db=0"
        )
    if host or not path.startswith("/"):
        raise BadRedisUrl(
            f"redis URL {shown!r} needs an absolute socket path after three slashes, "
            "e.g. unix:///run/redis/redis.sock?db=0"
        )
    db = _db(db_text, shown) if db_text is not None else 0
    return RedisTarget(text, shown, None, None, path, db, loopback=True)


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
