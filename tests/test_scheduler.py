"""The scheduler: virtual time, seeded choices, and the primitives the simulator uses."""

from __future__ import annotations

import asyncio

import pytest

from cache.scheduler.core import Deadlock, Scheduler, Status, StepLimitExceeded, TaskFailed
from cache.scheduler.policies import FifoPolicy, ManualPolicy, Policy, RandomPolicy, ReplayPolicy


def _interleaving(seed: int, policy: Policy | None = None) -> list[str]:
    """Three tasks taking three zero-time steps each; the order they ran in."""
    sched = Scheduler(seed, policy)
    trace: list[str] = []

    async def worker(name: str) -> None:
        for step in range(3):
            trace.append(f"{name}{step}")
            await sched.checkpoint()

    for name in "abc":
        sched.spawn(worker(name), name)
    assert sched.run() is Status.IDLE
    return trace


def test_same_seed_same_interleaving() -> None:
    assert _interleaving(42) == _interleaving(42)


def test_other_seeds_give_other_interleavings() -> None:
    orders = {tuple(_interleaving(seed)) for seed in range(20)}
    assert len(orders) > 5


def test_fifo_policy_is_asyncio_order() -> None:
    assert _interleaving(1, FifoPolicy()) == [
        "a0",
        "b0",
        "c0",
        "a1",
        "b1",
        "c1",
        "a2",
        "b2",
        "c2",
    ]


class _TwoStepUpdate:
    """A writer that changes two fields with one yield between, and a reader that yields
    once before looking: the smallest race there is."""

    def __init__(self) -> None:
        self.a = self.b = 0
        self.seen: tuple[int, int] | None = None

    async def write(self, yield_once: object) -> None:
        self.a = 1
        await yield_once()  # type: ignore[operator]
        self.b = 1

    async def read(self, yield_once: object) -> None:
        await yield_once()  # type: ignore[operator]
        self.seen = (self.a, self.b)

    @property
    def torn(self) -> bool:
        return self.seen == (1, 0)


def _torn_under(seed: int, policy: Policy) -> bool:
    sched = Scheduler(seed, policy)
    race = _TwoStepUpdate()
    sched.spawn(race.write(sched.checkpoint), "writer")
    sched.spawn(race.read(sched.checkpoint), "reader")
    sched.run()
    return race.torn


def test_plain_asyncio_never_shows_a_one_yield_race() -> None:
    async def main() -> bool:
        race = _TwoStepUpdate()

        async def yield_once() -> None:
            await asyncio.sleep(0)

        await asyncio.gather(race.write(yield_once), race.read(yield_once))
        return race.torn

    assert not any(asyncio.run(main()) for _ in range(50))


def test_fifo_policy_never_shows_it_either() -> None:
    assert not any(_torn_under(seed, FifoPolicy()) for seed in range(50))


def test_seeded_random_policy_finds_it() -> None:
    torn = [seed for seed in range(50) if _torn_under(seed, RandomPolicy())]
    assert 5 < len(torn) < 45
    # ...and finds it again, the same way, from the seed alone.
    assert all(_torn_under(seed, RandomPolicy()) for seed in torn)


def test_virtual_time_jumps_instead_of_sleeping() -> None:
    sched = Scheduler(0)
    woke: list[float] = []

    async def sleeper(seconds: float) -> None:
        await sched.sleep(seconds)
        woke.append(sched.now())

    sched.spawn(sleeper(3600.0), "hour")
    sched.spawn(sleeper(0.25), "quarter")
    sched.run()
    assert woke == [0.25, 3600.0]


def test_run_until_stops_the_clock_there_and_resumes() -> None:
    sched = Scheduler(0)
    woke: list[float] = []

    async def ticker() -> None:
        for _ in range(4):
            await sched.sleep(1.0)
            woke.append(sched.now())

    sched.spawn(ticker(), "ticker")
    assert sched.run(until=2.5) is Status.TIME_LIMIT
    assert woke == [1.0, 2.0] and sched.now() == 2.5
    assert sched.run() is Status.IDLE
    assert woke == [1.0, 2.0, 3.0, 4.0]


