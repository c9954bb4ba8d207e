"""The classroom in a browser: `workbench serve` on a free loopback port, a real headless
Chromium from Debian's packages (driven by Playwright's Python package, never a downloaded
browser), a key pressed, the stale-read counter seen moving, a screenshot (the README's, in
screenshots/, only when RWB_SAVE_SCREENSHOT=1: a test run leaves the checkout as it was).

Skips when Chromium or Playwright is missing, unless RWB_REQUIRE_BROWSER=1 (CI), where that
is a failure. Every wait is bounded; the server is stopped however the test ends.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("RWB_CHROMIUM", "/usr/bin/chromium")
README_SCREENSHOT = ROOT / "screenshots" / "serve-browser.png"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
_ANSI = re.compile(r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")
_STALE = re.compile(r"stale\s+(\d[\d,]*)(?![\d,])")

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def _need(what: str) -> None:
    if os.environ.get("RWB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"RWB_REQUIRE_BROWSER=1 but {what}")
    pytest.skip(what)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, server: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"workbench serve exited with {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"workbench serve did not listen on {port} within {seconds:g} s")


def test_served_app_in_chromium_shows_the_counter_moving(tmp_path: Path) -> None:
    save = os.environ.get("RWB_SAVE_SCREENSHOT") == "1"
    shot = README_SCREENSHOT if save else tmp_path / "serve-browser.png"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _need(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need("the playwright Python package is not installed")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "workbench", "serve", "--port", str(port),
         "--reports", str(tmp_path / "reports")],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        _wait_for_port(port, server, 20.0)
        received: list[str] = []
        with sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True,
                args=FLAGS, viewport={"width": 1280, "height": 800}, timeout=30_000,
            )
            try:
                page = context.new_page()
                page.set_default_timeout(20_000)

                def frames(ws: object) -> None:
                    def got(payload: str | bytes) -> None:
                        text = payload.decode("utf-8", "replace") if isinstance(
                            payload, bytes) else payload
                        received.append(_ANSI.sub("", text))

                    ws.on("framereceived", got)  # type: ignore[attr-defined]

                page.on("websocket", frames)
                page.goto(f"http://127.0.0.1:{port}/")

                def seen(pattern: re.Pattern[str], seconds: float) -> list[str]:
                    deadline = time.monotonic() + seconds
                    while time.monotonic() < deadline:
                        found = pattern.findall("".join(received))
                        if found:
                            return list(found)
                        page.wait_for_timeout(200)
                    return []

                assert seen(_STALE, 30.0), "the app never drew its stale-read counter"
                page.click(".textual-terminal")
                page.keyboard.press("Space")  # start the live workload
                deadline = time.monotonic() + 40.0
                values: list[int] = []
                while time.monotonic() < deadline:
                    values = [int(v.replace(",", "")) for v in _STALE.findall("".join(received))]
                    if values and max(values) > 0 and values[-1] > min(values):
                        break
                    page.wait_for_timeout(250)
                assert values and max(values) > 0, f"the counter never moved: {values[-5:]}"
                page.wait_for_timeout(500)
                shot.parent.mkdir(exist_ok=True)
                page.screenshot(path=str(shot))
            finally:
                context.close()
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)
        assert server.stderr is not None
        server.stderr.close()
