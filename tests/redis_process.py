"""A throwaway ``redis-server`` for tests: a free loopback port, no persistence, its own
directory, stopped (or killed, for the fault tests) by the test that started it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

__all__ = ["RedisProcess", "redis_server_or_skip"]

_READY_WITHIN_S = 10.0
_ATTEMPTS = 3


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def redis_server_or_skip(why: str) -> str:
    """The path of ``redis-server``; otherwise skip, or fail when ``CI`` is set (CI must
    never pass by skipping the Redis tests)."""
    binary = shutil.which("redis-server")
    if binary is None:
        message = f"{why}: redis-server is not on PATH (apt-get install redis-server)"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set, so this is an error, not a skip: {message}")
        pytest.skip(message)
    return binary


class RedisProcess:
    """A running ``redis-server`` on 127.0.0.1."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, directory: Path) -> None:
        self.process = process
        self.port = port
        self.directory = directory

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @classmethod
    def start(cls, binary: str, directory: Path, extra: tuple[str, ...] = ()) -> RedisProcess:
        """Start a server and wait (bounded) until it accepts connections. A port taken
        between choosing and binding makes the server exit; then another port is tried."""
        failure = ""
        for _ in range(_ATTEMPTS):
            port = _free_port()
            log = directory / f"redis-{port}.log"
            process = subprocess.Popen(
                [
                    binary,
                    "--port", str(port),
                    "--bind", "127.0.0.1",
                    "--save", "",
                    "--appendonly", "no",
                    "--daemonize", "no",
                    "--dir", str(directory),
                    "--logfile", str(log),
                    *extra,
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
            server = cls(process, port, directory)
            if server._wait_until_accepting():
                return server
            server.kill()
            failure = log.read_text(errors="replace")[-500:] if log.exists() else "no log"
        raise RuntimeError(f"redis-server did not start after {_ATTEMPTS} attempts: {failure}")

    def _wait_until_accepting(self) -> bool:
        deadline = time.monotonic() + _READY_WITHIN_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(64).startswith(b"+PONG"):
                        return True
            except OSError:
                pass
            time.sleep(0.01)  # bounded retry while the server starts, as allowed
        return False

    def kill(self) -> None:
        """SIGKILL, and reap it: when this returns, the server's sockets are closed."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill()