def test_blocking_section_holds_everyone_else_back() -> None:
    sched = Scheduler(0)
    log: list[tuple[str, float]] = []

    async def blocker() -> None:
        async with sched.blocking():
            await sched.sleep(1.0)
            log.append(("blocker mid", sched.now()))
            await sched.sleep(1.0)
        log.append(("blocker out", sched.now()))

    async def other() -> None:
        await sched.sleep(0.5)
        log.append(("other", sched.now()))

    sched.spawn(blocker(), "blocker")
    sched.spawn(other(), "other")
    sched.run()
    # "other" was due at 0.5 but could only run once the blocking section ended at 2.0.
    assert log[0] == ("blocker mid", 1.0)
    assert ("other", 2.0) in log
    assert log.index(("other", 2.0)) > 0


def test_wait_queue_wakes_on_notify_or_timeout() -> None:
    sched = Scheduler(0)
    queue = sched.wait_queue()
    woke: dict[str, float] = {}

    async def waiter(name: str, patience: float | None) -> None:
        await queue.wait(patience)
        woke[name] = sched.now()
        # A later sleep must not be cut short by the wait's old timer.
        await sched.sleep(10.0)
        woke[name + " slept"] = sched.now()

    async def notifier() -> None:
        await sched.sleep(2.0)
        queue.wake_all()

    sched.spawn(waiter("patient", None), "patient")
    sched.spawn(waiter("hasty", 1.0), "hasty")
    sched.spawn(waiter("notified", 5.0), "notified")
    sched.spawn(notifier(), "notifier")
    sched.run()
    assert woke == {
        "hasty": 1.0,
        "hasty slept": 11.0,
        "patient": 2.0,
        "patient slept": 12.0,
        "notified": 2.0,
        "notified slept": 12.0,
    }


def test_deadlock_is_reported_with_who_waits() -> None:
    sched = Scheduler(0)
    queue = sched.wait_queue()

    async def stuck() -> None:
        await queue.wait()

    sched.spawn(stuck(), "stuck-reader")
    with pytest.raises(Deadlock, match="stuck-reader"):
        sched.run()


def test_a_spinning_task_hits_the_step_limit() -> None:
    sched = Scheduler(0, max_steps=1000)

    async def spin() -> None:
        while True:
            await sched.checkpoint()

    sched.spawn(spin(), "spin")
    with pytest.raises(StepLimitExceeded):
        sched.run()


def test_the_step_limit_is_about_spinning_not_about_length() -> None:
    # Five times more steps than the limit, but time moves at every one: a live run of any
    # length must not trip the guard.
    sched = Scheduler(0, max_steps=1000)

    async def ticker() -> None:
        for _ in range(5000):
            await sched.sleep(0.001)

    sched.spawn(ticker(), "ticker")
    assert sched.run() is Status.IDLE
    assert sched.steps > 5000


def test_a_task_that_raises_stops_the_run_with_its_name() -> None:
    sched = Scheduler(0)

    async def boom() -> None:
        await sched.sleep(1.0)
        raise ValueError("bad strategy")

    sched.spawn(boom(), "updater")
    with pytest.raises(TaskFailed, match=r"updater.*ValueError: bad strategy"):
        sched.run()


def test_awaiting_asyncio_inside_the_simulator_is_explained() -> None:
    sched = Scheduler(0)

    async def wrong() -> None:
        await asyncio.sleep(0)

    sched.spawn(wrong(), "wrong")
    with pytest.raises(TaskFailed, match="cannot run inside the simulator"):
        sched.run()


def test_manual_policy_hands_the_choice_to_the_caller() -> None:
    sched = Scheduler(0, ManualPolicy())
    order: list[str] = []

    async def step(name: str) -> None:
        order.append(name)

    sched.spawn(step("first"), "first")
    sched.spawn(step("second"), "second")
    assert sched.run() is Status.AWAITING_CHOICE
    assert [t.name for t in sched.ready] == ["first", "second"]
    sched.choose(1)
    assert sched.run() is Status.IDLE
    assert order == ["second", "first"]


def test_replay_policy_reproduces_a_recorded_interleaving() -> None:
    recorder = ReplayPolicy([], then=RandomPolicy())
    original = _interleaving(7, recorder)
    assert _interleaving(999, ReplayPolicy(recorder.made)) == original


def test_repr_says_where_the_scheduler_is() -> None:
    sched = Scheduler(3)
    assert "seed=3" in repr(sched) and "RandomPolicy" in repr(sched)
