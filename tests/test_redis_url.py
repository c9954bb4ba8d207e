"""Which Redis URLs a run may use: checked before any connection, without a server.

The refusal tests also make every socket connect and name lookup fail loudly, so a bug that
let a remote URL through would fail the test instead of sending traffic anywhere.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

from cache.redis_url import (
    BadRedisUrl,
    RemoteRedisRefused,
    check_redis_url,
    is_loopback_host,
    mask_secrets,
    parse_redis_url,
)
from workbench.cli import main


@pytest.mark.parametrize(
    "host",
    ["localhost", "LOCALHOST", "127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1"],
)
def test_loopback_hosts(host: str) -> None:
    assert is_loopback_host(host)


@pytest.mark.parametrize(
    "host",
    [
        "example.invalid",
        "192.0.2.10",
        "0.0.0.0",
        "::",
        "2001:db8::1",
        "127.1",
        "my-localhost",
        # A trailing dot makes a DNS name, which may bypass the hosts file.
        "localhost.",
        "localhost..",
        " localhost",
    ],
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
    # A traceback that shows locals, or a debug log, shows the repr.
    assert "s3cret" not in repr(target) and "***" in repr(target)


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("", "empty"),
        ("http://127.0.0.1:6379", "must start with"),
        ("127.0.0.1:6379", "must start with"),
        ("redis://:6379/0", "no host"),
        ("redis://127.0.0.1:99999/0", "bad port"),
        ("redis://127.0.0.1:port/0", "bad port"),
        ("redis://127.0.0.1:0/0", "port 0"),
        ("redis://127.0.0.1:6379/²", "database number"),
        ("redis://127.0.0.1:6379/٣", "database number"),
        ("redis://127.0.0.1:6379/?db=¹", "database number"),
        ("redis://127.0.0.1:6379/2147483648", "out of range"),
        ("redis://[::1/0", "malformed"),
        ("unix://relative/x.sock", "absolute socket path"),
        ("unix:relative.sock", "absolute socket path"),
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


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every way a connection could start now fails the test (and is recorded)."""
    attempts: list[str] = []

    def refuse(what: str) -> Any:
        def call(*args: object, **kwargs: object) -> Any:
            attempts.append(f"{what}{args!r}")
            raise AssertionError(f"tried to {what} {args!r}")

        return call

    monkeypatch.setattr(socket, "getaddrinfo", refuse("resolve"))
    monkeypatch.setattr(socket, "create_connection", refuse("connect"))
    monkeypatch.setattr(socket.socket, "connect", refuse("connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("connect"))
    monkeypatch.setattr(asyncio, "open_connection", refuse("connect"))
    monkeypatch.setattr(asyncio, "open_unix_connection", refuse("connect"))
    return attempts


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(args)
    out, err = capsys.readouterr()
    code = exit_.value.code
    return (code if isinstance(code, int) else 1), out, err


@pytest.mark.parametrize("command", ["run", "replay"])
@pytest.mark.parametrize(
    "url", ["redis://cache.example.invalid:6379/0", "redis://192.0.2.10:6379/0"]
)
def test_cli_refuses_a_remote_server_before_connecting(
    command: str,
    url: str,
    no_network: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    extra = ["--run", "1"] if command == "replay" else []
    code, out, err = _cli([command, *extra, "--backend", "redis", "--redis-url", url], capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("workbench: error: ")
    assert "not a loopback address" in err and "--allow-remote" in err
    assert no_network == []


def test_cli_rejects_a_bad_url_with_exit_2(
    no_network: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _cli(["run", "--backend", "redis", "--redis-url", "http://127.0.0.1"], capsys)
    assert code == 2
    assert err.count("\n") == 1 and "must start with redis://" in err
    assert no_network == []


def test_cli_rejects_redis_options_without_the_redis_backend(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = _cli(["run", "--redis-url", "redis://127.0.0.1:6379/0"], capsys)
    assert code == 2 and "need --backend redis" in err
    code, _, err = _cli(["run", "--allow-remote"], capsys)
    assert code == 2 and "need --backend redis" in err


def test_cli_rejects_an_unknown_backend(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _cli(["run", "--backend", "memcached"], capsys)
    assert code == 2 and err.count("\n") == 1 and "'sim'" in err and "'redis'" in err


def test_localhost_with_a_trailing_dot_is_refused_without_a_lookup(no_network: list[str]) -> None:
    for url in ("redis://localhost.:6379/0", "redis://localhost..:6379/0"):
        with pytest.raises((RemoteRedisRefused, BadRedisUrl)):
            check_redis_url(url)
    assert no_network == []


SECRET = "hunter2"


@pytest.mark.parametrize(
    "url",
    [
        f"redis://user:{SECRET}@127.0.0.1:44881/abc",
        f"redis://user:{SECRET}@127.0.0.1:6379/²",
        f"redis://:{SECRET}@127.0.0.1:0",
        f"redis://user:{SECRET}@127.0.0.1:99999/0",
        f"redis://user:{SECRET}#x@127.0.0.1:6379/0",
        f"redis://user:p{SECRET}/x@127.0.0.1:6379/0",
        f"redis://{SECRET}@127.0.0.1:6379/zero",
        f"redis://127.0.0.1:6379/0?password={SECRET}&db=x",
        f"redis://127.0.0.1:6379/0?password={SECRET}&bogus=1",
        f"redis://u:{SECRET}@cache.example.invalid:6379/0",
        f"redis://cache.example.invalid:6379/0?password={SECRET}",
        f"unix://u:{SECRET}@relative/x.sock",
        f"http://u:{SECRET}@127.0.0.1/0",
    ],
)
def test_no_message_shows_a_password(url: str) -> None:
    with pytest.raises(ValueError) as error:
        check_redis_url(url)
    assert SECRET not in str(error.value)
    assert "***" in str(error.value)


def test_a_password_in_the_query_is_masked_for_display() -> None:
    target = parse_redis_url(f"redis://127.0.0.1:6379/0?password={SECRET}&db=1")
    assert SECRET in target.url
    assert SECRET not in target.display and "password=***" in target.display
    assert target.db == 1


def test_mask_secrets_masks_every_url_in_free_text() -> None:
    text = (
        f"Error 111 connecting to redis://u:{SECRET}@127.0.0.1:1/0 "
        f"(also tried rediss://{SECRET}@[::1]:2?password={SECRET}&db=3)"
    )
    masked = mask_secrets(text)
    assert SECRET not in masked
    assert "redis://u:***@127.0.0.1:1/0" in masked and "db=3" in masked


def test_unix_socket_keeps_its_password_out_of_the_display() -> None:
    target = parse_redis_url(f"unix://:{SECRET}@/tmp/redis.sock?db=1")
    assert target.socket_path == "/tmp/redis.sock" and target.db == 1
    assert SECRET not in target.display


def test_url_errors_are_usage_errors() -> None:
    # Front ends map BadInput to exit 2 and RunFailed to exit 1.
    from cache.errors import BadInput
    from cache.redis_url import RedisDatabaseMissing

    assert issubclass(BadRedisUrl, BadInput) and issubclass(RemoteRedisRefused, BadInput)
    assert issubclass(RedisDatabaseMissing, BadRedisUrl)
