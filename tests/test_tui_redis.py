"""The TUI's backend choice: stage batches on a real Redis server, and its faults as
notifications (the app keeps working)."""

from __future__ import annotations

import socket

import pytest
from textual.widgets import Input, Select, Static

from cache.batch import BatchResult
from cache.redis_run import RedisServerTarget
from cache.redis_url import check_redis_url
from tests.apps import RecordingApp
from tests.redis_process import RedisProcess
from workbench.tui.app import WorkbenchApp
from workbench.tui.panes.evidence import EvidencePane

SIZE = (120, 40)


def on_redis(url: str) -> RedisServerTarget:
    return RedisServerTarget(check_redis_url(url))


async def finish_workers(app: WorkbenchApp, pilot: object) -> None:
    for _ in range(10_000):  # each pause lets the event loop run; no wall-clock waiting
        if all(worker.is_finished for worker in app.workers):
            break
        await pilot.pause()  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.redis
@pytest.mark.asyncio
async def test_stage_batches_run_on_redis_and_runs_there_are_not_replayed(redis_url: str) -> None:
    app = RecordingApp(target=on_redis(redis_url))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await finish_workers(app, pilot)
        assert app.session.target.kind == "redis"
        assert app.query_one("#backend", Select).value == "redis"
        app.action_show_tab("evidence")
        await pilot.pause()
        pane = app.query_one(EvidencePane)
        pane.query_one("#evidence-runs", Input).value = "30"
        pane.run_batch()
        await finish_workers(app, pilot)
        assert pane.result is not None and pane.result.backend == "redis"
        assert pane.result.completed == 30 and pane.result.failures > 0
        assert "on Redis at" in str(pane.query_one("#evidence-result", Static).render())
        pane.open_run()
        await pilot.pause()
        assert app.live.replay is None
        assert any("cannot be replayed" in n for n in app.notes)


@pytest.mark.asyncio
async def test_an_unreachable_server_is_a_notification_and_batches_stay_simulated() -> None:
    app = RecordingApp(target=on_redis(f"redis://127.0.0.1:{closed_port()}/0"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await finish_workers(app, pilot)
        assert app.session.target.kind != "redis"
        assert app.query_one("#backend", Select).value == "sim"
        assert any("cannot connect to Redis" in n for n in app.notes)


@pytest.mark.asyncio
async def test_a_remote_url_is_refused_in_place() -> None:
    app = RecordingApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.query_one("#redis-url", Input).value = "redis://10.1.2.3:6379/0"
        app.query_one("#backend", Select).value = "redis"
        await pilot.pause()
        assert app.query_one("#redis-url", Input).has_class("-invalid")
        assert "not a loopback address" in str(app.query_one("#controls-error", Static).render())
        assert app.session.target.kind != "redis"


@pytest.mark.redis
@pytest.mark.asyncio
async def test_a_server_killed_mid_batch_is_a_notification_and_keeps_the_progress(
    own_redis: RedisProcess,
) -> None:
    app = RecordingApp(target=on_redis(own_redis.url))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await finish_workers(app, pilot)
        assert app.session.target.kind == "redis"
        app.action_show_tab("evidence")
        await pilot.pause()
        pane = app.query_one(EvidencePane)
        original = pane._progress

        def kill_after_first_step(result: BatchResult) -> None:
            original(result)
            if result.completed:
                own_redis.kill()

        pane._progress = kill_after_first_step  # type: ignore[method-assign]
        pane.query_one("#evidence-runs", Input).value = "500"
        pane.run_batch()
        await finish_workers(app, pilot)
        assert any("Redis" in n and "measured before are kept" in n for n in app.notes)
        assert pane.result is not None and 0 < pane.result.completed < 500
        shown = str(pane.query_one("#evidence-result", Static).render())
        assert f"of {pane.result.completed} runs failed" in shown  # what was measured
        assert not pane.query_one("#evidence-run").disabled  # and the pane still works
