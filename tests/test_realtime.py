"""The real-time runtime: asyncio tasks, the monotonic clock, and the blocking gate.

No server here: these check the runtime's own rules with plain coroutines. Nothing waits on
the wall clock except ``RunStalled``'s limit, which is set to a few milliseconds.
"""

from __future__ import annotations

import asyncio

import pytest

from cache.realtime import BlockingGate, RealtimeRuntime, RunStalled
from cache.runtime import Runtime


def test_it_is_a_runtime() -> None:
    runtime: Runtime = RealtimeRuntime()  # mypy checks the protocol; this checks it imports
    assert runtime.task_name() == "main"


def test_tasks_have_their_names_and_the_clock_only_moves_forward() -> None:
    async def main() -> tuple[list[str], list[float]]:
        runtime = RealtimeRuntime()
        names: list[str] = []
        times: list[float] = []

        async def worker() -> None:
            names.append(runtime.task_name())
            times.append(runtime.now())
            await runtime.checkpoint()
            times.append(runtime.now())

        runtime.start()
        first = runtime.spawn(worker(), "writer-1")
        second = runtime.spawn(worker(), "reader-1")
        assert first.name == "writer-1" and not first.done
        await runtime.wait(5.0)
        assert first.done and second.done
        return names, times

    names, times = asyncio.run(main())
    assert sorted(names) == ["reader-1", "writer-1"]
    assert all(t >= 0.0 for t in times)
    assert times[2] >= times[0] and times[3] >= times[1]


def test_join_waits_for_the_task_and_wait_for_tasks_spawned_later() -> None:
    async def main() -> list[str]:
        runtime = RealtimeRuntime()
        order: list[str] = []

        async def child() -> None:
            await runtime.checkpoint()
            order.append("child")

        async def grandchild() -> None:
            order.append("grandchild")

        async def parent() -> None:
            handle = runtime.spawn(child(), "child")
            await runtime.join(handle)
            order.append("parent")
            runtime.spawn(grandchild(), "grandchild")  # never joined: wait() still waits

        runtime.spawn(parent(), "parent")
        await runtime.wait(5.0)
        return order

    assert asyncio.run(main()) == ["child", "parent", "grandchild"]


def test_a_failing_task_ends_the_run_and_cancels_the_others() -> None:
    async def main() -> tuple[BaseException | None, bool]:
        runtime = RealtimeRuntime()
        forever = asyncio.Event()
        cancelled = False

        async def waiter() -> None:
            nonlocal cancelled
            try:
                await forever.wait()
            except asyncio.CancelledError:
                cancelled = True
                raise

        async def boom() -> None:
            await runtime.checkpoint()
            raise ValueError("bad strategy")

        runtime.spawn(waiter(), "reader")
        runtime.spawn(boom(), "updater")
        try:
            await runtime.wait(5.0)
        except ValueError as error:
            return error, cancelled
        return None, cancelled

    error, cancelled = asyncio.run(main())
    assert isinstance(error, ValueError) and str(error) == "bad strategy"
    assert cancelled


def test_a_run_that_never_ends_stalls_with_the_names_of_its_tasks() -> None:
    async def main() -> tuple[str, bool]:
        runtime = RealtimeRuntime()
        never = asyncio.Event()
        handle = runtime.spawn(never.wait(), "stuck-reader")
        with pytest.raises(RunStalled) as stalled:
            await runtime.wait(0.005)
        return str(stalled.value), handle.done

    message, done = asyncio.run(main())
    assert "stuck-reader" in message and "did not finish" in message
    assert done  # cancelled, not left running


def test_sleep_rejects_negative_times() -> None:
    with pytest.raises(ValueError):
        RealtimeRuntime().sleep(-1.0)


def test_join_rejects_a_foreign_handle() -> None:
    async def main() -> None:
        await RealtimeRuntime().join(object())

    with pytest.raises(TypeError):
        asyncio.run(main())


