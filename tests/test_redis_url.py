"""Which Redis URLs a run may use: checked before any connection, without a server.
"""

from __future__ import annotations

import pytest

from cache.redis_url import (
    BadRedisUrl,
    RemoteRedisRefused,
    check_redis_url,
    is_loopback_host,
    parse_redis_url,
)


@pytest.mark.parametrize(
    "host",
    ["localhost", "LOCALHOST", "localhost.", "127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1"],
)
def test_loopback_hosts(host: str) -> None:
    assert is_loopback_host(host)


@pytest.mark.parametrize(
    "host",
    ["example.invalid", "192.0.2.10", "0.0.0.0", "::", "2001:db8::1", "127.1", "my-localhost"],
)
def test_everything_else_is_remote(host: str) -> None:
    # 127.1 would reach 127.0.0.1 through inet_aton, but it is not how anyone writes it;
    # refusing an odd spelling of loopback is the safe direction.
    assert not is_loopback_host(host)


def test_parse_a_tcp_url() -> None:
    target = parse_redis_url("redis://127.0.0.1:6390/3")
    assert (target.host, target.port, target.db, target.loopback) == ("127.0.0.1", 6390, 3, True)
    assert parse_redis_url("redis://localhost").port == 6379
    assert parse_redis_url("redis://localhost:6379?db=5").db == 5
    assert parse_redis_url("rediss://[::1]:6380/0").host == "::1"


def test_parse_a_unix_socket() -> None:
    target = parse_redis_url("unix:///run/redis/redis.sock?db=2")
    assert target.socket_path == "/run/redis/redis.sock"
    assert target.db == 2 and target.loopback and target.host is None


def test_a_password_is_masked_for_display() -> None:
    target = parse_redis_url("redis://user:s3cret@127.0.0.1:6379/0")
    assert "s3cret" not in target.display and "s3cret" in target.url
    assert str(target) == "redis://user:***@127.0.0.1:6379/0"


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("", "empty"),
        ("http://127.0.0.1:6379", "must start with"),
        ("127.0.0.1:6379", "must start with"),
        ("redis://:6379/0", "no host"),
        ("redis://127.0.0.1:99999/0", "malformed"),
        ("redis://127.0.0.1:port/0", "malformed"),
        ("redis://127.0.0.1:6379/zero", "database number"),
        ("redis://127.0.0.1:6379/0?db=x", "database number"),
        ("redis://127.0.0.1:6379/0?socket_timeout=100", "unsupported option"),
        ("redis://127.0.0.1:6379/0?db=1&db=2", "repeats"),
        ("redis://127.0.0.1:6379/0#frag", "fragment"),
        ("unix://", "names no socket"),
    ],
)
def test_bad_urls_say_what_is_wrong_in_one_line(url: str, complaint: str) -> None:
    with pytest.raises(BadRedisUrl) as error:
        parse_redis_url(url)
    assert complaint in str(error.value)
    assert "\n" not in str(error.value)


def test_a_remote_server_is_refused_unless_allowed() -> None:
    with pytest.raises(RemoteRedisRefused, match="--allow-remote"):
        check_redis_url("redis://cache.example.invalid:6379/0")
    with pytest.raises(RemoteRedisRefused):
        check_redis_url("redis://192.0.2.10:6379/0")
    allowed = check_redis_url("redis://cache.example.invalid:6379/0", allow_remote=True)
    assert not allowed.loopback
    assert check_redis_url("redis://127.0.0.1:6379/0").loopback