# -- the blocking gate ---------------------------------------------------------------------


class _Calls:
    """A fake store whose every call goes through the gate and records what overlapped."""

    def __init__(self, gate: BlockingGate) -> None:
        self.gate = gate
        self.in_flight: set[str] = set()
        self.log: list[str] = []
        self.overlaps: list[tuple[str, frozenset[str]]] = []

    async def call(self, who: str, what: str) -> None:
        async with self.gate.admit():
            if self.in_flight:
                self.overlaps.append((who, frozenset(self.in_flight)))
            self.in_flight.add(who)
            self.log.append(f"{who}:{what}")
            # Two scheduling points inside the call, like a request and its reply.
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            self.in_flight.discard(who)


def test_while_a_task_blocks_no_other_task_has_a_call_in_flight() -> None:
    async def main() -> _Calls:
        runtime = RealtimeRuntime()
        calls = _Calls(runtime.gate)

        async def blocker() -> None:
            await runtime.checkpoint()  # let the readers get going first
            async with runtime.blocking():
                await calls.call("blocker", "set")
                await runtime.checkpoint()  # a gap other tasks must not use
                async with runtime.blocking():  # re-entrant, as the service and sync nest
                    await calls.call("blocker", "del")

        async def reader(name: str) -> None:
            for _ in range(6):
                await calls.call(name, "get")

        runtime.spawn(reader("r1"), "r1")
        runtime.spawn(blocker(), "blocker")
        runtime.spawn(reader("r2"), "r2")
        await runtime.wait(5.0)
        assert not runtime.gate.held
        return calls

    calls = asyncio.run(main())
    # Readers overlap each other (the gate does not serialize them) ...
    assert any(who != "blocker" for who, _ in calls.overlaps)
    # ... but nothing overlaps the blocker, and the blocker's two steps are adjacent.
    assert all("blocker" not in others and who != "blocker" for who, others in calls.overlaps)
    i = calls.log.index("blocker:set")
    assert calls.log[i + 1] == "blocker:del"


def test_a_blocker_does_not_start_while_another_call_is_in_flight() -> None:
    async def main() -> list[str]:
        gate = BlockingGate()
        order: list[str] = []
        reply = asyncio.Event()

        async def slow_reader() -> None:
            async with gate.admit():
                order.append("read sent")
                await reply.wait()
                order.append("read answered")

        async def blocker() -> None:
            async with gate.hold():
                order.append("blocking")

        reader_task = asyncio.create_task(slow_reader())
        await asyncio.sleep(0)
        blocker_task = asyncio.create_task(blocker())
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        order.append("reply arrives")
        reply.set()
        await asyncio.gather(reader_task, blocker_task)
        return order

    assert asyncio.run(main()) == ["read sent", "reply arrives", "read answered", "blocking"]


def test_a_cancelled_blocker_lets_waiting_calls_through() -> None:
    async def main() -> bool:
        gate = BlockingGate()
        release = asyncio.Event()
        passed = asyncio.Event()

        async def holder() -> None:
            async with gate.hold():
                await release.wait()

        async def second_holder() -> None:
            async with gate.hold():
                pass

        async def caller() -> None:
            async with gate.admit():
                passed.set()

        first = asyncio.create_task(holder())
        await asyncio.sleep(0)
        waiting = asyncio.create_task(second_holder())
        await asyncio.sleep(0)
        call = asyncio.create_task(caller())
        await asyncio.sleep(0)
        waiting.cancel()
        release.set()
        await asyncio.gather(first, call)
        return passed.is_set() and not gate.held

    assert asyncio.run(main())


def test_blocking_outside_a_task_is_an_error() -> None:
    async def enter(gate: BlockingGate) -> None:
        async with gate.hold():
            pass

    coro = enter(BlockingGate())
    with pytest.raises(RuntimeError):
        coro.send(None)  # driven by hand: there is no running loop, so no current task
    coro.close()
